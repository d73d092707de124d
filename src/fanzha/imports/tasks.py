"""The imports app's background tasks: run a queued import, and fail the imports nothing runs any more."""

from __future__ import annotations

from typing import Any

from fanzha.core import conflicts
from fanzha.imports import background
from fanzha.imports.pipeline import failure_message
from fanzha.jobs.queue import JobLost, is_last_attempt
from fanzha.jobs.registry import JobContext, JobFailed, task


@task(background.RUN_TASK, label="导入文件")
def run(job_context: JobContext, batch_id: int) -> dict[str, Any]:
    """Import a queued file; on the last failed attempt the batch is marked failed (a conflict's reason or
    a generic one) and its file deleted. An attempt that will be retried leaves the batch running: the
    next one imports the file, which is still stored."""
    try:
        return background.import_run_queued(batch_id=batch_id, report=job_context.progress)
    except JobLost:
        raise  # cancelled or reclaimed: the queue (and the sweep) decide what happens next
    except Exception as exc:
        if isinstance(exc, JobFailed) or is_last_attempt(job_context.job_id):
            message = failure_message(exc)
            background.import_fail(batch_id=batch_id, message=message, conflict=conflicts.conflict_kind(exc))
        raise


@task(background.SWEEP_TASK, label="清理中断的导入")
def sweep_stale(job_context: JobContext) -> dict[str, int]:
    counts = background.imports_sweep_stale()
    job_context.progress(100, f"已标记中断的导入 {counts['failed']} 个")
    return counts
