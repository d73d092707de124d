"""audit_purge_expired: only the expired oldest records go, the chain of the rest still verifies."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from fanzha.audit.models import AuditEvent, AuditPurgePermit
from fanzha.audit.purge import audit_purge_expired
from fanzha.audit.services import audit_verify_chain
from tests.audit.helpers import write


def _days_ago(days: int):  # type: ignore[no-untyped-def]
    return timezone.now() - timedelta(days=days)


def test_it_removes_only_expired_records_and_keeps_the_chain(db: None, settings) -> None:  # type: ignore[no-untyped-def]
    settings.AUDIT_RETENTION_DAYS = 365
    old = write(4, at=_days_ago(400))
    recent = write(3, at=_days_ago(10))
    assert audit_purge_expired() == 4
    remaining = list(AuditEvent.objects.order_by("id"))
    assert [r.pk for r in remaining[:3]] == [r.pk for r in recent]
    purge = remaining[-1]
    assert purge.action == "audit.purge"
    assert purge.details == {
        "deleted": 4,
        "upto_id": old[-1].pk,
        "anchor_hash": old[-1].hash,
        "cutoff": purge.details["cutoff"],
    }
    assert not AuditPurgePermit.objects.exists()
    report = audit_verify_chain()
    assert report.ok, report
    assert report.checked == 4


def test_it_does_nothing_when_nothing_expired(db: None, settings) -> None:  # type: ignore[no-untyped-def]
    settings.AUDIT_RETENTION_DAYS = 365
    write(3, at=_days_ago(300))
    assert audit_purge_expired() == 0
    assert AuditEvent.objects.count() == 3
    assert not AuditEvent.objects.filter(action="audit.purge").exists()


def test_it_keeps_at_least_180_days(db: None, settings) -> None:  # type: ignore[no-untyped-def]
    settings.AUDIT_RETENTION_DAYS = 30
    write(2, at=_days_ago(100))
    write(1, at=_days_ago(1))
    assert audit_purge_expired() == 0
    assert audit_purge_expired(now=timezone.now() + timedelta(days=90)) == 2


def test_it_removes_only_the_oldest_contiguous_run(db: None, settings) -> None:  # type: ignore[no-untyped-def]
    settings.AUDIT_RETENTION_DAYS = 365
    oldest = write(2, at=_days_ago(500))
    kept = write(1, at=_days_ago(5))
    late_old = write(2, at=_days_ago(500))  # old time stamps after a recent record: not a prefix
    assert audit_purge_expired() == 2
    ids = set(AuditEvent.objects.values_list("id", flat=True))
    assert not ids & {r.pk for r in oldest}
    assert {kept[0].pk, *(r.pk for r in late_old)} <= ids
    assert audit_verify_chain().ok


def test_it_always_keeps_the_newest_record(db: None, settings) -> None:  # type: ignore[no-untyped-def]
    settings.AUDIT_RETENTION_DAYS = 365
    records = write(3, at=_days_ago(400))
    assert audit_purge_expired() == 2
    assert AuditEvent.objects.filter(pk=records[-1].pk).exists()
    assert audit_verify_chain().ok


def test_it_verifies_after_repeated_purges(db: None, settings) -> None:  # type: ignore[no-untyped-def]
    settings.AUDIT_RETENTION_DAYS = 365
    write(3, at=_days_ago(800))
    write(3, at=_days_ago(500))
    write(2, at=_days_ago(1))
    assert audit_purge_expired(now=timezone.now() - timedelta(days=300)) == 3
    assert audit_purge_expired() == 3
    assert AuditEvent.objects.filter(action="audit.purge").count() == 2
    assert audit_verify_chain().ok


def test_it_detects_records_removed_after_a_purge(db: None, settings) -> None:  # type: ignore[no-untyped-def]
    """The purge record vouches only for the start it names, not for a later one."""
    settings.AUDIT_RETENTION_DAYS = 365
    write(2, at=_days_ago(400))
    recent = write(3, at=_days_ago(1))
    audit_purge_expired()
    permit = AuditPurgePermit.objects.create(upto_id=recent[0].pk)
    AuditEvent.objects.filter(pk=recent[0].pk).delete()
    permit.delete()
    report = audit_verify_chain()
    assert not report.ok
    assert report.first_bad_id == recent[1].pk
