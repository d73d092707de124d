"""The morning reminder of the day's follow-ups (回访): each worker is told how many are due today.

A follow-up is the date the latest contact of a warning set (as :func:`selectors.follow_up_on` reads
it); it is a task on 我的任务 until a contact records it. The daily schedule 预警回访提醒 (08:00 China
time) sends one inbox message a worker, counting theirs due today and those already late, linking to
我的任务. It sends each worker one a day: run again the same day (the scheduler restarted, a manual
run), it tells nobody who has that day's reminder in their inbox already.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone

from fanzha.jobs.models import Notification, NotificationLevel
from fanzha.jobs.services import notify
from fanzha.warnings.models import Contact
from fanzha.warnings.selectors import NO_FOLLOW_UP_OUTCOMES, latest_contacts

TITLE = "预警回访提醒"


@dataclass
class FollowUpReport:
    workers: int = 0  # told by this run
    due: int = 0  # follow-ups due today, of the workers told
    late: int = 0  # follow-ups whose day has passed, of the workers told
    told_already: int = 0  # workers with follow-ups who had today's reminder from an earlier run


def _counts(day: dt.date) -> tuple[Counter[int], Counter[int]]:
    """Per assignee: follow-ups due ``day``, and those due before it not yet made."""
    latest = latest_contacts(OuterRef("warning")).values("id")[:1]
    rows = (  # from the contacts that set a date by then (few), not from every warning
        Contact.objects.filter(follow_up_on__lte=day, warning__assignee__is_active=True)
        .exclude(warning__outcome__in=NO_FOLLOW_UP_OUTCOMES)  # no 回访 left
        .filter(id=Subquery(latest))
        .values_list("warning__assignee_id", "follow_up_on")
    )
    due: Counter[int] = Counter()
    late: Counter[int] = Counter()
    for assignee, when in rows.iterator(chunk_size=2000):
        (due if when == day else late)[assignee] += 1
    return due, late


def _told_on(day: dt.date) -> set[int]:
    """The users who were sent the reminder on ``day`` (China time) already: its inbox rows tell."""
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    sent = Notification.objects.filter(
        title__startswith=f"{TITLE}：", created_at__gte=start, created_at__lt=start + dt.timedelta(days=1)
    )
    return set(sent.values_list("recipient_id", flat=True))


def follow_up_remind(now: dt.datetime | None = None) -> FollowUpReport:
    """One message a worker with follow-ups due today or late, once a day: a worker told today already
    is not told again."""
    day = timezone.localdate(now or timezone.now())
    due, late = _counts(day)
    already = _told_on(day) & (set(due) | set(late))
    users = get_user_model().objects.in_bulk((set(due) | set(late)) - already)
    link = reverse("warning_mine")
    for pk, user in users.items():
        parts = [f"今天 {due[pk]} 条"] if due[pk] else []
        parts += [f"已逾期 {late[pk]} 条"] if late[pk] else []
        notify(
            recipients=[user],
            title=f"{TITLE}：{'，'.join(parts)}",
            body="请在“我的任务”中查看并记录回访情况。",
            link=link,
            level=NotificationLevel.WARNING if late[pk] else NotificationLevel.INFO,
        )
    return FollowUpReport(
        workers=len(users),
        due=sum(due[pk] for pk in users),
        late=sum(late[pk] for pk in users),
        told_already=len(already),
    )
