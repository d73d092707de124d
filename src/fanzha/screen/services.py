"""Issuing, revoking and using partner API keys. Issue and revoke are audited; use is counted on the key."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from fanzha.audit.services import audit_record
from fanzha.core import access
from fanzha.core.models import Organisation
from fanzha.screen.models import SCOPES, ApiKey

MANAGE = "apikey.manage"
TOKEN_PREFIX = "fzk_"  # noqa: S105 - a marker that starts every token, not a secret
PREFIX_LENGTH = 12  # "fzk_" and 8 random characters: enough to tell keys apart, useless for calling
MAX_RATE_PER_MINUTE = 6000


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def _check(organisation: Organisation, name: str, rate_per_minute: int, scopes: list[str]) -> None:
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = "请填写密钥名称（例如对接的系统）"
    if not organisation.is_active:
        errors["organisation"] = "该单位已停用，不能签发密钥"
    if not 1 <= rate_per_minute <= MAX_RATE_PER_MINUTE:
        errors["rate_per_minute"] = f"每分钟请求上限应在 1–{MAX_RATE_PER_MINUTE} 之间"
    unknown = sorted(set(scopes) - set(SCOPES))
    if not scopes or unknown:
        errors["scopes"] = "权限范围无效：" + "、".join(unknown) if unknown else "至少选择一项权限范围"
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def api_key_issue(
    *,
    actor: Any,
    organisation: Organisation,
    name: str,
    rate_per_minute: int = 60,
    scopes: list[str] | None = None,
) -> tuple[ApiKey, str]:
    """A new key for a partner organisation; the plaintext token is returned once and never stored."""
    access.require(actor, MANAGE)
    scope_list = sorted(set(scopes if scopes is not None else ["screen"]))
    _check(organisation, name, rate_per_minute, scope_list)
    token = _new_token()
    key = ApiKey.objects.create(
        organisation=organisation,
        name=name.strip(),
        prefix=token[:PREFIX_LENGTH],
        key_hash=hash_token(token),
        scopes=scope_list,
        rate_per_minute=rate_per_minute,
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action="apikey.issue",
        obj=key,
        details={
            "organisation_id": organisation.pk,
            "scopes": scope_list,
            "rate_per_minute": rate_per_minute,
        },
    )
    return key, token


@transaction.atomic
def api_key_revoke(*, actor: Any, key: ApiKey) -> bool:
    """The key stops working at once; False when it was already revoked (nothing recorded)."""
    access.require(actor, MANAGE)
    key = ApiKey.objects.select_for_update().get(pk=key.pk)
    if key.revoked_at is not None:
        return False
    key.revoked_at = timezone.now()
    key.revoked_by = actor
    key.save(update_fields=["revoked_at", "revoked_by"])
    audit_record(
        actor=actor, action="apikey.revoke", obj=key, details={"organisation_id": key.organisation_id}
    )
    return True


def api_key_find(token: str | None) -> ApiKey | None:
    """The active key whose hash matches ``token`` (of an active organisation), else None."""
    if not token or not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    key = ApiKey.objects.select_related("organisation").filter(key_hash=hash_token(token)).first()
    if key is None or key.revoked_at is not None or not key.organisation.is_active:
        return None
    return key


def api_key_record_use(*, key: ApiKey, items: int) -> None:
    """Counts a call on the key (when, how many calls and items) — never what was screened."""
    ApiKey.objects.filter(pk=key.pk).update(
        last_used_at=timezone.now(), request_count=F("request_count") + 1, item_count=F("item_count") + items
    )
