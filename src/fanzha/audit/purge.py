"""Retention: delete the oldest audit records once they are older than AUDIT_RETENTION_DAYS.

Only a contiguous oldest prefix is removed (never the newest record), so what remains is still one
intact chain; the "audit.purge" record names the hash of the last deleted record, which
``audit_verify_chain`` accepts as the start of the remaining chain.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from fanzha.audit.models import AuditEvent, AuditPurgePermit
from fanzha.audit.services import _lock_chain, audit_record

MINIMUM_RETENTION_DAYS = 180


def retention_cutoff(now: datetime | None = None) -> datetime:
    days = max(int(settings.AUDIT_RETENTION_DAYS), MINIMUM_RETENTION_DAYS)
    return (now or timezone.now()) - timedelta(days=days)


def _last_expired(cutoff: datetime) -> dict[str, object] | None:
    """The newest record of the oldest run of expired records (the newest record always stays)."""
    newest_id = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
    if newest_id is None:
        return None
    first_kept = AuditEvent.objects.filter(at__gte=cutoff).order_by("id").values_list("id", flat=True).first()
    limit = newest_id if first_kept is None else min(first_kept, newest_id)
    return AuditEvent.objects.filter(id__lt=limit, at__lt=cutoff).order_by("-id").values("id", "hash").first()


@transaction.atomic
def audit_purge_expired(*, now: datetime | None = None) -> int:
    """Delete the expired oldest records under a permit, record "audit.purge"; the number deleted."""
    cutoff = retention_cutoff(now)
    _lock_chain()
    last = _last_expired(cutoff)
    if last is None:
        return 0
    upto_id, anchor_hash = int(last["id"]), str(last["hash"])  # type: ignore[call-overload]
    permit = AuditPurgePermit.objects.create(upto_id=upto_id)
    deleted, _ = AuditEvent.objects.filter(id__lte=upto_id, at__lt=cutoff).delete()
    AuditPurgePermit.objects.filter(pk=permit.pk).delete()
    audit_record(
        actor=None,
        action="audit.purge",
        details={
            "deleted": deleted,
            "upto_id": upto_id,
            "anchor_hash": anchor_hash,
            "cutoff": cutoff.isoformat(),
        },
    )
    return deleted
