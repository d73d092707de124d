"""The sweep's audit records, appended a chunk at a time (``audit_record_each``: one lock, one read of
the chain's end, one insert), while requests append their own records one by one on other connections:
one chain, no fork, every record's hash what ``audit_record`` computes for its values (the chain's own
verification recomputes each). Run on SQLite and on PostgreSQL (the advisory lock)."""

from __future__ import annotations

import threading

import pytest

from fanzha.audit.models import AuditEvent
from fanzha.audit.services import audit_record, audit_verify_chain
from fanzha.warnings import escalation
from fanzha.warnings.escalation import sla_check
from fanzha.warnings.models import Warning
from tests.personas import build_world
from tests.warnings.helpers import make_warning
from tests.warnings.test_escalation_sweep import _shift
from tests.warnings.test_s21_assign_race import _in_thread

pytestmark = pytest.mark.django_db(transaction=True)

BREACHES = 12
REQUESTS = 40


def _requests_writing(stop: threading.Event) -> None:
    """A user's requests, each recording one thing (a personal field read) in a transaction of its own."""
    written = 0
    while written < REQUESTS and not (stop.is_set() and written):
        audit_record(actor=None, action="pii.read", object_type="core.person", object_id=str(written))
        written += 1


def test_the_sweeps_chunks_and_a_requests_records_keep_one_chain(allow_audit_flush, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    build_world()
    monkeypatch.setattr(escalation, "CHUNK", 3)
    numbers = [n for n in range(1, 30) if n % 10][:BREACHES]  # medium ones: 签收 breached, not 联系
    breached = [_shift(make_warning(n, address=f"青溪县城关镇城东社区幸福路{n}号"), 300) for n in numbers]
    before = AuditEvent.objects.count()
    stop = threading.Event()
    writer = _in_thread(lambda: _requests_writing(stop))
    sweep = _in_thread(sla_check)
    sweep[0].join(timeout=120)
    stop.set()
    writer[0].join(timeout=120)

    assert len(sweep[1]) == 1 and not isinstance(sweep[1][0], Exception), sweep[1]
    assert writer[1] == [None], writer[1]
    escalated = AuditEvent.objects.filter(action="warning.escalate")
    assert sorted(escalated.values_list("object_id", flat=True)) == sorted(str(w.pk) for w in breached)
    assert Warning.objects.filter(ack_breached=True).count() == BREACHES
    prev_hashes = list(AuditEvent.objects.values_list("prev_hash", flat=True))
    assert len(set(prev_hashes)) == len(prev_hashes)  # no two records follow the same one: no fork
    report = audit_verify_chain()
    assert report.ok, report
    assert report.checked == AuditEvent.objects.count() > before + BREACHES
