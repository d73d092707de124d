"""The `fanzha audit verify` and `fanzha audit purge` commands."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from fanzha.audit.models import AuditEvent
from tests.audit.helpers import guard_dropped, raw, write


def _run(*args: str) -> str:
    out = StringIO()
    call_command("audit", *args, stdout=out)
    return out.getvalue()


def test_it_prints_an_intact_chain(db: None) -> None:
    records = write(5)
    assert _run("verify").strip() == f"audit chain ok: 5 records, head {records[-1].hash}"


def test_it_fails_with_the_first_break(db: None) -> None:
    records = write(5)
    with guard_dropped():
        raw("UPDATE audit_auditevent SET object_id = %s WHERE id = %s", ["99", records[3].pk])
    with pytest.raises(CommandError) as raised:
        _run("verify")
    assert raised.value.returncode == 1
    assert f"audit chain broken at record {records[3].pk} after 3 good records" in str(raised.value)


def test_it_detects_removed_newest_records_with_a_known_head(db: None) -> None:
    records = write(5)
    noted = records[-1].hash
    assert "audit chain ok" in _run("verify", "--known-head", noted)
    with guard_dropped():
        raw("DELETE FROM audit_auditevent WHERE id >= %s", [records[3].pk])
    assert "audit chain ok: 3 records" in _run("verify")  # the chain alone cannot see a cut tail
    with pytest.raises(CommandError) as raised:
        _run("verify", "--known-head", noted)
    assert raised.value.returncode == 1
    assert f"does not contain the known head {noted}" in str(raised.value)


def test_it_purges_expired_records_from_the_command_line(db: None, settings) -> None:  # type: ignore[no-untyped-def]
    settings.AUDIT_RETENTION_DAYS = 365
    write(3, at=timezone.now() - timedelta(days=400))
    write(1)
    assert "deleted 3 records" in _run("purge")
    purge = AuditEvent.objects.get(action="audit.purge")
    assert purge.channel == "cli"
    assert _run("verify").startswith("audit chain ok: 2 records")


def test_it_requires_a_subcommand(db: None) -> None:
    with pytest.raises(CommandError):
        _run()
