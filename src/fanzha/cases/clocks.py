"""The legal clocks of the bank measures, from settings (docs/cases.md cites the rules).

- 紧急止付: in force for ``CASE_STOP_HOURS`` (48 h) from the bank's execution; may be repeated
  ``CASE_STOP_REPEATS`` (2) times (银发〔2016〕86号).
- 冻结: ``CASE_FREEZE_MONTHS`` (6) months from execution, renewable.
- 返还: frozen money returned within ``CASE_RETURN_WORKING_DAYS`` (3) working days of the decision
  (the platform's working-day calendar; 反电信网络诈骗法 art. 20).
- 银行反馈: a request the bank has not answered is overdue ``CASE_STOP_ANSWER_MINUTES`` (30) minutes
  (stop-payment) or ``CASE_FREEZE_ANSWER_HOURS`` (24) hours (freeze) after it was sent. No rule gives
  the minutes (art. 20 asks for 紧急止付 and 快速冻结); the money of an unanswered stop-payment moves on
  within the hour.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from fanzha.jobs.workdays import add_working_days


def add_months(moment: dt.datetime, months: int) -> dt.datetime:
    """The same day and time ``months`` later (the month's last day when it is shorter)."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def stop_expires(executed_at: dt.datetime) -> dt.datetime:
    return executed_at + dt.timedelta(hours=settings.CASE_STOP_HOURS)


def freeze_expires(executed_at: dt.datetime) -> dt.datetime:
    """Months counted on the platform's calendar (China): 08-31 06:00 is 08-30 in UTC, and its six months
    end on 02-28, not 03-01."""
    local = timezone.localtime(executed_at) if timezone.is_aware(executed_at) else executed_at
    return add_months(local, settings.CASE_FREEZE_MONTHS)


def expires(kind: str, executed_at: dt.datetime) -> dt.datetime:
    return stop_expires(executed_at) if kind == "stop" else freeze_expires(executed_at)


def alert_before(kind: str) -> dt.timedelta:
    if kind == "stop":
        return dt.timedelta(hours=settings.CASE_STOP_ALERT_HOURS)
    return dt.timedelta(days=settings.CASE_FREEZE_ALERT_DAYS)


ANSWER_WARN_SHARE = 0.25  # an answer clock turns red in the last quarter of its time


def answer_within(kind: str) -> dt.timedelta:
    """How long the bank has to answer a request of this kind."""
    if kind == "stop":
        return dt.timedelta(minutes=settings.CASE_STOP_ANSWER_MINUTES)
    return dt.timedelta(hours=settings.CASE_FREEZE_ANSWER_HOURS)


def answer_due(kind: str, sent_at: dt.datetime) -> dt.datetime:
    return sent_at + answer_within(kind)


def stop_repeats_left(sequence: int) -> int:
    """How many more times a stop-payment that is the ``sequence``-th of its chain may be repeated."""
    return max(0, settings.CASE_STOP_REPEATS + 1 - sequence)


def return_due(decided_on: dt.date) -> dt.date:
    return add_working_days(decided_on, settings.CASE_RETURN_WORKING_DAYS)


@dataclass(frozen=True)
class Countdown:
    """What a clock shows: time left (negative when run out), and whether to worry."""

    deadline: dt.datetime
    seconds_left: int
    warn: bool

    @property
    def expired(self) -> bool:
        return self.seconds_left <= 0

    @property
    def text(self) -> str:
        left = abs(self.seconds_left)
        days, rest = divmod(left, 86400)
        hours, rest = divmod(rest, 3600)
        minutes = rest // 60
        parts = f"{days}天{hours}小时" if days else f"{hours}小时{minutes}分" if hours else f"{minutes}分"
        return f"已超时 {parts}" if self.expired else f"剩余 {parts}"


def countdown(kind: str, deadline: dt.datetime, now: dt.datetime) -> Countdown:
    left = int((deadline - now).total_seconds())
    return Countdown(deadline=deadline, seconds_left=left, warn=left <= alert_before(kind).total_seconds())


def answer_countdown(kind: str, sent_at: dt.datetime, now: dt.datetime) -> Countdown:
    """The time the bank has left to answer a request sent at ``sent_at``."""
    window = answer_within(kind)
    left = int((sent_at + window - now).total_seconds())
    warn = left <= window.total_seconds() * ANSWER_WARN_SHARE
    return Countdown(deadline=sent_at + window, seconds_left=left, warn=warn)
