"""The morning reminder of the day's follow-ups (预警回访提醒) is sent once a worker and day: run again
the same day (the scheduler restarted, the job run by hand) it sent every worker a second message."""

from __future__ import annotations

import datetime as dt

from django.core.management import call_command
from django.utils import timezone

from fanzha.jobs.models import Job, JobStatus, Notification
from fanzha.jobs.services import job_enqueue
from fanzha.warnings.follow_ups import follow_up_remind
from fanzha.warnings.models import Status, Warning
from fanzha.warnings.workflow import ContactData, warning_acknowledge, warning_contact_record
from tests.warnings.helpers import make_warning

REMINDER = "预警回访提醒"


def _follow_up_today(world, n: int, username: str = "grid_cd") -> Warning:  # type: ignore[no-untyped-def]
    """Warning ``n`` reached by ``username``, who set its follow-up (回访) for today."""
    worker = world.users[username]
    warning = make_warning(n)
    if warning.assignee != worker:
        Warning.objects.filter(pk=warning.pk).update(assignee=worker, organisation=worker.organisation)
        warning.refresh_from_db()
    warning_acknowledge(actor=worker, warning=warning, version=warning.version)
    data = ContactData(kind="call", outcome="refused", follow_up_on=timezone.localdate())
    warning_contact_record(actor=worker, warning=Warning.objects.get(pk=warning.pk), data=data)
    contacted = Warning.objects.get(pk=warning.pk)
    assert contacted.status == Status.CONTACTED
    return contacted


def _reminders(username: str) -> list[str]:
    notices = Notification.objects.filter(recipient__username=username, title__startswith=REMINDER)
    return list(notices.values_list("title", flat=True))


def test_a_second_run_the_same_day_sends_nothing(world) -> None:  # type: ignore[no-untyped-def]
    _follow_up_today(world, 1)
    first, second = follow_up_remind(), follow_up_remind()
    assert _reminders("grid_cd") == ["预警回访提醒：今天 1 条"]
    assert (first.workers, first.due, first.told_already) == (1, 1, 0)
    assert (second.workers, second.due, second.late, second.told_already) == (0, 0, 0, 1)


def test_the_scheduled_job_run_twice_the_same_day_reminds_once(world) -> None:  # type: ignore[no-untyped-def]
    _follow_up_today(world, 1)
    for _ in range(2):
        job = job_enqueue(actor=None, kind="warnings.follow_up_remind")
        call_command("worker", "--once")
        assert Job.objects.get(pk=job.pk).status == JobStatus.SUCCEEDED
    assert _reminders("grid_cd") == ["预警回访提醒：今天 1 条"]
    again = Job.objects.get(pk=job.pk)
    assert again.result["workers"] == 0 and again.result["told_already"] == 1
    assert again.progress_message.endswith("；1 人今天已提醒过，未再发送")


def test_a_worker_not_yet_told_today_is_told_by_the_second_run(world) -> None:  # type: ignore[no-untyped-def]
    _follow_up_today(world, 1)
    assert follow_up_remind().workers == 1
    _follow_up_today(world, 2, username="police_cg")  # set after the morning's run
    second = follow_up_remind()
    assert _reminders("grid_cd") == ["预警回访提醒：今天 1 条"]
    assert _reminders("police_cg") == ["预警回访提醒：今天 1 条"]
    assert (second.workers, second.told_already) == (1, 1)


def test_yesterdays_reminder_does_not_stop_todays(world) -> None:  # type: ignore[no-untyped-def]
    _follow_up_today(world, 1)
    assert follow_up_remind().workers == 1
    yesterday = timezone.now() - dt.timedelta(days=1)
    Notification.objects.filter(title__startswith=REMINDER).update(created_at=yesterday)
    assert follow_up_remind().workers == 1
    assert len(_reminders("grid_cd")) == 2
