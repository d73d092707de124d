"""An import stopped by an unexpected error settles its batch at once: failed, saying why.

Before: when something raised while the file was committed — a database conflict (PostgreSQL's
deadlock, SQLite's "database is locked"), a full disk, a bug — the file's transaction rolled back
(nothing imported, correct) but the batch row stayed "running" (导入中) until the sweep failed it six
hours later: the uploader and the import list saw a file importing that never would. Now the
synchronous paths (a page's upload, ``fanzha import_file``, ``fanzha warnings import``, a JSON batch
push) mark the batch failed in a fresh short transaction — the conflict's reason, or a generic one that
quotes nothing of the file — and re-raise, so the caller still answers 503, exits 75 or shows its
error. A queued import retried by its job stays running between attempts; its last attempt fails it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.management import call_command
from django.db import OperationalError, connections
from django.urls import reverse
from django.utils import timezone

from fanzha.audit.models import AuditEvent
from fanzha.cli import main as fanzha_main
from fanzha.core import conflicts
from fanzha.core.models import Person
from fanzha.imports import background, pipeline
from fanzha.imports.importers.people import PersonImporter
from fanzha.imports.importers.warnings import WarningImporter
from fanzha.imports.models import BatchStatus, ImportBatch, ImportUpload
from fanzha.imports.pipeline import import_run
from fanzha.jobs.models import Job, JobStatus
from fanzha.warnings.batchpush import warnings_push_batch
from fanzha.warnings.models import Warning
from tests import conflict_errors
from tests.conflict_errors import sqlite_locked
from tests.imports.files import PEOPLE_HEADER, csv_bytes, person_row, unique_people
from tests.imports.test_views import upload
from tests.personas import build_world
from tests.warnings.files import row as warning_row
from tests.warnings.files import warning_csv

SECRET_NAME = "欧阳秘密"
ROWS = [*unique_people(1, 2), person_row(3, name=SECRET_NAME)]
DATA = csv_bytes(PEOPLE_HEADER, ROWS)
SECRET_ID = ROWS[-1][1]


def deadlock() -> OperationalError:
    return conflict_errors.deadlock("deadlock detected: process 4711 waits for ShareLock")


def quoting_error() -> RuntimeError:
    return RuntimeError(f"disk full while writing {SECRET_NAME} {SECRET_ID}")


def break_commit(monkeypatch: pytest.MonkeyPatch, importer: type, error: Callable[[], Exception]) -> None:
    """The importer's commit step writes the first row, then raises ``error()`` at the second."""
    original = importer.commit_row
    calls = {"n": 0}

    def commit_row(self: Any, *, actor: Any, row: Any) -> str:
        calls["n"] += 1
        if calls["n"] >= 2:
            raise error()
        return original(self, actor=actor, row=row)

    monkeypatch.setattr(importer, "commit_row", commit_row)


def the_batch() -> ImportBatch:
    return ImportBatch.objects.get()


def assert_failed(batch: ImportBatch, message: str) -> None:
    assert batch.status == BatchStatus.FAILED
    assert batch.message == message
    assert batch.finished_at is not None
    assert SECRET_NAME not in batch.message and SECRET_ID not in batch.message


# ── import_run: a page's small file, fanzha import_file ─────────────────────


@pytest.mark.parametrize("error", [deadlock, sqlite_locked])
def test_a_conflict_while_committing_fails_the_batch_with_the_conflict_reason(
    world: Any, monkeypatch: pytest.MonkeyPatch, error: Callable[[], Exception]
) -> None:
    break_commit(monkeypatch, PersonImporter, error)
    with pytest.raises(OperationalError) as raised:
        import_run(actor=world.users["leader"], importer="people", file_name="名单.csv", data=DATA)
    assert conflicts.is_conflict(raised.value)  # re-raised as it was: the caller answers "try again"
    assert_failed(the_batch(), pipeline.CONFLICT_MESSAGE)
    assert pipeline.CONFLICT_MESSAGE.startswith("数据库冲突")
    assert pipeline.CONFLICT_MESSAGE.endswith("未导入任何记录，请重新导入")
    assert Person.objects.count() == 2  # the world's two: the first row written was rolled back
    event = AuditEvent.objects.get(action="import.fail")
    assert event.object_id == str(the_batch().pk)
    assert event.details["message"] == pipeline.CONFLICT_MESSAGE
    assert event.details["conflict"] == conflicts.conflict_kind(raised.value)
    assert not AuditEvent.objects.filter(action__in=["import.commit", "import.reject"]).exists()


def test_any_other_error_fails_the_batch_with_a_generic_reason_quoting_nothing(
    world: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    break_commit(monkeypatch, PersonImporter, quoting_error)
    with pytest.raises(RuntimeError, match="disk full"):
        import_run(actor=world.users["leader"], importer="people", file_name="名单.csv", data=DATA)
    assert_failed(the_batch(), pipeline.INTERRUPTED_MESSAGE)
    assert pipeline.INTERRUPTED_MESSAGE.startswith("导入中断：")
    assert "未导入任何记录" in pipeline.INTERRUPTED_MESSAGE
    assert Person.objects.count() == 2
    event = AuditEvent.objects.get(action="import.fail")
    text = str(event.details) + event.object_label
    assert SECRET_NAME not in text and SECRET_ID not in text and "disk full" not in text
    assert event.details["conflict"] == ""


def test_the_same_file_imported_again_after_a_failed_batch_is_imported(
    world: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    with monkeypatch.context() as patch:
        break_commit(patch, PersonImporter, deadlock)
        with pytest.raises(OperationalError):
            import_run(actor=world.users["leader"], importer="people", file_name="名单.csv", data=DATA)
    result = import_run(actor=world.users["leader"], importer="people", file_name="名单.csv", data=DATA)
    assert result.batch.status == BatchStatus.COMMITTED and result.batch.rows_new == 3  # not "重复文件"
    assert Person.objects.count() == 5
    statuses = list(ImportBatch.objects.order_by("pk").values_list("status", flat=True))
    assert statuses == [BatchStatus.FAILED, BatchStatus.COMMITTED]


def test_an_error_while_reading_fails_the_batch_too(world: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise MemoryError

    monkeypatch.setattr(pipeline, "read_table", broken)
    with pytest.raises(MemoryError):
        import_run(actor=world.users["leader"], importer="people", file_name="名单.csv", data=DATA)
    assert_failed(the_batch(), pipeline.INTERRUPTED_MESSAGE)


def test_a_batch_that_cannot_be_settled_leaves_the_error_as_it_was(
    world: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Settling is a second write: when it fails too (the database still locked), the import's own
    error is what the caller gets, and the sweep fails the batch later."""
    break_commit(monkeypatch, PersonImporter, deadlock)

    def locked(**kwargs: Any) -> bool:
        raise sqlite_locked()

    monkeypatch.setattr(pipeline, "batch_fail", locked)
    with pytest.raises(OperationalError, match="deadlock detected"):
        import_run(actor=world.users["leader"], importer="people", file_name="名单.csv", data=DATA)
    assert the_batch().status == BatchStatus.RUNNING


def test_a_dry_run_stopped_by_an_error_is_failed_too(world: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    break_commit(monkeypatch, PersonImporter, deadlock)
    with pytest.raises(OperationalError):
        import_run(
            actor=world.users["leader"], importer="people", file_name="名单.csv", data=DATA, dry_run=True
        )
    assert_failed(the_batch(), pipeline.CONFLICT_MESSAGE)


@pytest.mark.django_db(transaction=True)
def test_the_failed_status_is_committed_on_its_own(
    allow_audit_flush: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Outside any test transaction: the file's transaction rolls back, the batch's failure stays."""
    world = build_world()
    break_commit(monkeypatch, PersonImporter, deadlock)
    with pytest.raises(OperationalError):
        import_run(actor=world.users["leader"], importer="people", file_name="名单.csv", data=DATA)
    assert_failed(the_batch(), pipeline.CONFLICT_MESSAGE)
    assert Person.objects.count() == 2


def test_a_quick_look_rejection_stopped_by_a_conflict_fails_the_batch(
    world: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The upload page's quick look rejects a file without the required columns: its record written
    while another writer held the database is failed like an import's."""
    record = pipeline.audit_record

    def audit_record(**kwargs: Any) -> Any:
        if kwargs["action"] == "import.reject":
            raise sqlite_locked()
        return record(**kwargs)

    monkeypatch.setattr(pipeline, "audit_record", audit_record)
    rows = [r[:1] + r[2:] for r in unique_people(1, 3)]
    with pytest.raises(OperationalError):
        background.import_submit(
            actor=world.users["leader"],
            importer="people",
            file_name="名单.csv",
            data=csv_bytes(["备注", *PEOPLE_HEADER[2:]], rows),
        )
    assert_failed(the_batch(), pipeline.CONFLICT_MESSAGE)


# ── the callers still answer as before ───────────────────────────────────────


def test_a_page_upload_stopped_by_a_conflict_answers_503_and_the_batch_is_failed(
    world: Any, client: Any, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    settings.DEBUG = False
    break_commit(monkeypatch, PersonImporter, deadlock)
    client.force_login(world.users["leader"])
    response = upload(client, "people", DATA)
    assert response.status_code == 503
    assert_failed(the_batch(), pipeline.CONFLICT_MESSAGE)
    page = client.get(reverse("import_list")).content.decode()
    assert "导入中断" in page


def test_fanzha_warnings_import_stopped_by_a_conflict_exits_75_and_fails_the_batch(
    world: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    break_commit(monkeypatch, WarningImporter, sqlite_locked)
    # The command line closes every connection as it ends: the test's own (its transaction, on
    # PostgreSQL) must stay open to read the batch after it.
    monkeypatch.setattr(connections, "close_all", lambda: None)
    file = tmp_path / "预警.csv"
    file.write_bytes(warning_csv([warning_row(1), warning_row(2), warning_row(3)]))
    with pytest.raises(SystemExit) as exited:
        fanzha_main(["warnings", "--skip-checks", "import", str(file)])
    assert exited.value.code == conflicts.EXIT_CODE
    assert_failed(the_batch(), pipeline.CONFLICT_MESSAGE)
    assert not Warning.objects.exists()


def test_a_json_batch_push_stopped_by_an_error_fails_its_batch(
    world: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    fields = ["source_id", "name", "id_number", "phone", "address", "fraud_type", "source", "warned_at"]
    items = [{k: str(v) for k, v in zip(fields, warning_row(n)[: len(fields)], strict=True)} for n in (1, 2)]
    with monkeypatch.context() as patch:
        break_commit(patch, WarningImporter, quoting_error)
        with pytest.raises(RuntimeError):
            warnings_push_batch(actor=world.users["leader"], items=items)
    assert_failed(the_batch(), pipeline.INTERRUPTED_MESSAGE)
    assert not Warning.objects.exists()
    result = warnings_push_batch(actor=world.users["leader"], items=items)
    assert result.ok and Warning.objects.count() == 2


# ── the queued import: retried by its job ────────────────────────────────────

LARGE = csv_bytes(PEOPLE_HEADER, unique_people(1, 4))


def queued(world: Any) -> ImportBatch:
    return background.import_enqueue(
        actor=world.users["leader"], importer="people", file_name="名单.csv", data=LARGE
    )


def run_again(job: Job) -> None:
    Job.objects.filter(pk=job.pk).update(run_at=timezone.now())
    call_command("worker", "--once")


def test_a_queued_import_stopped_by_a_conflict_stays_running_for_its_retry(
    world: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    batch = queued(world)
    with monkeypatch.context() as patch:
        break_commit(patch, PersonImporter, deadlock)
        call_command("worker", "--once")
    batch.refresh_from_db()
    job = Job.objects.get(pk=batch.job_id)
    assert job.status == JobStatus.QUEUED and job.attempts == 1
    assert batch.status == BatchStatus.RUNNING  # not failed: the next attempt imports it
    assert ImportUpload.objects.filter(batch=batch).exists() and Person.objects.count() == 2
    assert not AuditEvent.objects.filter(action="import.fail").exists()
    run_again(job)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.COMMITTED and Person.objects.count() == 6


def test_a_queued_import_stopped_by_a_conflict_on_its_last_attempt_says_so(
    world: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    batch = queued(world)
    break_commit(monkeypatch, PersonImporter, deadlock)
    call_command("worker", "--once")
    job = Job.objects.get(pk=batch.job_id)
    run_again(job)
    batch.refresh_from_db()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.attempts == 2
    assert_failed(batch, pipeline.CONFLICT_MESSAGE)
    assert not ImportUpload.objects.exists() and Person.objects.count() == 2
    assert AuditEvent.objects.filter(action="import.fail").count() == 1
