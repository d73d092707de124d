"""Periodic schedules: each due schedule is enqueued exactly once per period, even with several workers.

A worker moves ``next_run_at`` forward with a conditional UPDATE (``WHERE next_run_at = <the value it
read>``) and enqueues only when that update changed a row; a second worker's update then matches nothing.
"""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from fanzha.jobs import registry
from fanzha.jobs.models import Schedule
from fanzha.jobs.services import job_enqueue

logger = logging.getLogger("fanzha.jobs")
SHANGHAI = ZoneInfo("Asia/Shanghai")

# name → (kind, daily time in Asia/Shanghai, or an interval in seconds)
DEFAULT_SCHEDULES: dict[str, tuple[str, time | int]] = {
    "审计日志到期清理": ("audit.purge_expired", time(3, 0)),
    "业务记录到期清理": ("retention.purge", time(3, 30)),
    "中断导入清理": ("imports.sweep_stale", 600),
    "中断研判清理": ("numbers.sweep_stale", 600),
    "导出文件到期清理": ("warnings.exports_sweep", 600),
    "预警时限检查": ("warnings.sla_check", 60),
    "预警回访提醒": ("warnings.follow_up_remind", time(8, 0)),
    "止付冻结时限检查": ("cases.clock_check", 300),
}


def next_daily(at: time, after: datetime) -> datetime:
    """The first moment strictly after ``after`` when the Shanghai clock shows ``at``."""
    local = after.astimezone(SHANGHAI)
    candidate = datetime.combine(local.date(), at, tzinfo=SHANGHAI)
    if candidate <= local:
        candidate = datetime.combine(local.date() + timedelta(days=1), at, tzinfo=SHANGHAI)
    return candidate


def next_run(schedule: Schedule, now: datetime) -> datetime:
    """The run after the current one; periods missed while no worker ran are skipped, not caught up."""
    if schedule.daily_at is not None:
        return next_daily(schedule.daily_at, now)
    step = timedelta(seconds=schedule.every_seconds or 60)
    following = schedule.next_run_at + step
    return following if following > now else now + step


def _period(at: time | int, now: datetime) -> dict[str, Any]:
    if isinstance(at, time):
        return {"daily_at": at, "next_run_at": next_daily(at, now)}
    return {"every_seconds": at, "next_run_at": now + timedelta(seconds=at)}


def schedule_seed_defaults(now: datetime | None = None) -> list[Schedule]:
    """Create the default schedules that are missing (idempotent; existing ones are left as they are)."""
    now = now or timezone.now()
    seeded = []
    for name, (kind, at) in DEFAULT_SCHEDULES.items():
        schedule, _ = Schedule.objects.get_or_create(name=name, defaults={"kind": kind, **_period(at, now)})
        seeded.append(schedule)
    return seeded


def _enqueue_once(schedule: Schedule, now: datetime) -> bool:
    known = registry.is_registered(schedule.kind)
    with transaction.atomic():
        moved = Schedule.objects.filter(
            pk=schedule.pk, enabled=True, next_run_at=schedule.next_run_at
        ).update(next_run_at=next_run(schedule, now), last_enqueued_at=now if known else None)
        if moved != 1:
            return False
        if not known:
            logger.warning("schedule names an unknown task", extra={"schedule_id": schedule.pk})
            return False
        job_enqueue(actor=None, kind=schedule.kind, args=schedule.args)
    return True


def schedules_run_due(now: datetime | None = None) -> list[str]:
    """Enqueue every enabled schedule whose time has come; returns the names enqueued by this call."""
    now = now or timezone.now()
    enqueued = []
    due: Any = Schedule.objects.filter(enabled=True, next_run_at__lte=now).order_by("next_run_at")
    for schedule in list(due):
        try:
            done = _enqueue_once(schedule, now)
        except Exception:
            logger.exception("schedule failed", extra={"schedule_id": schedule.pk, "kind": schedule.kind})
            continue
        if done:
            enqueued.append(schedule.name)
            logger.info("schedule enqueued", extra={"schedule_id": schedule.pk, "kind": schedule.kind})
    return enqueued
