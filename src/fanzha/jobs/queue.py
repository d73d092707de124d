"""The queue itself: claim a due job, run it, retry with back-off, reclaim jobs of dead workers.

Claiming is safe with several workers: on PostgreSQL ``SELECT … FOR UPDATE SKIP LOCKED``; on SQLite
(one writer at a time) an atomic conditional ``UPDATE … WHERE id=? AND status='queued'`` whose row
count says whether this worker won the job.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from fanzha.audit import context as audit_context
from fanzha.core import conflicts
from fanzha.core.pii.masking import scrub_text
from fanzha.jobs import registry
from fanzha.jobs.models import Job, JobStatus

logger = logging.getLogger("fanzha.jobs")

RETRY_BASE_SECONDS = 30
RETRY_MAX_SECONDS = 3600
CLAIM_CANDIDATES = 10


def retry_delay(attempts: int) -> timedelta:
    """Back-off after the ``attempts``-th failed run: 30 s, 60 s, 120 s, … capped at one hour."""
    exponent = max(attempts - 1, 0)
    return timedelta(seconds=min(RETRY_BASE_SECONDS * 2 ** min(exponent, 20), RETRY_MAX_SECONDS))


def _due(now: datetime) -> Any:
    return Job.objects.filter(status=JobStatus.QUEUED, run_at__lte=now).order_by("run_at", "id")


def _take(job_id: int, worker_id: str, now: datetime) -> int:
    return Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING,
        locked_by=worker_id,
        attempts=F("attempts") + 1,
        started_at=now,
        heartbeat_at=now,
        finished_at=None,
        progress=0,
        progress_message="",
    )


def _claim_skip_locked(worker_id: str, now: datetime) -> int | None:
    with transaction.atomic():
        job_id = _due(now).select_for_update(skip_locked=True).values_list("pk", flat=True).first()
        if job_id is None or _take(job_id, worker_id, now) != 1:
            return None
        return int(job_id)


def _claim_conditional(worker_id: str, now: datetime) -> int | None:
    for job_id in list(_due(now).values_list("pk", flat=True)[:CLAIM_CANDIDATES]):
        if _take(job_id, worker_id, now) == 1:
            return int(job_id)
    return None


def job_claim(worker_id: str, now: datetime | None = None) -> Job | None:
    """Take the next due job for this worker, or None when nothing is due."""
    now = now or timezone.now()
    if connection.features.has_select_for_update_skip_locked:
        job_id = _claim_skip_locked(worker_id, now)
    else:
        job_id = _claim_conditional(worker_id, now)
    return None if job_id is None else Job.objects.get(pk=job_id)


class JobLost(Exception):  # noqa: N818
    """The job is no longer this worker's (cancelled, or reclaimed after a missed heartbeat)."""


def is_last_attempt(job_id: int) -> bool:
    found = Job.objects.filter(pk=job_id).values_list("attempts", "max_attempts").first()
    return found is None or found[0] >= found[1]


@contextmanager
def failed_unless_retried(job_id: int, fail: Callable[[str], object], generic: str) -> Iterator[None]:
    """Run a task's work on a queued record; a failure that will not be retried marks the record failed
    (``fail(message)``): a :class:`~fanzha.jobs.registry.JobFailed` with its own message (why, in
    Chinese), any other error on the job's last attempt with ``generic``. An attempt that will be retried
    leaves the record as it is, and a lost job (cancelled, reclaimed) is the queue's to settle."""
    try:
        yield
    except JobLost:
        raise
    except registry.JobFailed as exc:
        fail(str(exc) or generic)
        raise
    except Exception:
        if is_last_attempt(job_id):
            fail(generic)
        raise


class RunContext:
    """Given to a task as ``job_context``: reports progress and keeps the heartbeat fresh."""

    def __init__(self, job: Job, worker_id: str) -> None:
        self.job_id = job.pk
        self.worker_id = worker_id

    def _mine(self) -> Any:
        return Job.objects.filter(pk=self.job_id, status=JobStatus.RUNNING, locked_by=self.worker_id)

    def progress(self, pct: int, message: str = "") -> None:
        pct = max(0, min(100, int(pct)))
        text = scrub_text(message)[:200]
        if not self._mine().update(progress=pct, progress_message=text, heartbeat_at=timezone.now()):
            raise JobLost(f"job {self.job_id} is no longer held by this worker")

    def heartbeat(self) -> bool:
        return bool(self._mine().update(heartbeat_at=timezone.now()))


def _error_text(exc: BaseException) -> str:
    kind = conflicts.conflict_kind(exc)
    if kind:  # the database's own words (process ids, relations) tell the reader nothing
        return f"{conflicts.JOB_MESSAGE}（{kind}）"
    summary = "".join(traceback.format_exception_only(type(exc), exc)).strip()
    return scrub_text(summary)[:2000]


def _finish(job: Job, worker_id: str, **values: Any) -> bool:
    values.setdefault("finished_at", timezone.now())
    updated = Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING, locked_by=worker_id).update(
        locked_by="", **values
    )
    return updated == 1


def _on_failure(job: Job, worker_id: str, exc: BaseException) -> str:
    error = _error_text(exc)
    permanent = isinstance(exc, registry.JobFailed)
    if permanent or job.attempts >= job.max_attempts:
        _finish(job, worker_id, status=JobStatus.FAILED, last_error=error)
        return JobStatus.FAILED
    run_at = timezone.now() + retry_delay(job.attempts)
    _finish(job, worker_id, status=JobStatus.QUEUED, last_error=error, run_at=run_at, finished_at=None)
    return JobStatus.QUEUED


def _jsonable(result: Any) -> Any:
    if result is None or isinstance(result, dict | list | str | int | float | bool):
        return result
    return {"value": str(result)}


def job_execute(job: Job, worker_id: str) -> str:
    """Run a claimed job with the audit channel "worker"; returns the job's new status."""
    found = registry.get_task(job.kind)
    log = {"job_id": job.pk, "kind": job.kind, "attempt": job.attempts}
    token = audit_context.bind(audit_context.AuditContext(channel="worker", request_id=f"job-{job.pk}"))
    try:
        if found is None:
            raise registry.JobFailed(f"未注册的任务类型：{job.kind}")
        logger.info("job started", extra=log)
        result = found.fn(RunContext(job, worker_id), **job.args)
    except JobLost:
        logger.warning("job lost", extra=log)
        return Job.objects.filter(pk=job.pk).values_list("status", flat=True).first() or ""
    except Exception as exc:
        # A database conflict is transient: like any other error it is retried with back-off while
        # attempts remain (the task itself decides what its last attempt leaves behind).
        status = _on_failure(job, worker_id, exc)
        problem = {"error": type(exc).__name__, "conflict": conflicts.conflict_kind(exc)}
        logger.warning("job failed", extra={**log, "status": status, **problem})
        return status
    else:
        values = {"result": _jsonable(result), "progress": 100, "last_error": ""}
        if not _finish(job, worker_id, status=JobStatus.SUCCEEDED, **values):
            logger.warning("job finished after it was taken away", extra=log)
            return Job.objects.filter(pk=job.pk).values_list("status", flat=True).first() or ""
        logger.info("job succeeded", extra=log)
        return JobStatus.SUCCEEDED
    finally:
        audit_context.reset(token)


def jobs_reclaim_stale(now: datetime | None = None, stale_seconds: int | None = None) -> dict[str, int]:
    """Running jobs whose worker stopped beating: back to the queue, or failed when out of attempts."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=stale_seconds or settings.WORKER_STALE_SECONDS)
    stale = Job.objects.filter(status=JobStatus.RUNNING, heartbeat_at__lt=cutoff)
    message = "工作进程失联（心跳超时），任务已被收回"
    failed = stale.filter(attempts__gte=F("max_attempts")).update(
        status=JobStatus.FAILED, locked_by="", finished_at=now, last_error=message
    )
    requeued = stale.filter(attempts__lt=F("max_attempts")).update(
        status=JobStatus.QUEUED, locked_by="", run_at=now, last_error=message
    )
    if failed or requeued:
        logger.warning("stale jobs reclaimed", extra={"requeued": requeued, "failed": failed})
    return {"requeued": requeued, "failed": failed}
