"""Background tasks of the warnings app (registered with the jobs app's worker)."""

from __future__ import annotations

import dataclasses
from typing import Any

from fanzha.jobs.registry import JobContext, task
from fanzha.warnings.escalation import sla_check
from fanzha.warnings.follow_ups import follow_up_remind


@task("warnings.sla_check", label="预警时限检查（提醒与超时升级）")
def warnings_sla_check(job_context: JobContext) -> dict[str, Any]:
    report = sla_check()
    job_context.progress(100, f"提醒 {report.reminded} 条，升级 {report.escalated} 条")
    return dataclasses.asdict(report)


@task("warnings.follow_up_remind", label="预警回访提醒（每天早上）")
def warnings_follow_up_remind(job_context: JobContext) -> dict[str, Any]:
    report = follow_up_remind()
    said = f"提醒 {report.workers} 人：今天回访 {report.due} 条，逾期 {report.late} 条"
    if report.told_already:
        said += f"；{report.told_already} 人今天已提醒过，未再发送"
    job_context.progress(100, said)
    return dataclasses.asdict(report)
