"""The jobs app's own tasks: a ping, the audit-log purge and the retention purge."""

from __future__ import annotations

import dataclasses
import inspect
from typing import Any

from django.utils import timezone

from fanzha.jobs import retention
from fanzha.jobs.registry import JobContext, JobFailed, task


@task("jobs.ping", label="检查后台任务进程")
def ping(job_context: JobContext) -> dict[str, Any]:
    job_context.progress(100, "后台任务进程正常")
    return {"ok": True}


def _as_result(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if isinstance(value, bool | int | float | str | dict | list) or value is None:
        return {"deleted": value} if isinstance(value, int) and not isinstance(value, bool) else value
    return {"value": str(value)}


@task("audit.purge_expired", label="审计日志到期清理")
def audit_purge_expired(job_context: JobContext) -> Any:
    try:
        from fanzha.audit.purge import audit_purge_expired as purge
    except ImportError as exc:
        raise JobFailed("审计日志清理功能不可用：未找到 fanzha.audit.purge.audit_purge_expired") from exc
    job_context.progress(5, "正在清理过期审计记录")
    accepted = inspect.signature(purge).parameters
    result = purge(actor=None) if "actor" in accepted else purge()
    job_context.progress(100, "审计日志清理完成")
    return _as_result(result)


@task("retention.purge", label="业务记录到期清理")
def retention_purge(job_context: JobContext) -> dict[str, Any]:
    counts = retention.purge_all(progress=job_context.progress)
    return {"deleted": counts, "expired_sessions": retention.purge_expired_sessions(timezone.now())}
