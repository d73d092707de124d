"""audit_verify_chain: an intact chain passes; changed, removed or missing records are reported."""

from __future__ import annotations

from fanzha.audit.chain import GENESIS, HASHED_FIELDS, event_hash
from fanzha.audit.models import AuditEvent, AuditPurgePermit
from fanzha.audit.services import audit_record, audit_verify_chain
from tests.audit.helpers import guard_dropped, raw, write


def test_it_verifies_an_empty_log(db: None) -> None:
    report = audit_verify_chain()
    assert (report.ok, report.checked, report.head_hash, report.first_bad_id) == (True, 0, GENESIS, None)


def test_it_verifies_the_chain_after_many_writes(db: None) -> None:
    write(260, details={"n": 1})
    audit_record(actor=None, action="pii.export", object_type="core.person", details={"masked": True})
    total = AuditEvent.objects.count()
    assert total == 261
    report = audit_verify_chain(batch=50)  # several batches
    assert report.ok
    assert report.checked == total
    assert report.head_hash == AuditEvent.objects.order_by("-id").first().hash  # type: ignore[union-attr]


def test_it_chains_each_record_to_the_previous_one(db: None) -> None:
    first, second = write(2)
    assert second.prev_hash == first.hash
    assert AuditEvent.objects.order_by("id").first().prev_hash == GENESIS  # type: ignore[union-attr]


def test_it_reports_a_row_changed_behind_the_triggers(db: None) -> None:
    records = write(10)
    victim = records[4]
    with guard_dropped():
        raw("UPDATE audit_auditevent SET actor_username = %s WHERE id = %s", ["someone_else", victim.pk])
    assert AuditEvent.objects.get(pk=victim.pk).actor_username == "someone_else"
    report = audit_verify_chain()
    assert not report.ok
    assert report.first_bad_id == victim.pk
    assert "篡改" in report.problem
    assert report.head_hash == records[3].hash


def test_it_reports_a_row_whose_hash_was_recomputed(db: None) -> None:
    """Rewriting a record together with its own hash still breaks the link to the next record."""
    records = write(5)
    victim = records[2]
    values = {name: getattr(victim, name) for name in HASHED_FIELDS} | {"actor_username": "someone_else"}
    forged = event_hash(victim.prev_hash, values)
    with guard_dropped():
        raw(
            "UPDATE audit_auditevent SET actor_username = %s, hash = %s WHERE id = %s",
            ["someone_else", forged, victim.pk],
        )
    report = audit_verify_chain()
    assert not report.ok
    assert report.first_bad_id == records[3].pk
    assert report.head_hash == forged


def test_it_reports_a_row_deleted_from_the_middle(db: None) -> None:
    records = write(10)
    victim = records[5]
    permit = AuditPurgePermit.objects.create(upto_id=victim.pk)
    AuditEvent.objects.filter(pk=victim.pk).delete()
    permit.delete()
    report = audit_verify_chain()
    assert not report.ok
    assert report.first_bad_id == records[6].pk
    assert "删除" in report.problem


def test_it_reports_records_missing_from_the_start(db: None) -> None:
    records = write(6)
    permit = AuditPurgePermit.objects.create(upto_id=records[1].pk)
    AuditEvent.objects.filter(pk__lte=records[1].pk).delete()
    permit.delete()
    report = audit_verify_chain()
    assert not report.ok
    assert report.first_bad_id == records[2].pk
    assert report.checked == 0
    assert "缺失" in report.problem


def test_it_rejects_a_purge_record_naming_another_anchor(db: None) -> None:
    records = write(6)
    permit = AuditPurgePermit.objects.create(upto_id=records[1].pk)
    AuditEvent.objects.filter(pk__lte=records[1].pk).delete()
    permit.delete()
    audit_record(actor=None, action="audit.purge", details={"deleted": 2, "anchor_hash": records[0].hash})
    report = audit_verify_chain()
    assert not report.ok
    assert report.first_bad_id == records[2].pk


def test_it_accepts_a_start_named_by_a_purge_record(db: None) -> None:
    records = write(6)
    permit = AuditPurgePermit.objects.create(upto_id=records[1].pk)
    AuditEvent.objects.filter(pk__lte=records[1].pk).delete()
    permit.delete()
    audit_record(actor=None, action="audit.purge", details={"deleted": 2, "anchor_hash": records[1].hash})
    report = audit_verify_chain()
    assert report.ok
    assert report.checked == 5
