"""Working days: the statutory calendar (``chinese_calendar``: public holidays and 调休 make-up working
days) with the centre's own overrides (``CalendarDay``) on top.

For a year the package has no data for (it knows 2004 up to its release year), a day is a working day
when it is Monday to Friday — public holidays of that year are then only known through overrides.
"""

from __future__ import annotations

import calendar as std_calendar
from dataclasses import dataclass
from datetime import date, timedelta

import chinese_calendar

from fanzha.jobs.models import CalendarDay

CHUNK_DAYS = 400


def _statutory(day: date) -> tuple[bool, str, bool]:
    """(is working day, holiday name in Chinese, whether the package knows the year)."""
    try:
        working = chinese_calendar.is_workday(day)
        _, holiday = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:
        return day.weekday() < 5, "", False
    name = ""
    if holiday:
        found = next((h for h in chinese_calendar.Holiday if h.value == holiday), None)
        name = getattr(found, "chinese", "") or str(holiday)
    return working, name, True


def statutory_is_working_day(day: date) -> bool:
    """The statutory answer alone (Monday to Friday for years ``chinese_calendar`` does not know)."""
    return _statutory(day)[0]


def _overrides(first: date, last: date) -> dict[date, bool]:
    rows = CalendarDay.objects.filter(date__gte=first, date__lte=last).values_list("date", "is_working_day")
    return dict(rows)


def is_working_day(day: date) -> bool:
    """A centre override for the day if there is one, else the statutory calendar.

    For years ``chinese_calendar`` has no data for, Monday to Friday count as working days.
    """
    override = CalendarDay.objects.filter(date=day).values_list("is_working_day", flat=True).first()
    if override is not None:
        return bool(override)
    return statutory_is_working_day(day)


def _walk(start: date, step: int):  # type: ignore[no-untyped-def]
    """Each day after ``start`` in the direction of ``step``, with whether it is a working day."""
    cursor = start
    while True:
        first, last = sorted((cursor + timedelta(days=step), cursor + timedelta(days=step * CHUNK_DAYS)))
        overrides = _overrides(first, last)
        for _ in range(CHUNK_DAYS):
            cursor += timedelta(days=step)
            working = overrides.get(cursor)
            yield cursor, (statutory_is_working_day(cursor) if working is None else working)


def add_working_days(start: date, n: int) -> date:
    """The date ``n`` working days after ``start`` (before it when ``n`` is negative); ``start``
    itself is not counted, so Friday + 1 is the next Monday when the weekend is off. ``n == 0`` → start."""
    if n == 0:
        return start
    remaining = abs(n)
    for day, working in _walk(start, 1 if n > 0 else -1):
        if working:
            remaining -= 1
            if remaining == 0:
                return day
    raise AssertionError("unreachable")


def working_days_between(a: date, b: date) -> int:
    """Working days in (a, b]: after ``a`` up to and including ``b``; negative when ``b`` is before ``a``.

    The inverse of :func:`add_working_days`: ``working_days_between(a, add_working_days(a, n)) == n``.
    """
    if a == b:
        return 0
    if b < a:
        return -working_days_between(b, a)
    overrides = _overrides(a + timedelta(days=1), b)
    count = 0
    day = a + timedelta(days=1)
    while day <= b:
        working = overrides.get(day)
        count += statutory_is_working_day(day) if working is None else working
        day += timedelta(days=1)
    return count


@dataclass(frozen=True)
class DayInfo:
    date: date
    in_month: bool
    is_working_day: bool
    kind: str  # "workday", "weekend", "holiday", "makeup" (调休上班)
    name: str
    overridden: bool
    note: str = ""
    known_year: bool = True

    @property
    def label(self) -> str:
        return {"workday": "工作日", "weekend": "休息日", "holiday": "节假日", "makeup": "调休上班"}[
            self.kind
        ]


def _kind(day: date, working: bool, holiday_name: str) -> str:
    weekend = day.weekday() >= 5
    if working:
        return "makeup" if weekend else "workday"
    return "holiday" if (holiday_name or not weekend) else "weekend"


def month_weeks(year: int, month: int) -> list[list[DayInfo]]:
    """The weeks (Monday first) covering a month, each day with its working status and why."""
    weeks = std_calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
    first, last = weeks[0][0], weeks[-1][-1]
    entries = {e.date: e for e in CalendarDay.objects.filter(date__gte=first, date__lte=last)}
    result = []
    for week in weeks:
        row = []
        for day in week:
            working, name, known = _statutory(day)
            entry = entries.get(day)
            if entry is not None:
                working, name = entry.is_working_day, entry.name or name
            row.append(
                DayInfo(
                    date=day,
                    in_month=day.month == month,
                    is_working_day=working,
                    kind=_kind(day, working, name),
                    name=name,
                    overridden=entry is not None,
                    note=entry.note if entry else "",
                    known_year=known,
                )
            )
        result.append(row)
    return result
