"""Working days: statutory holidays and 调休 from chinese_calendar, centre overrides on top."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied

from fanzha.audit.models import AuditEvent
from fanzha.jobs.models import CalendarDay
from fanzha.jobs.services import calendar_day_clear, calendar_day_set
from fanzha.jobs.workdays import add_working_days, is_working_day, month_weeks, working_days_between


def test_it_knows_national_day_and_its_make_up_working_day(db) -> None:  # type: ignore[no-untyped-def]
    assert is_working_day(date(2025, 10, 1)) is False
    assert is_working_day(date(2025, 9, 28)) is True  # a Sunday worked in exchange (调休)
    assert is_working_day(date(2025, 9, 30)) is True
    assert is_working_day(date(2025, 9, 27)) is False  # an ordinary Saturday


def test_it_lets_an_override_flip_a_day(world) -> None:  # type: ignore[no-untyped-def]
    leader = world.users["leader"]
    calendar_day_set(actor=leader, day=date(2025, 10, 1), is_working_day=True, name="国庆值班")
    calendar_day_set(actor=leader, day=date(2025, 9, 29), is_working_day=False, name="中心调休")
    assert is_working_day(date(2025, 10, 1)) is True
    assert is_working_day(date(2025, 9, 29)) is False
    event = AuditEvent.objects.filter(action="calendar.update").first()
    assert event is not None and event.details["date"] == "2025-09-29"
    assert calendar_day_clear(actor=leader, day=date(2025, 10, 1)) is True
    assert is_working_day(date(2025, 10, 1)) is False
    assert AuditEvent.objects.filter(action="calendar.update").count() == 3


def test_it_lets_only_calendar_editors_override(world) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(PermissionDenied):
        calendar_day_set(actor=world.users["grid_cd"], day=date(2025, 10, 1), is_working_day=True)
    assert not CalendarDay.objects.exists()


def test_it_adds_working_days_across_the_national_day_holiday(db) -> None:  # type: ignore[no-untyped-def]
    assert add_working_days(date(2025, 9, 30), 1) == date(2025, 10, 9)
    assert add_working_days(date(2025, 9, 26), 1) == date(2025, 9, 28)
    assert add_working_days(date(2025, 9, 30), 3) == date(2025, 10, 11)  # Saturday 11th is worked too
    assert add_working_days(date(2025, 10, 9), -1) == date(2025, 9, 30)
    assert add_working_days(date(2025, 10, 3), 0) == date(2025, 10, 3)


def test_it_counts_working_days_between_two_dates(db) -> None:  # type: ignore[no-untyped-def]
    assert working_days_between(date(2025, 9, 30), date(2025, 10, 9)) == 1
    assert working_days_between(date(2025, 10, 9), date(2025, 9, 30)) == -1
    start = date(2025, 9, 15)
    for n in (1, 5, 17, 40):
        assert working_days_between(start, add_working_days(start, n)) == n


def test_it_honours_overrides_when_adding_days(world) -> None:  # type: ignore[no-untyped-def]
    calendar_day_set(actor=world.users["analyst"], day=date(2025, 10, 2), is_working_day=True, name="值班")
    assert add_working_days(date(2025, 9, 30), 1) == date(2025, 10, 2)
    assert working_days_between(date(2025, 9, 30), date(2025, 10, 9)) == 2


def test_it_falls_back_to_monday_to_friday_for_unknown_years(db) -> None:  # type: ignore[no-untyped-def]
    monday = date(2099, 1, 5)
    assert monday.weekday() == 0
    assert [is_working_day(monday + timedelta(days=i)) for i in range(7)] == [True] * 5 + [False] * 2
    assert add_working_days(monday + timedelta(days=4), 1) == monday + timedelta(days=7)


def test_it_marks_holidays_and_make_up_days_in_the_month_view(db) -> None:  # type: ignore[no-untyped-def]
    days = {d.date: d for week in month_weeks(2025, 9) for d in week}
    assert days[date(2025, 9, 28)].kind == "makeup" and days[date(2025, 9, 28)].label == "调休上班"
    assert days[date(2025, 10, 1)].kind == "holiday" and days[date(2025, 10, 1)].name == "国庆节"
    assert days[date(2025, 10, 1)].in_month is False
    assert days[date(2025, 9, 27)].kind == "weekend" and days[date(2025, 9, 1)].kind == "workday"
