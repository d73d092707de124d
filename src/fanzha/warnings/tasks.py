"""Background tasks of the warnings app (registered with the jobs app's worker)."""

from __future__ import annotations

import dataclasses
from typing import Any

from fanzha.jobs.registry import JobContext, task
from fanzha.warnings.escalation import sla_check


@task("warnings.sla_check", label="预警时限检查（提醒与超时升级）")
def warnings_sla_check(job_context: JobContext) -> dict[str, Any]:
    report = sla_check()
    job_context.progress(100, f"提醒 {report.reminded} 条，升级 {report.escalated} 条")
    return dataclasses.asdict(report)
