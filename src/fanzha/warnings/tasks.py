"""Background tasks of the warnings app (registered with the jobs app's worker)."""

from __future__ import annotations

import dataclasses
from typing import Any

from fanzha.jobs.queue import failed_unless_retried
from fanzha.jobs.registry import JobContext, task
from fanzha.warnings import export_jobs
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


@task(export_jobs.RUN_TASK, label="后台导出预警清单或反馈")
def warnings_export(job_context: JobContext, export_id: int) -> dict[str, Any]:
    """Make a queued export; on a failure that will not be retried the export is marked failed."""

    def fail(message: str) -> None:  # a JobFailed's message says why (the requester may no longer export)
        export_jobs.export_fail(export_id=export_id, message=message)

    with failed_unless_retried(job_context.job_id, fail, export_jobs.ERROR):
        return export_jobs.export_run_queued(export_id=export_id, report=job_context.progress)


@task(export_jobs.SWEEP_TASK, label="清理到期的导出文件")
def warnings_exports_sweep(job_context: JobContext) -> dict[str, int]:
    counts = export_jobs.exports_sweep()
    said = f"删除到期文件 {counts['expired']} 个、无主文件 {counts['removed']} 个"
    job_context.progress(100, f"{said}，标记中断的导出 {counts['failed']} 个")
    return counts
