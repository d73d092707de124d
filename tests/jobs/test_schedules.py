"""Periodic schedules: enqueued once per period, even when two workers look at the same moment."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from fanzha.jobs.models import Job, Schedule
from fanzha.jobs.schedules import (
    DEFAULT_SCHEDULES,
    SHANGHAI,
    next_daily,
    schedule_seed_defaults,
    schedules_run_due,
)

T0 = datetime(2025, 10, 9, 1, 0, tzinfo=UTC)


def _every_minute(**extra):  # type: ignore[no-untyped-def]
    return Schedule.objects.create(name="每分钟", kind="jobs.ping", every_seconds=60, next_run_at=T0, **extra)


def test_it_enqueues_a_due_schedule_once_per_period(db) -> None:  # type: ignore[no-untyped-def]
    schedule = _every_minute()
    assert schedules_run_due(now=T0 - timedelta(seconds=1)) == []
    assert schedules_run_due(now=T0) == ["每分钟"]
    assert schedules_run_due(now=T0 + timedelta(seconds=30)) == []
    assert Job.objects.filter(kind="jobs.ping").count() == 1
    schedule.refresh_from_db()
    assert schedule.next_run_at == T0 + timedelta(seconds=60)
    assert schedules_run_due(now=T0 + timedelta(seconds=60)) == ["每分钟"]
    assert Job.objects.filter(kind="jobs.ping").count() == 2


def test_it_enqueues_once_when_two_workers_read_the_same_schedule(db) -> None:  # type: ignore[no-untyped-def]
    from fanzha.jobs.schedules import _enqueue_once

    _every_minute()
    seen_by_first = Schedule.objects.get()
    seen_by_second = Schedule.objects.get()
    assert _enqueue_once(seen_by_first, T0) is True
    assert _enqueue_once(seen_by_second, T0) is False
    assert Job.objects.count() == 1


def test_it_skips_missed_periods_instead_of_catching_up(db) -> None:  # type: ignore[no-untyped-def]
    schedule = _every_minute()
    late = T0 + timedelta(hours=3)
    assert schedules_run_due(now=late) == ["每分钟"]
    schedule.refresh_from_db()
    assert schedule.next_run_at == late + timedelta(seconds=60)
    assert Job.objects.count() == 1


def test_it_leaves_disabled_schedules_alone(db) -> None:  # type: ignore[no-untyped-def]
    _every_minute(enabled=False)
    assert schedules_run_due(now=T0 + timedelta(days=1)) == []
    assert not Job.objects.exists()


def test_it_runs_daily_schedules_at_shanghai_time(db) -> None:  # type: ignore[no-untyped-def]
    # 03:00 in Shanghai is 19:00 UTC of the day before.
    assert next_daily(time(3, 0), datetime(2025, 10, 9, 18, 0, tzinfo=UTC)) == datetime(
        2025, 10, 10, 3, 0, tzinfo=SHANGHAI
    )
    assert next_daily(time(3, 0), datetime(2025, 10, 9, 19, 0, tzinfo=UTC)) == datetime(
        2025, 10, 11, 3, 0, tzinfo=SHANGHAI
    )
    start = datetime(2025, 10, 10, 3, 0, tzinfo=SHANGHAI)
    schedule = Schedule.objects.create(name="每日", kind="jobs.ping", daily_at=time(3, 0), next_run_at=start)
    assert schedules_run_due(now=start + timedelta(minutes=1)) == ["每日"]
    schedule.refresh_from_db()
    assert schedule.next_run_at == datetime(2025, 10, 11, 3, 0, tzinfo=SHANGHAI)


def test_it_seeds_the_default_schedules_once(db) -> None:  # type: ignore[no-untyped-def]
    schedule_seed_defaults(now=T0)
    Schedule.objects.filter(kind="retention.purge").update(enabled=False)
    schedule_seed_defaults(now=T0)
    kinds = dict(Schedule.objects.values_list("kind", "enabled"))
    assert kinds == {
        "audit.purge_expired": True,
        "retention.purge": False,
        "imports.sweep_stale": True,
        "numbers.sweep_stale": True,
        "warnings.exports_sweep": True,
        "warnings.sla_check": True,
        "warnings.follow_up_remind": True,
        "cases.clock_check": True,
    }
    assert Schedule.objects.count() == len(DEFAULT_SCHEDULES)
    assert all(s.next_run_at > T0 for s in Schedule.objects.all())
