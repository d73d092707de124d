"""Writing the audit log. Call these inside the transaction of the change they record."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from fanzha.audit import context
from fanzha.audit.chain import GENESIS, HASHED_FIELDS, event_hash
from fanzha.audit.events import EVENT_TYPES
from fanzha.audit.models import AuditEvent
from fanzha.core.locks import transaction_lock

# Any constant; serialises appends on PostgreSQL so the chain has no forks.
_ADVISORY_LOCK_KEY = 0x46414E5A


def _lock_chain() -> None:
    transaction_lock(_ADVISORY_LOCK_KEY)


def _last_hash() -> str:
    last = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first()
    return last or GENESIS


def _describe(obj: Model | None) -> tuple[str, str, str]:
    if obj is None:
        return "", "", ""
    label = str(obj)[:200]  # models' __str__ never shows personal data in clear
    return obj._meta.label_lower, str(obj.pk), label


def _values(
    actor: Any,
    action: str,
    obj: Model | None,
    fields: list[str] | None,
    details: dict[str, Any] | None,
    object_type: str = "",
    object_id: str = "",
) -> dict[str, Any]:
    if action not in EVENT_TYPES:
        raise ValueError(f"undeclared audit event type {action!r}; add it to fanzha.audit.events")
    described_type, described_id, label = _describe(obj)
    ctx = context.current()
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    return {
        "at": timezone.now(),
        "actor_id": actor.pk if is_user else None,
        "actor_username": actor.get_username() if is_user else "",
        "actor_organisation": str(actor.organisation or "") if is_user else "",
        "action": action,
        "object_type": object_type or described_type,
        "object_id": object_id or described_id,
        "object_label": label,
        "fields": sorted(fields or []),
        "details": details or {},
        "ip": ctx.ip,
        "request_id": ctx.request_id,
        "channel": ctx.channel,
    }


def audit_record(
    *,
    actor: Any,
    action: str,
    obj: Model | None = None,
    fields: list[str] | None = None,
    details: dict[str, Any] | None = None,
    object_type: str = "",
    object_id: str = "",
) -> AuditEvent:
    """Append one record. ``details`` must hold no personal data in clear."""
    values = _values(actor, action, obj, fields, details, object_type, object_id)
    # No savepoint: a failed audit write must abort the caller's whole transaction, never be skipped.
    with transaction.atomic(savepoint=False):
        _lock_chain()
        prev = _last_hash()
        event = AuditEvent(prev_hash=prev, hash=event_hash(prev, values), **values)
        event.save()
    return event


def audit_record_each(
    *, actor: Any, action: str, entries: list[tuple[Model, dict[str, Any]]]
) -> list[AuditEvent]:
    """One record an object (``entries``: the object and its ``details``), as :func:`audit_record` would
    write them one by one, appended to the chain with one lock, one read of its end and one insert —
    a job recording thousands of objects at once (the SLA job's breaches) need not make 3 queries each."""
    if not entries:
        return []
    rows = [_values(actor, action, obj, None, details) for obj, details in entries]
    with transaction.atomic(savepoint=False):
        _lock_chain()
        prev = _last_hash()
        events = []
        for values in rows:
            event = AuditEvent(prev_hash=prev, hash=event_hash(prev, values), **values)
            events.append(event)
            prev = event.hash
        return AuditEvent.objects.bulk_create(events)


def audit_change(*, actor: Any, obj: Model, action: str, changed: list[str]) -> AuditEvent:
    """A create, update or delete, naming the fields (never their values)."""
    return audit_record(actor=actor, action=action, obj=obj, fields=changed)


def audit_pii_read(*, actor: Any, obj: Model, fields: list[str], purpose: str = "") -> AuditEvent:
    return audit_record(actor=actor, action="pii.read", obj=obj, fields=fields, details={"purpose": purpose})


@dataclass(frozen=True)
class ChainReport:
    checked: int
    ok: bool
    first_bad_id: int | None
    problem: str
    head_hash: str


def _start_is_anchored(prev_hash: str) -> bool:
    """The oldest remaining record starts the chain, or follows records an "audit.purge" removed."""
    if prev_hash == GENESIS:
        return True
    return AuditEvent.objects.filter(action="audit.purge", details__anchor_hash=prev_hash).exists()


def audit_verify_chain(batch: int = 5000) -> ChainReport:
    """Recompute every hash in order; the first break is reported."""
    checked = 0
    prev: str | None = None
    last_id = 0
    head = GENESIS
    while True:
        rows = list(AuditEvent.objects.filter(id__gt=last_id).order_by("id")[:batch])
        if not rows:
            break
        for row in rows:
            values = {name: getattr(row, name) for name in HASHED_FIELDS}
            if prev is None and not _start_is_anchored(row.prev_hash):
                return ChainReport(checked, False, row.pk, "链首之前的记录缺失（无对应的清理记录）", head)
            if prev is not None and row.prev_hash != prev:
                return ChainReport(checked, False, row.pk, "上一条记录的哈希不符（记录被删除或插入）", head)
            if event_hash(row.prev_hash, values) != row.hash:
                return ChainReport(checked, False, row.pk, "记录内容与哈希不符（记录被篡改）", head)
            prev = head = row.hash
            checked += 1
            last_id = row.pk
    return ChainReport(checked, True, None, "", head)
