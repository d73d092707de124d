"""Tasks used by the jobs tests (registered on import)."""

from __future__ import annotations

import os
import signal
from typing import Any

from fanzha.jobs.registry import JobFailed, task

CALLS: list[dict[str, Any]] = []


@task("tests.add", label="测试：加法")
def add(job_context: Any, a: int, b: int) -> dict[str, int]:
    job_context.progress(50, "计算中")
    CALLS.append({"kind": "tests.add", "a": a, "b": b})
    return {"sum": a + b}


@task("tests.boom", label="测试：总是出错")
def boom(job_context: Any) -> None:
    raise RuntimeError("下游接口返回 500")


@task("tests.refuse", label="测试：不可重试的错误")
def refuse(job_context: Any) -> None:
    raise JobFailed("参数指向的批次不存在")


@task("tests.sigterm", label="测试：运行中收到 SIGTERM")
def sigterm(job_context: Any) -> dict[str, bool]:
    os.kill(os.getpid(), signal.SIGTERM)
    job_context.progress(90, "收到停止信号后仍完成当前任务")
    return {"finished": True}
