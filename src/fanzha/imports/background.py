"""Imports that run in the worker, not in the web request.

The upload page takes a quick look at the file (size, format, archive safety, header) and then either
imports a small file at once or stores it encrypted (:class:`ImportUpload`) and queues the job
"imports.run" with only the batch id. The job decrypts the file, runs the one pipeline and deletes the
stored file, whatever the outcome. A batch that is still "running" when nothing runs it any more — its
job failed or was cancelled, or it has no job and is older than :data:`STALE_WITHOUT_JOB` (a killed web
request or ``fanzha import_file``) — is marked failed by :func:`imports_sweep_stale` ("imports.sweep_stale",
run every few minutes by the worker's schedules). The file's rows are written in one transaction, so a
failed batch has written nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from fanzha.core.pii.crypto import PiiDecryptError, decrypt_bytes, encrypt_bytes
from fanzha.imports.columns import header_score
from fanzha.imports.importers.base import Importer
from fanzha.imports.models import BatchStatus, ImportBatch, ImportUpload
from fanzha.imports.pipeline import (
    INTERRUPTED_MESSAGE,
    ImportResult,
    Progress,
    batch_create,
    batch_fail,
    batch_process,
    batch_reject,
    check_allowed,
    failed_on_error,
    import_run,
    missing_columns,
    resolve_importer,
)
from fanzha.imports.readers import ImportFileError, peek_table
from fanzha.jobs.models import FINISHED_STATUSES, JobStatus
from fanzha.jobs.registry import JobFailed
from fanzha.jobs.services import job_enqueue

RUN_TASK = "imports.run"
SWEEP_TASK = "imports.sweep_stale"
INLINE_MAX_ROWS = 2000  # files up to this many rows are imported in the request itself
RUN_MAX_ATTEMPTS = 2  # a worker killed mid-import gets one more go (its payload is still there)
STALE_WITHOUT_JOB = timedelta(hours=6)  # a batch without a job running longer than this was killed

KILLED_MESSAGE = "导入中断：进程被终止，未写入任何数据，请重新导入"
ERROR_MESSAGE = INTERRUPTED_MESSAGE  # as an import run at once says it
CANCELLED_MESSAGE = "导入中断：后台任务已被取消，未写入任何数据，请重新导入"
UNREADABLE_MESSAGE = "导入中断：待导入的文件已无法读取（可能已更换密钥），未写入任何数据，请重新导入"
NO_PERMISSION_MESSAGE = "导入人已没有该类导入的权限，整份文件未导入"

ProgressReport = Callable[[int, str], None]


def upload_context(batch_id: int) -> bytes:
    """Associated data binding an encrypted file to its batch."""
    return f"imports.upload:{batch_id}".encode("ascii")


# ── upload ───────────────────────────────────────────────────────────────────


def import_submit(
    *, actor: Any, importer: str | Importer, file_name: str, data: bytes, dry_run: bool = False
) -> ImportResult:
    """The upload page's entry: reject a bad file at once, import a small one now, queue a large one.

    The returned batch is "running" when the file was queued for the worker.
    """
    imp = resolve_importer(importer)
    check_allowed(actor, imp)
    try:
        peek = peek_table(data, is_header=lambda cells: header_score(cells, imp.fields, imp.extra_missing))
    except ImportFileError as exc:
        return _reject_now(actor, imp, file_name, data, dry_run, str(exc), [])
    problem, unused = missing_columns(imp, peek.header, peek.header_row)
    if problem:
        return _reject_now(actor, imp, file_name, data, dry_run, problem, unused)
    if peek.rows_estimate <= INLINE_MAX_ROWS:
        return import_run(actor=actor, importer=imp, file_name=file_name, data=data, dry_run=dry_run)
    return ImportResult(
        import_enqueue(actor=actor, importer=imp, file_name=file_name, data=data, dry_run=dry_run)
    )


def _reject_now(
    actor: Any, imp: Importer, file_name: str, data: bytes, dry_run: bool, message: str, unused: list[str]
) -> ImportResult:
    batch = batch_create(actor=actor, importer=imp, file_name=file_name, data=data, dry_run=dry_run)
    with failed_on_error(batch):
        return batch_reject(batch, message, unused)


@transaction.atomic
def import_enqueue(
    *, actor: Any, importer: str | Importer, file_name: str, data: bytes, dry_run: bool = False
) -> ImportBatch:
    """A running batch, its file stored encrypted, and the job "imports.run" that will import it."""
    imp = resolve_importer(importer)
    check_allowed(actor, imp)
    batch = batch_create(actor=actor, importer=imp, file_name=file_name, data=data, dry_run=dry_run)
    ImportUpload.objects.create(
        batch=batch, payload=encrypt_bytes(data, context=upload_context(batch.pk)), size=len(data)
    )
    batch.job = job_enqueue(
        actor=actor, kind=RUN_TASK, args={"batch_id": batch.pk}, max_attempts=RUN_MAX_ATTEMPTS
    )
    batch.save(update_fields=["job"])
    return batch


# ── the job ──────────────────────────────────────────────────────────────────


def _validating(report: ProgressReport) -> Progress:
    def validating(done: int, total: int) -> None:
        if done < total:
            report(5 + done * 55 // max(total, 1), f"正在校验：{done}/{total} 行")
        else:
            report(60, f"已校验 {total} 行，正在写入（整份文件一次提交）")

    return validating


def _outcome(batch: ImportBatch) -> dict[str, Any]:
    return {
        "batch_id": batch.pk,
        "status": batch.status,
        "rows": batch.rows_total,
        "new": batch.rows_new,
        "updated": batch.rows_updated,
        "unchanged": batch.rows_unchanged,
        "rejected": batch.rows_rejected,
    }


def import_run_queued(*, batch_id: int, report: ProgressReport) -> dict[str, Any]:
    """The body of "imports.run": import the stored file of a running batch, then delete the file."""
    batch = ImportBatch.objects.select_related("actor").filter(pk=batch_id).first()
    if batch is None:
        return {"batch_id": batch_id, "status": "missing"}
    if batch.status != BatchStatus.RUNNING:  # already settled (a retry after the end, or the sweep)
        ImportUpload.objects.filter(batch_id=batch_id).delete()
        return _outcome(batch)
    upload = ImportUpload.objects.filter(batch_id=batch_id).first()
    try:
        if upload is None:
            raise PiiDecryptError("no payload")
        data = decrypt_bytes(upload.payload, context=upload_context(batch_id))
    except PiiDecryptError:
        import_fail(batch_id=batch_id, message=UNREADABLE_MESSAGE)
        raise JobFailed("待导入的文件已不存在或无法解密") from None
    report(5, "正在读取文件")
    imp = resolve_importer(batch.importer)
    try:
        check_allowed(batch.actor, imp)
    except PermissionDenied:
        result = batch_reject(batch, NO_PERMISSION_MESSAGE)
    else:
        result = batch_process(batch, imp, batch.actor, data, validating=_validating(report))
    ImportUpload.objects.filter(batch_id=batch_id).delete()
    return _outcome(result.batch)


# ── failed and stale batches ─────────────────────────────────────────────────


@transaction.atomic
def import_fail(*, batch_id: int, message: str, **details: Any) -> bool:
    """Mark a running batch failed (it wrote nothing), audited "import.fail", and delete its stored file.

    False when the batch had already ended (it is then left as it is).
    """
    ImportUpload.objects.filter(batch_id=batch_id).delete()
    return batch_fail(batch_id=batch_id, message=message, **details)


def _stale_message(job_status: str | None) -> str:
    return CANCELLED_MESSAGE if job_status == JobStatus.CANCELLED else KILLED_MESSAGE


def imports_sweep_stale(
    *, now: datetime | None = None, older_than: timedelta = STALE_WITHOUT_JOB
) -> dict[str, int]:
    """Fail the running batches nothing runs any more; delete stored files of batches that ended."""
    now = now or timezone.now()
    running = ImportBatch.objects.filter(status=BatchStatus.RUNNING)
    ended_job = running.filter(job__status__in=FINISHED_STATUSES).values_list("pk", "job__status")
    no_job = running.filter(job__isnull=True, created_at__lt=now - older_than).values_list("pk", flat=True)
    stale = [*ended_job, *((pk, None) for pk in no_job)]
    failed = sum(import_fail(batch_id=pk, message=_stale_message(status)) for pk, status in stale)
    discarded, _ = ImportUpload.objects.exclude(batch__status=BatchStatus.RUNNING).delete()
    return {"failed": failed, "discarded": discarded}
