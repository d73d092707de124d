"""The same file imported twice at the same moment (two analysts uploading the day's pushed list): one
batch imports it, the other is skipped as the same again and changes nothing — as it is a moment later.

Both imports looked for the file among the committed batches before reading it, while neither had
committed: the later one then went on, answered every row "unchanged" and recorded each as pushed
again (a WarningRepush a row, on the feedback list) — a second import that changed things. The file is
now looked for again inside the commit's transaction, behind any other import of the same file (an
advisory lock on PostgreSQL; SQLite's writers already queue).
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.db import connection

from fanzha.imports.models import BatchStatus, ImportBatch
from fanzha.imports.pipeline import ImportResult, batch_create, batch_process, import_run, resolve_importer
from fanzha.warnings import bulk
from fanzha.warnings.models import Warning, WarningRepush, WarningSourceRef
from tests.personas import build_world
from tests.warnings.files import row, warning_csv
from tests.warnings.test_s21_assign_race import _in_thread

LIST = [row(n) for n in range(1, 21)]


def _running(data: bytes, name: str) -> ImportBatch:
    return batch_create(
        actor=None, importer=resolve_importer("warnings"), file_name=name, data=data, dry_run=False
    )


def _assert_imported_once(first: ImportResult, second: ImportResult) -> None:
    assert first.batch.status == BatchStatus.COMMITTED and first.batch.rows_new == 20
    assert second.batch.status == BatchStatus.SKIPPED, (second.batch.status, second.batch.message)
    assert second.batch.message == f"与已导入的批次 #{first.batch.pk} 内容完全相同，未作改动"
    assert second.batch.rows_unchanged == 20 and second.batch.finished_at is not None
    assert Warning.objects.count() == 20
    assert WarningSourceRef.objects.count() == 20
    assert not WarningRepush.objects.exists()  # nothing recorded as pushed again


@pytest.mark.django_db
def test_the_same_file_committed_while_it_was_being_checked_is_skipped(world) -> None:  # type: ignore[no-untyped-def]
    data = warning_csv(LIST)
    first, second = _running(data, "清单.csv"), _running(data, "清单(1).csv")
    committed: list[ImportResult] = []

    def the_first_commits_meanwhile(done: int, total: int) -> None:
        if not committed:
            committed.append(batch_process(first, resolve_importer("warnings"), None, data))

    importer = resolve_importer("warnings")
    result = batch_process(second, importer, None, data, validating=the_first_commits_meanwhile)
    _assert_imported_once(committed[0], result)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite's writers queue at BEGIN IMMEDIATE")
@pytest.mark.django_db(transaction=True)
def test_the_same_file_waits_for_the_other_import_of_it_and_is_skipped(  # type: ignore[no-untyped-def]
    allow_audit_flush, monkeypatch
) -> None:
    """PostgreSQL: the second import comes to its commit while the first is writing; it waits for the
    first (not only for the warning intake's lock, behind which it answered every row unchanged)."""
    build_world()
    data = warning_csv(LIST)
    later: list[Any] = []
    finish = bulk._Writes.finish

    def finish_while_the_same_file_comes(self: bulk._Writes) -> None:
        if not later:
            thread, outcome = _in_thread(
                lambda: import_run(actor=None, importer="warnings", file_name="清单(1).csv", data=data)
            )
            time.sleep(1.0)  # it has read and checked the file and come to its commit
            later.extend([thread, outcome, thread.is_alive()])
        finish(self)

    monkeypatch.setattr(bulk._Writes, "finish", finish_while_the_same_file_comes)
    first = import_run(actor=None, importer="warnings", file_name="清单.csv", data=data)
    thread, outcome, waited = later
    thread.join(timeout=30)
    assert waited, outcome
    assert len(outcome) == 1 and isinstance(outcome[0], ImportResult), outcome
    _assert_imported_once(first, outcome[0])
