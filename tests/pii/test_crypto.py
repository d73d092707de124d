from __future__ import annotations

import base64
from collections.abc import Iterator

import pytest
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.test import override_settings

from fanzha.core.pii.crypto import (
    PiiDecryptError,
    decrypt,
    decrypt_bytes,
    encrypt,
    encrypt_bytes,
    generate_key,
    is_token,
    key_reads,
    search_hash,
)
from fanzha.core.pii.fields import EncryptedTextField

SECRET = "张小三 330102199001011234"


@pytest.fixture(autouse=True)
def pii_key() -> Iterator[str]:
    key = generate_key()
    with override_settings(PII_KEY=key, PII_CIPHER="aes-gcm"):
        yield key


def tampered(token: str) -> str:
    prefix, body = token.rsplit(":", 1)
    blob = bytearray(base64.urlsafe_b64decode(body))
    blob[len(blob) // 2] ^= 0x01
    return f"{prefix}:{base64.urlsafe_b64encode(bytes(blob)).decode()}"


def test_it_generates_32_byte_urlsafe_keys() -> None:
    key = generate_key()

    assert len(base64.urlsafe_b64decode(key)) == 32
    assert key != generate_key()


@pytest.mark.parametrize(("cipher", "prefix"), [("aes-gcm", "v1:aes:"), ("sm4-gcm", "v1:sm4:")])
def test_it_round_trips_with_each_cipher(cipher: str, prefix: str) -> None:
    with override_settings(PII_CIPHER=cipher):
        token = encrypt(SECRET)

        assert token.startswith(prefix)
        assert is_token(token)
        assert decrypt(token) == SECRET


def test_it_decrypts_either_cipher_whatever_the_current_setting() -> None:
    with override_settings(PII_CIPHER="sm4-gcm"):
        sm4_token = encrypt(SECRET)
    aes_token = encrypt(SECRET)

    with override_settings(PII_CIPHER="sm4-gcm"):
        assert decrypt(aes_token) == SECRET
    assert decrypt(sm4_token) == SECRET


def test_it_uses_a_fresh_nonce_every_time() -> None:
    assert encrypt(SECRET) != encrypt(SECRET)


def test_it_round_trips_empty_and_long_text() -> None:
    assert decrypt(encrypt("")) == ""
    assert decrypt(encrypt("反诈" * 5000)) == "反诈" * 5000


@pytest.mark.parametrize("cipher", ["aes-gcm", "sm4-gcm"])
def test_it_detects_tampering(cipher: str) -> None:
    with override_settings(PII_CIPHER=cipher):
        token = encrypt(SECRET)

        with pytest.raises(PiiDecryptError, match="篡改"):
            decrypt(tampered(token))


def test_it_detects_a_swapped_cipher_prefix() -> None:
    token = encrypt(SECRET)

    with pytest.raises(PiiDecryptError):
        decrypt(token.replace("v1:aes:", "v1:sm4:"))


def test_it_refuses_a_wrong_key_without_echoing_plaintext() -> None:
    token = encrypt(SECRET)

    with override_settings(PII_KEY=generate_key()), pytest.raises(PiiDecryptError) as caught:
        decrypt(token)

    assert "密钥不正确" in str(caught.value)
    assert SECRET not in str(caught.value)


def test_it_tells_whether_the_key_reads_a_stored_value() -> None:
    """What the start-up check and the backup restore ask: a token of another key is unreadable; a value
    that is not a token (none, empty, plain) says nothing of the key."""
    token = encrypt(SECRET)
    assert key_reads(token)
    with override_settings(PII_KEY=generate_key()):
        assert not key_reads(token)
        assert key_reads(None) and key_reads("") and key_reads("v1:not-a-token")


@pytest.mark.parametrize("token", ["", "hello", "v1:aes:", "v1:aes:AAAA", "v2:aes:AAAAAAAAAAAAAAAAAAAAAAAA"])
def test_it_refuses_things_that_are_not_tokens(token: str) -> None:
    with pytest.raises(PiiDecryptError):
        decrypt(token)


@pytest.mark.parametrize("key", ["", "not base64!", base64.urlsafe_b64encode(b"short").decode()])
def test_it_requires_a_proper_key(key: str) -> None:
    with override_settings(PII_KEY=key), pytest.raises(ImproperlyConfigured, match="PII_KEY"):
        encrypt(SECRET)


def test_it_refuses_an_unknown_cipher_setting() -> None:
    with override_settings(PII_CIPHER="des-cbc"), pytest.raises(ImproperlyConfigured, match="PII_CIPHER"):
        encrypt(SECRET)


# ── search hashes ────────────────────────────────────────────────────────────


def test_it_gives_the_same_search_hash_for_the_same_value_in_any_format() -> None:
    digest = search_hash("phone", "13812345678")

    assert len(digest) == 64
    assert int(digest, 16) >= 0
    assert search_hash("phone", "+86 138-1234-5678") == digest
    assert search_hash("id_number", "33010219900101123x") == search_hash("id_number", "33010219900101123X")
    assert search_hash("id_number", "110101900307451") == search_hash("id_number", "110101199003074514")
    assert search_hash("name", " 张 三 ") == search_hash("name", "张三")
    assert search_hash("bank_account", "6222 0212 3456 7891 234") == search_hash(
        "bank_account", "6222021234567891234"
    )


def test_it_gives_different_hashes_for_different_kinds_and_values() -> None:
    assert search_hash("phone", "13812345678") != search_hash("bank_account", "13812345678")
    assert search_hash("phone", "13812345678") != search_hash("phone", "13812345679")


def test_it_keys_the_search_hash() -> None:
    digest = search_hash("name", "张三")

    with override_settings(PII_KEY=generate_key()):
        assert search_hash("name", "张三") != digest


def test_it_refuses_unknown_search_kinds() -> None:
    with pytest.raises(ValueError, match="未知"):
        search_hash("salary", "1000")


# ── model field ──────────────────────────────────────────────────────────────


def make_field() -> EncryptedTextField:
    field = EncryptedTextField("身份证号")
    field.set_attributes_from_name("id_number")
    return field


def test_it_does_not_store_plaintext() -> None:
    field = make_field()

    stored = field.get_prep_value(SECRET)

    assert is_token(stored)
    assert SECRET not in stored
    assert "330102199001011234" not in stored
    assert base64.urlsafe_b64encode(SECRET.encode()).decode()[:16] not in stored
    assert field.from_db_value(stored, None, None) == SECRET


def test_it_keeps_none_and_empty_values() -> None:
    field = make_field()

    assert field.get_prep_value(None) is None
    assert field.get_prep_value("") == ""
    assert field.from_db_value(None, None, None) is None
    assert field.from_db_value("", None, None) == ""


def test_it_encrypts_typed_text_that_looks_like_a_token() -> None:
    """A user typing "v1:aes:…" into a form must not plant an undecryptable value."""
    field = make_field()
    forged = "v1:aes:" + "A" * 40

    stored = field.get_prep_value(forged)

    assert stored != forged
    assert field.from_db_value(stored, None, None) == forged


def test_it_reads_legacy_plaintext_as_it_is() -> None:
    assert make_field().from_db_value("张三", None, None) == "张三"


def test_it_raises_on_a_token_it_cannot_decrypt() -> None:
    token = encrypt(SECRET)

    with override_settings(PII_KEY=generate_key()), pytest.raises(PiiDecryptError):
        make_field().from_db_value(token, None, None)


@pytest.mark.parametrize("lookup", ["exact", "iexact", "contains", "icontains", "in", "startswith"])
def test_it_refuses_lookups_other_than_isnull(lookup: str) -> None:
    with pytest.raises(FieldError, match="search_hash"):
        make_field().get_lookup(lookup)


def test_it_allows_isnull() -> None:
    assert make_field().get_lookup("isnull") is not None


# ── bytes ────────────────────────────────────────────────────────────────────

FILE = "姓名,身份证号\n张小三,330102199001011234\n".encode("gbk")


@pytest.mark.parametrize(("cipher", "prefix"), [("aes-gcm", b"v1:aes:"), ("sm4-gcm", b"v1:sm4:")])
def test_it_round_trips_bytes_with_each_cipher(cipher: str, prefix: bytes) -> None:
    with override_settings(PII_CIPHER=cipher):
        blob = encrypt_bytes(FILE, context=b"imports.upload:1")

    assert blob.startswith(prefix)
    assert b"330102199001011234" not in blob and FILE not in blob
    assert decrypt_bytes(blob, context=b"imports.upload:1") == FILE
    assert decrypt_bytes(memoryview(encrypt_bytes(b""))) == b""
    assert encrypt_bytes(FILE) != encrypt_bytes(FILE)


def test_it_binds_encrypted_bytes_to_their_context_and_key() -> None:
    blob = encrypt_bytes(FILE, context=b"imports.upload:1")

    with pytest.raises(PiiDecryptError, match="篡改"):
        decrypt_bytes(blob, context=b"imports.upload:2")
    with override_settings(PII_KEY=generate_key()), pytest.raises(PiiDecryptError, match="密钥不正确"):
        decrypt_bytes(blob, context=b"imports.upload:1")
    flipped = bytearray(blob)
    flipped[len(flipped) // 2] ^= 0x01
    with pytest.raises(PiiDecryptError):
        decrypt_bytes(bytes(flipped), context=b"imports.upload:1")


@pytest.mark.parametrize("blob", [b"", b"plain text", b"v1:aes:short", b"v2:aes:" + b"A" * 40])
def test_it_refuses_bytes_that_are_not_encrypted_blobs(blob: bytes) -> None:
    with pytest.raises(PiiDecryptError):
        decrypt_bytes(blob)
    with pytest.raises(TypeError):
        encrypt_bytes("text")  # type: ignore[arg-type]
