"""The database itself refuses UPDATE and DELETE on the audit log, through the ORM and raw SQL."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, transaction

from fanzha.audit.models import AuditEvent, AuditPurgePermit
from tests.audit.helpers import raw, write


def _refused(action) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        action()


def test_it_refuses_queryset_update(db: None) -> None:
    record = write(1)[0]
    _refused(lambda: AuditEvent.objects.filter(pk=record.pk).update(actor_username="x"))
    assert AuditEvent.objects.get(pk=record.pk).actor_username == ""


def test_it_refuses_queryset_delete(db: None) -> None:
    write(3)
    _refused(lambda: AuditEvent.objects.all().delete())
    assert AuditEvent.objects.count() == 3


def test_it_refuses_raw_update(db: None) -> None:
    record = write(1)[0]
    _refused(lambda: raw("UPDATE audit_auditevent SET details = %s WHERE id = %s", ['{"a": 1}', record.pk]))
    assert AuditEvent.objects.get(pk=record.pk).details == {}


def test_it_refuses_raw_delete(db: None) -> None:
    record = write(1)[0]
    _refused(lambda: raw("DELETE FROM audit_auditevent WHERE id = %s", [record.pk]))
    assert AuditEvent.objects.filter(pk=record.pk).exists()


def test_it_refuses_save_and_delete_on_a_record(db: None) -> None:
    record = write(1)[0]
    record.actor_username = "x"
    with pytest.raises(RuntimeError):
        record.save()
    with pytest.raises(RuntimeError):
        record.delete()


def test_it_deletes_only_the_rows_a_permit_covers(db: None) -> None:
    first, second = write(2)
    AuditPurgePermit.objects.create(upto_id=first.pk)
    _refused(lambda: AuditEvent.objects.filter(pk=second.pk).delete())
    assert AuditEvent.objects.filter(pk=first.pk).delete()[0] == 1
    assert AuditEvent.objects.filter(pk=second.pk).exists()
