"""Field encryption at rest and keyed search hashes for personal data.

Tokens are ``"v1:aes:" + urlsafe_b64(nonce || ciphertext || tag)`` (AES-256-GCM) or
``"v1:sm4:" + …`` (SM4-GCM, GB/T 32907), 12-byte random nonce, the ``"v1:<cipher>"`` prefix bound
as associated data. ``decrypt`` reads the prefix, so both kinds decrypt whatever the current
``PII_CIPHER`` is.

Keys: ``settings.PII_KEY`` is a urlsafe base64 string of 32 random bytes (see :func:`generate_key`),
read at call time. Separate keys are derived from it with HKDF-SHA256 for AES, SM4 and the search
hash, so the hash key never encrypts and vice versa. Nothing here logs or echoes plaintext.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import os
import re
import unicodedata
from functools import lru_cache
from typing import Literal

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from fanzha.core.pii.idcard import normalize_id_number
from fanzha.core.pii.phone import normalize_phone

__all__ = [
    "SEARCH_KINDS",
    "PiiDecryptError",
    "decrypt",
    "decrypt_bytes",
    "encrypt",
    "encrypt_bytes",
    "generate_key",
    "is_token",
    "key_problem",
    "normalize_for_search",
    "search_hash",
]

CipherName = Literal["aes", "sm4"]
VERSION = "v1"
NONCE_BYTES = 12
TAG_BYTES = 16
_TOKEN_RE = re.compile(r"^v1:(aes|sm4):([A-Za-z0-9_-]+={0,2})$")
_CIPHERS: dict[str, CipherName] = {"aes-gcm": "aes", "sm4-gcm": "sm4"}
_INFO = {
    "aes": b"fanzha-pii-aes-v1",
    "sm4": b"fanzha-pii-sm4-v1",
    "search": b"fanzha-pii-search-v1",
}
_KEY_LENGTHS = {"aes": 32, "sm4": 16, "search": 32}


class PiiDecryptError(Exception):
    """A token could not be decrypted: wrong key, tampered or truncated token, or not a token."""


# ── keys ─────────────────────────────────────────────────────────────────────


def generate_key() -> str:
    """A new master key for ``PII_KEY``: urlsafe base64 of 32 random bytes."""
    return base64.urlsafe_b64encode(os.urandom(32)).decode("ascii")


def _decode_key(encoded: str) -> bytes:
    """The master key's bytes; b"" when ``encoded`` is not urlsafe base64 of exactly 32 bytes."""
    try:
        raw = base64.urlsafe_b64decode(encoded.encode("ascii"))
    except (binascii.Error, UnicodeEncodeError, ValueError):
        return b""
    return raw if len(raw) == 32 else b""


def key_problem(encoded: str) -> str:
    """Why ``encoded`` is not a master key, or "" when it is one (the settings refuse to start on it)."""
    if _decode_key(encoded):
        return ""
    return "FANZHA_PII_KEY must be the urlsafe base64 of 32 random bytes (fanzha keygen prints one)"


@lru_cache(maxsize=8)
def _master(encoded: str) -> bytes:
    raw = _decode_key(encoded)
    if not raw:
        raise ImproperlyConfigured(key_problem(encoded))
    return raw


@lru_cache(maxsize=32)
def _derive(encoded: str, purpose: str) -> bytes:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=_KEY_LENGTHS[purpose], salt=None, info=_INFO[purpose])
    return hkdf.derive(_master(encoded))


def _key(purpose: str) -> bytes:
    encoded = getattr(settings, "PII_KEY", "")
    if not encoded:
        raise ImproperlyConfigured("未配置 PII_KEY，无法加解密个人信息")
    return _derive(str(encoded), purpose)


def _configured_cipher() -> CipherName:
    name = getattr(settings, "PII_CIPHER", "aes-gcm") or "aes-gcm"
    try:
        return _CIPHERS[name]
    except KeyError:
        raise ImproperlyConfigured(f"PII_CIPHER 只能是 aes-gcm 或 sm4-gcm，当前为 {name!r}") from None


# ── encryption ───────────────────────────────────────────────────────────────


def _seal(cipher: CipherName, key: bytes, nonce: bytes, data: bytes, aad: bytes) -> bytes:
    """Ciphertext followed by the 16-byte GCM tag."""
    if cipher == "aes":
        return AESGCM(key).encrypt(nonce, data, aad)
    encryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
    encryptor.authenticate_additional_data(aad)
    return encryptor.update(data) + encryptor.finalize() + encryptor.tag


def _open(cipher: CipherName, key: bytes, nonce: bytes, sealed: bytes, aad: bytes) -> bytes:
    if cipher == "aes":
        return AESGCM(key).decrypt(nonce, sealed, aad)
    body, tag = sealed[:-TAG_BYTES], sealed[-TAG_BYTES:]
    decryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce, tag)).decryptor()
    decryptor.authenticate_additional_data(aad)
    return decryptor.update(body) + decryptor.finalize()


def is_token(value: object) -> bool:
    """True when ``value`` has the shape of a token produced by :func:`encrypt`."""
    return isinstance(value, str) and _TOKEN_RE.match(value) is not None


def encrypt(plaintext: str) -> str:
    """Encrypt ``plaintext`` with the configured cipher into a versioned token."""
    if not isinstance(plaintext, str):
        raise TypeError("只能加密字符串")
    cipher = _configured_cipher()
    prefix = f"{VERSION}:{cipher}"
    nonce = os.urandom(NONCE_BYTES)
    sealed = _seal(cipher, _key(cipher), nonce, plaintext.encode("utf-8"), prefix.encode("ascii"))
    return f"{prefix}:{base64.urlsafe_b64encode(nonce + sealed).decode('ascii')}"


def decrypt(token: str) -> str:
    """Decrypt a token from :func:`encrypt` (AES or SM4, whatever ``PII_CIPHER`` is now)."""
    match = _TOKEN_RE.match(token) if isinstance(token, str) else None
    if match is None:
        raise PiiDecryptError("不是有效的加密数据（格式不符）")
    cipher: CipherName = "aes" if match.group(1) == "aes" else "sm4"
    try:
        blob = base64.urlsafe_b64decode(match.group(2))
    except (binascii.Error, ValueError):
        raise PiiDecryptError("加密数据已损坏（编码错误）") from None
    if len(blob) < NONCE_BYTES + TAG_BYTES:
        raise PiiDecryptError("加密数据已损坏（长度不足）")
    nonce, sealed = blob[:NONCE_BYTES], blob[NONCE_BYTES:]
    aad = f"{VERSION}:{cipher}".encode("ascii")
    try:
        plain = _open(cipher, _key(cipher), nonce, sealed, aad)
    except InvalidTag:
        raise PiiDecryptError("解密失败：密钥不正确或数据被篡改") from None
    try:
        return plain.decode("utf-8")
    except UnicodeDecodeError:
        raise PiiDecryptError("解密结果不是有效的 UTF-8 文本") from None


def key_reads(value: object) -> bool:
    """Whether the configured key decrypts ``value``, a value as stored (is it the key the data was
    written with?). A value that is not a token — none, empty, written before encryption — tells nothing
    of the key: True."""
    if not is_token(value):
        return True
    try:
        decrypt(str(value))
    except PiiDecryptError:
        return False
    return True


# ── bytes (files held for a while, e.g. a queued import) ─────────────────────
# ``b"v1:aes:" + nonce || ciphertext || tag`` (or ``v1:sm4:``); the associated data is the prefix plus
# the caller's ``context`` (e.g. ``b"imports.upload:42"``), so a blob only decrypts where it belongs.
_BLOB_PREFIX_BYTES = len(b"v1:aes:")


def _blob_aad(cipher: CipherName, context: bytes) -> bytes:
    return f"{VERSION}:{cipher}:".encode("ascii") + context


def encrypt_bytes(data: bytes, *, context: bytes = b"") -> bytes:
    """Encrypt ``data`` with the configured cipher; ``context`` must be given again to decrypt."""
    if not isinstance(data, bytes | bytearray | memoryview):
        raise TypeError("只能加密字节串")
    cipher = _configured_cipher()
    nonce = os.urandom(NONCE_BYTES)
    sealed = _seal(cipher, _key(cipher), nonce, bytes(data), _blob_aad(cipher, context))
    return f"{VERSION}:{cipher}:".encode("ascii") + nonce + sealed


def decrypt_bytes(blob: bytes, *, context: bytes = b"") -> bytes:
    """Decrypt a blob from :func:`encrypt_bytes` (AES or SM4, whatever ``PII_CIPHER`` is now)."""
    blob = bytes(blob)
    head = blob[:_BLOB_PREFIX_BYTES]
    if head not in (b"v1:aes:", b"v1:sm4:"):
        raise PiiDecryptError("不是有效的加密数据（格式不符）")
    cipher: CipherName = "aes" if head == b"v1:aes:" else "sm4"
    body = blob[_BLOB_PREFIX_BYTES:]
    if len(body) < NONCE_BYTES + TAG_BYTES:
        raise PiiDecryptError("加密数据已损坏（长度不足）")
    try:
        return _open(cipher, _key(cipher), body[:NONCE_BYTES], body[NONCE_BYTES:], _blob_aad(cipher, context))
    except InvalidTag:
        raise PiiDecryptError("解密失败：密钥不正确或数据被篡改") from None


# ── search hashes ────────────────────────────────────────────────────────────


def _normalize_name(value: str) -> str:
    """A name as compared: full-width letters and spaces folded (NFKC), runs of white space as one
    space, none between 汉字, letters in lower case ("JOHN SMITH", "John  Smith" and "ｊｏｈｎ ｓｍｉｔｈ"
    are one name). Chinese names have no case: their hashes are as before the case was folded."""
    folded = re.sub(r"\s+", " ", unicodedata.normalize("NFKC", value)).strip().lower()
    return re.sub(r"(?<=[\u3400-\u9fff]) (?=[\u3400-\u9fff])", "", folded)


def _normalize_bank_account(value: str) -> str:
    return re.sub(r"\D", "", unicodedata.normalize("NFKC", value))


def _normalize_address(value: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", value))


_NORMALIZERS = {
    "name": _normalize_name,
    "id_number": normalize_id_number,
    "phone": normalize_phone,
    "bank_account": _normalize_bank_account,
    "address": _normalize_address,
}
SEARCH_KINDS = frozenset(_NORMALIZERS)


def normalize_for_search(kind: str, value: str) -> str:
    """The canonical form hashed by :func:`search_hash` (so equal values hash equally)."""
    try:
        normalizer = _NORMALIZERS[kind]
    except KeyError:
        raise ValueError(f"未知的检索类别：{kind!r}（可选：{'、'.join(sorted(SEARCH_KINDS))}）") from None
    return normalizer(value or "")


def search_hash(kind: str, value: str) -> str:
    """Hex HMAC-SHA256 of ``kind + ":" + normalized value`` under the derived search key.

    Store it next to the encrypted field and search on it with ``exact``; the kind is part of the
    message, so the same digits as a phone and as a bank account give different hashes.
    """
    message = f"{kind}:{normalize_for_search(kind, value)}".encode()
    return hmac.digest(_key("search"), message, "sha256").hex()
