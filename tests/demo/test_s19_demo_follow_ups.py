"""The demo's follow-ups (回访) (session 19): a share of the year's 劝阻成功 contacts set a follow-up date,
most of the past ones were made, some are due on the demo's day or soon, a few are late — so 我的任务
and the morning reminder have follow-ups to show, for the demo's field logins too."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from fanzha.core.models import User
from fanzha.demo.build import demo_load
from fanzha.jobs.models import Notification
from fanzha.warnings import selectors
from fanzha.warnings.models import Contact, EventKind, Outcome, Status, Warning, WarningEvent

NOW = dt.datetime(2026, 9, 9, 2, 0, tzinfo=dt.UTC)  # 10:00 in the county: the morning reminder went
TODAY = timezone.localdate(NOW)
FIELD_LOGINS = ("police", "police2", "police3", "police4", "grid", "grid2", "grid3", "grid4")


@pytest.fixture(scope="module")
def year(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    with django_db_blocker.unblock(), transaction.atomic():
        demo_load(now=NOW)
        yield
        transaction.set_rollback(True)


pytestmark = pytest.mark.django_db


def pending() -> Any:
    """Warnings whose latest contact set a follow-up date (a task on 我的任务 until made)."""
    return Warning.objects.annotate(day=selectors.follow_up_on()).filter(day__isnull=False)


def test_a_realistic_share_of_dissuasions_set_a_follow_up(year: None) -> None:
    dissuaded = Warning.objects.filter(outcome=Outcome.DISSUADED)
    with_date = dissuaded.filter(contacts__follow_up_on__isnull=False).distinct().count()
    assert 0.15 * dissuaded.count() < with_date < 0.5 * dissuaded.count()
    dates = Contact.objects.filter(follow_up_on__isnull=False).select_related("warning")
    for contact in dates.order_by("id")[::20]:
        assert contact.outcome == Outcome.DISSUADED
        assert (
            timezone.localdate(contact.contacted_at) < contact.follow_up_on <= TODAY + dt.timedelta(days=31)
        )


def test_most_past_follow_ups_were_made_and_recorded_as_follow_ups(year: None) -> None:
    made = WarningEvent.objects.filter(kind=EventKind.CONTACT, message__startswith="回访")
    set_before_today = Contact.objects.filter(follow_up_on__lt=TODAY).count()
    assert made.count() > 0.8 * set_before_today
    for line in made.select_related("warning").order_by("id")[::15]:
        assert (line.from_status, line.to_status) == (Status.CLOSED, Status.CLOSED)
        contact = Contact.objects.get(pk=line.data["contact"])
        assert contact.follow_up_on is None and contact.contacted_at <= NOW
        assert contact.contacted_at >= line.warning.closed_at
        assert line.warning.status == Status.CLOSED and line.warning.outcome == Outcome.DISSUADED


def test_some_are_due_today_or_soon_and_a_few_late(year: None) -> None:
    days = list(pending().values_list("day", flat=True))
    due_today = sum(1 for day in days if day == TODAY)
    late = [day for day in days if day < TODAY]
    assert due_today >= len(FIELD_LOGINS)
    assert sum(1 for day in days if day > TODAY) >= 15  # about 20 with the default seed
    assert 3 <= len(late) <= 40
    assert min(late) >= TODAY - dt.timedelta(days=14)  # an old follow-up left undone is no demo
    assert set(pending().values_list("status", flat=True)) == {Status.CLOSED}


def test_the_field_logins_have_follow_ups_on_my_tasks(year: None, client: Any) -> None:
    late = 0
    for username in FIELD_LOGINS:
        user = User.objects.get(username=username)
        follow_ups = selectors.mine(user).filter(status=Status.CLOSED)
        assert follow_ups.filter(follow_up_on=TODAY).exists(), username
        late += follow_ups.filter(follow_up_on__lt=TODAY).exists()
    assert late >= len(FIELD_LOGINS) // 2
    client.force_login(User.objects.get(username="grid"))
    assert "回访" in client.get(reverse("warning_mine")).content.decode()


def test_the_morning_reminder_went_to_the_field_logins(year: None) -> None:
    reminders = Notification.objects.filter(title__startswith="预警回访提醒")
    told = set(reminders.values_list("recipient__username", flat=True))
    assert set(FIELD_LOGINS) <= told
    assert reminders.filter(title__contains="已逾期").exists()
    assert all(
        "今天" in title
        for title in reminders.filter(recipient__username="grid").values_list("title", flat=True)
    )
