"""Background tasks of the cases app (registered with the jobs app's worker)."""

from __future__ import annotations

import dataclasses
from typing import Any

from fanzha.cases.measures import clock_check
from fanzha.jobs.registry import JobContext, task


@task("cases.clock_check", label="止付冻结与返还时限检查")
def cases_clock_check(job_context: JobContext) -> dict[str, Any]:
    report = clock_check()
    job_context.progress(
        100,
        f"反馈超时 {report.answers_overdue} 条，提醒 {report.alerted} 条，到期 {report.expired} 条，"
        f"返还提醒 {report.returns_alerted} 条",
    )
    return dataclasses.asdict(report)
