"""The numbers app's background task: score a queued operator extract."""

from __future__ import annotations

from typing import Any

from fanzha.jobs.queue import failed_unless_retried
from fanzha.jobs.registry import JobContext, task
from fanzha.numbers import background
from fanzha.numbers.services import RUN_TASK


@task(RUN_TASK, label="号码研判")
def run(job_context: JobContext, run_id: int) -> dict[str, Any]:
    """Score the stored files; on a failure that will not be retried the run is marked failed."""

    def fail(message: str) -> None:  # a JobFailed's message says why (UNREADABLE, a file's problem)
        background.numbers_fail(run_id=run_id, message=message)

    with failed_unless_retried(job_context.job_id, fail, background.ERROR):
        return background.numbers_run_queued(run_id=run_id, report=job_context.progress)


@task(background.SWEEP_TASK, label="清理中断的号码研判")
def sweep_stale(job_context: JobContext) -> dict[str, int]:
    counts = background.numbers_sweep_stale()
    job_context.progress(
        100, f"已标记中断的研判 {counts['failed']} 个，清除遗留临时文件夹 {counts['removed']} 个"
    )
    return counts
