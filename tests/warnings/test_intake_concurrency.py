"""Two intakes at once (two files, two batch pushes, two single pushes) receive each warning once.

On SQLite every writing transaction begins IMMEDIATE, so intakes queue one behind the other. On
PostgreSQL both would read "not received yet" and both write: the second failed on the unique source
id (a 500 for a repeated batch push, a failed import for a repeated file) or, for one person in two
lists, made a second person and warning. Intakes take one lock there too.

The assignees' notices are written once an intake has committed; one that cannot be written then (the
database busy with the next intake) no longer turns the committed intake into an error.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import OperationalError, connections

from fanzha.core.models import Person
from fanzha.imports.models import BatchStatus, ImportBatch
from fanzha.imports.pipeline import import_run
from fanzha.warnings import bulk, notify
from fanzha.warnings.batchpush import warnings_push_batch
from fanzha.warnings.intake import WarningInput
from fanzha.warnings.models import Warning, WarningSourceRef
from fanzha.warnings.services import warning_receive
from tests.personas import build_world
from tests.warnings.files import row, warning_csv
from tests.warnings.helpers import waiting


def _race(calls: list[Callable[[], Any]]) -> list[Any]:
    """Run the calls at the same moment in threads of their own; their results (or exceptions)."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(n: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[n] = waiting(calls[n])
        except BaseException as exc:  # noqa: BLE001 - the test reports it
            results[n] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def _imported(data: bytes, name: str) -> Callable[[], Any]:
    def call() -> Any:
        result = import_run(actor=None, importer="warnings", file_name=name, data=data)
        if result.batch.status == BatchStatus.FAILED and "locked" in result.batch.message:
            raise OperationalError("database table is locked")  # SQLite's test database: wait, retry
        return result

    return call


def test_two_files_imported_at_once_with_the_same_rows_receive_each_warning_once(allow_audit_flush) -> None:  # type: ignore[no-untyped-def]
    build_world()
    people = Person.objects.count()
    rows = [row(n) for n in range(1, 41)]
    first = warning_csv(rows)
    second = warning_csv([*rows, row(41)])  # another file (another hash), the same 40 rows and one more
    results = _race([_imported(first, "a.csv"), _imported(second, "b.csv")])
    assert not [r for r in results if isinstance(r, BaseException)], results
    # (SQLite's test database: a call retried after a late "locked" may find its own file committed.)
    committed = ImportBatch.objects.filter(status=BatchStatus.COMMITTED).order_by("file_name")
    assert [b.file_name for b in committed] == ["a.csv", "b.csv"], [
        (b.file_name, b.status, b.message) for b in ImportBatch.objects.all()
    ]
    assert sorted(b.rows_new for b in committed) in ([1, 40], [0, 41])
    assert Warning.objects.count() == 41
    assert WarningSourceRef.objects.count() == 41
    assert Person.objects.count() == people + 41


def test_one_person_pushed_twice_at_once_is_one_person_with_one_warning(allow_audit_flush) -> None:  # type: ignore[no-untyped-def]
    world = build_world()
    actor = world.users["leader"]
    _ = actor.role_codes, actor.organisation
    people = Person.objects.count()
    same = row(7)
    fields = ["source_id", "name", "id_number", "phone", "address", "fraud_type", "source", "warned_at"]
    base = dict(zip(fields, same[: len(fields)], strict=True))

    def pushed(source: str, source_id: str) -> Callable[[], Any]:
        data = WarningInput(**{**base, "source": source, "source_id": source_id})
        return lambda: warning_receive(actor=actor, data=data)

    results = _race([pushed("上级推送", "P1"), pushed("银行", "B1")])
    assert not [r for r in results if isinstance(r, BaseException)], results
    assert sorted(r.outcome for r in results) == ["merged", "new"]
    assert Person.objects.count() == people + 1
    assert Warning.objects.count() == 1
    assert WarningSourceRef.objects.count() == 2


def _batch_pusher() -> Callable[[], Any]:
    """The leader pushing the same 20 items (new people of the world's areas, each routed to a user)."""
    world = build_world()
    actor = world.users["leader"]
    _ = actor.role_codes, actor.organisation
    fields = ["source_id", "name", "id_number", "phone", "address"]
    items = [{k: str(v) for k, v in zip(fields, row(n)[:5], strict=True)} for n in range(1, 21)]
    return lambda: warnings_push_batch(actor=actor, items=items)


def test_one_batch_pushed_twice_at_once_is_received_once_and_answered_unchanged(allow_audit_flush) -> None:  # type: ignore[no-untyped-def]
    pushed = _batch_pusher()
    results = _race([pushed, pushed])
    assert not [r for r in results if isinstance(r, BaseException)], results
    assert all(r.ok for r in results), [(r.batch.status, r.batch.message) for r in results]
    outcomes = sorted({item.outcome for item in r.items}.pop() for r in results)
    assert outcomes == ["received", "unchanged"]
    assert WarningSourceRef.objects.count() == 20


def test_a_push_is_answered_received_when_its_notices_fail_after_commit(
    allow_audit_flush: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    pushed = _batch_pusher()

    def busy(*args: Any) -> None:
        raise OperationalError("database is locked")

    monkeypatch.setattr(notify, "notify_assigned", busy)
    monkeypatch.setattr(notify, "_notify_many", busy)
    result = pushed()  # was: the error, for a batch committed — the partner's retry then "unchanged"
    assert result.ok and {item.outcome for item in result.items} == {"received"}
    assert WarningSourceRef.objects.count() == 20


def test_the_next_push_beginning_before_the_firsts_notices_leaves_it_received(
    allow_audit_flush: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The order in which the race above once failed, made to happen: the first push commits; the
    second begins its transaction before the first's notices are written (SQLite's test database
    refuses them at once, "table is locked"). The first was answered with that error and, pushed again,
    "unchanged" like the second."""
    pushed = _batch_pusher()
    first: list[int] = []  # the thread that took the intake first
    committed, second_in, tried = threading.Event(), threading.Event(), threading.Event()
    send, lock = notify.AssignmentNotices.send, bulk.lock_intake

    def holds_the_intake() -> None:
        lock()
        if not first:
            first.append(threading.get_ident())
        elif threading.get_ident() != first[0] and not second_in.is_set():
            committed.wait(timeout=10)  # (PostgreSQL: the lock is free at the commit, before the notices)
            second_in.set()
            tried.wait(timeout=10)  # the second's transaction open while the first writes its notices

    def first_notices(self: notify.AssignmentNotices) -> None:
        if threading.get_ident() != first[0] or committed.is_set():
            return send(self)
        committed.set()
        second_in.wait(timeout=10)
        try:
            return send(self)
        finally:
            tried.set()

    monkeypatch.setattr(notify.AssignmentNotices, "send", first_notices)
    monkeypatch.setattr(bulk, "lock_intake", holds_the_intake)
    results = _race([pushed, pushed])
    assert committed.is_set() and second_in.is_set() and tried.is_set()
    assert not [r for r in results if isinstance(r, BaseException)], results
    outcomes = sorted({item.outcome for item in r.items}.pop() for r in results)
    assert outcomes == ["received", "unchanged"]
    assert WarningSourceRef.objects.count() == 20
