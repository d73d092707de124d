"""Personal-data protection primitives: masking, validation, encryption at rest, search hashes.

``EncryptedTextField`` is loaded lazily so that importing this package (e.g. from the logging
configuration) does not import the Django ORM.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fanzha.core.pii.bankcard import BankCardInfo, bank_card_info, luhn_valid, normalize_bank_card
from fanzha.core.pii.crypto import (
    SEARCH_KINDS,
    PiiDecryptError,
    decrypt,
    encrypt,
    generate_key,
    is_token,
    normalize_for_search,
    search_hash,
)
from fanzha.core.pii.idcard import IdNumberCheck, check_id_number, normalize_id_number, upgrade_15_to_18
from fanzha.core.pii.masking import (
    MASK_KINDS,
    mask,
    mask_address,
    mask_bank_card,
    mask_id_number,
    mask_name,
    mask_phone,
    scrub_text,
)
from fanzha.core.pii.phone import PhoneInfo, PhoneKind, is_service_number, normalize_phone, phone_info

if TYPE_CHECKING:
    from fanzha.core.pii.fields import EncryptedTextField

__all__ = [
    "MASK_KINDS",
    "SEARCH_KINDS",
    "BankCardInfo",
    "EncryptedTextField",
    "IdNumberCheck",
    "PhoneInfo",
    "PhoneKind",
    "PiiDecryptError",
    "bank_card_info",
    "check_id_number",
    "decrypt",
    "encrypt",
    "generate_key",
    "is_service_number",
    "is_token",
    "luhn_valid",
    "mask",
    "mask_address",
    "mask_bank_card",
    "mask_id_number",
    "mask_name",
    "mask_phone",
    "normalize_bank_card",
    "normalize_for_search",
    "normalize_id_number",
    "normalize_phone",
    "phone_info",
    "scrub_text",
    "search_hash",
    "upgrade_15_to_18",
]


def __getattr__(name: str) -> Any:
    if name == "EncryptedTextField":
        from fanzha.core.pii.fields import EncryptedTextField

        return EncryptedTextField
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
