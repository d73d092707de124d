"""Writers in parallel keep one chain (PostgreSQL: the advisory lock serialises appends)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from fanzha.audit.models import AuditEvent
from fanzha.audit.services import audit_record, audit_verify_chain

WRITERS = 4
EACH = 25


def _writer(barrier: threading.Barrier, errors: list[BaseException]) -> None:
    try:
        barrier.wait(timeout=30)
        for i in range(EACH):
            audit_record(actor=None, action="job.enqueue", object_id=str(i))
    except BaseException as exc:  # noqa: BLE001 - reported by the test
        errors.append(exc)
    finally:
        connections.close_all()


@pytest.mark.postgres_only
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite serialises all write transactions itself"
)
def test_it_keeps_one_chain_under_parallel_writers(allow_audit_flush: None) -> None:
    barrier = threading.Barrier(WRITERS)
    errors: list[BaseException] = []
    threads = [threading.Thread(target=_writer, args=(barrier, errors)) for _ in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    prev_hashes = list(AuditEvent.objects.values_list("prev_hash", flat=True))
    assert len(prev_hashes) == WRITERS * EACH
    assert len(set(prev_hashes)) == len(prev_hashes)  # no two records follow the same one: no fork
    report = audit_verify_chain()
    assert report.ok, report
    assert report.checked == WRITERS * EACH
