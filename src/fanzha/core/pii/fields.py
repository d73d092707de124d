"""Model field that keeps personal data encrypted in the database.

The column holds a token from :func:`fanzha.core.pii.crypto.encrypt`; Python code sees plaintext.
Ciphertext is randomised, so the database cannot compare values: only ``isnull`` is allowed.
Search through a separate hash column filled with :func:`fanzha.core.pii.crypto.search_hash`::

    id_number = EncryptedTextField("身份证号", blank=True, default="")
    id_number_hash = models.CharField(max_length=64, blank=True, db_index=True)
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import FieldError
from django.db import models

from fanzha.core.pii import crypto

__all__ = ["EncryptedTextField"]

ALLOWED_LOOKUPS = frozenset({"isnull"})


class EncryptedTextField(models.TextField):  # type: ignore[misc]  # Django ships no type stubs
    """A ``TextField`` stored encrypted; ``None`` and ``""`` are stored as they are."""

    description = "加密存储的文本（个人信息）"

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        # Always encrypt, even text shaped like a token: what a user types is never stored as ciphertext.
        return crypto.encrypt(str(value))

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> str | None:
        """Plaintext for tokens; a value written before encryption was enabled is returned as is."""
        if value is None or value == "" or not crypto.is_token(value):
            return value  # type: ignore[no-any-return]
        return crypto.decrypt(value)

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name in ALLOWED_LOOKUPS:
            return super().get_lookup(lookup_name)
        raise FieldError(
            f"加密字段“{self.name}”不支持“{lookup_name}”查询：密文每次不同，数据库无法比较。"
            "请改用对应的检索哈希字段（crypto.search_hash）做精确查询。"
        )

    def get_transform(self, lookup_name: str) -> Any:
        raise FieldError(f"加密字段“{self.name}”不支持“{lookup_name}”变换；请改用检索哈希字段。")
