"""Two intakes at once (two files, two batch pushes, two single pushes) receive each warning once.

On SQLite every writing transaction begins IMMEDIATE, so intakes queue one behind the other. On
PostgreSQL both would read "not received yet" and both write: the second failed on the unique source
id (a 500 for a repeated batch push, a failed import for a repeated file) or, for one person in two
lists, made a second person and warning. Intakes take one lock there too.

The assignees' notices are written inside the intake's transaction, at its end: they commit with it, so
the next intake beginning right after the commit finds nothing of the first still to be written (once
written after the commit, in a transaction of their own, they failed behind the next writer).
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
from fanzha.jobs.models import Notification
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


def test_a_push_whose_notices_cannot_be_written_is_not_received_and_its_retry_is(
    allow_audit_flush: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The notices are written in the push's transaction: one that fails fails the push, nothing of it
    committed, so the partner's retry is received (and told), never answered "unchanged" untold."""
    pushed = _batch_pusher()

    def busy(*args: Any) -> None:
        raise OperationalError("disk I/O error")

    with monkeypatch.context() as patched:
        patched.setattr(notify, "notify_assigned", busy)
        patched.setattr(notify, "_notify_many", busy)
        with pytest.raises(OperationalError):
            pushed()
    assert not WarningSourceRef.objects.exists() and not Notification.objects.exists()
    result = pushed()
    assert result.ok and {item.outcome for item in result.items} == {"received"}
    assert WarningSourceRef.objects.count() == 20
    assert Notification.objects.exists()


def test_the_next_push_beginning_right_after_the_first_commits_finds_its_notices_written(
    allow_audit_flush: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The order in which the race above once failed: the first push commits and the second begins its
    transaction at once. The first's notices were then still to be written, in a transaction of their
    own that the second's write lock refused ("table is locked"; on a deployed SQLite, behind a big
    file, past the busy timeout). Now they are written before the first commits: when the second holds
    the intake, they are there, and the first has nothing left to write."""
    pushed = _batch_pusher()
    first: list[int] = []  # the thread that took the intake first
    seen: list[int] = []  # the notices the second found when it held the intake
    late: list[int] = []  # notices the fallback still had to write after a commit
    lock, send = bulk.lock_intake, notify.AssignmentNotices.send

    def holds_the_intake() -> None:
        lock()
        if not first:
            first.append(threading.get_ident())
        elif threading.get_ident() != first[0] and not seen:
            seen.append(Notification.objects.count())

    def sent(self: notify.AssignmentNotices) -> None:
        if not connections["default"].in_atomic_block:
            late.extend(self.by_user)
        return send(self)

    monkeypatch.setattr(bulk, "lock_intake", holds_the_intake)
    monkeypatch.setattr(notify.AssignmentNotices, "send", sent)
    results = _race([pushed, pushed])
    assert not [r for r in results if isinstance(r, BaseException)], results
    outcomes = sorted({item.outcome for item in r.items}.pop() for r in results)
    assert outcomes == ["received", "unchanged"]
    assert WarningSourceRef.objects.count() == 20
    assert seen and seen[0] > 0 and seen[0] == Notification.objects.count()
    assert late == []
