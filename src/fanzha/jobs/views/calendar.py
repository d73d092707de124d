"""The working-day calendar: a month view for everyone; overrides for holders of "calendar.edit"."""

from __future__ import annotations

import re
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from fanzha.core import access
from fanzha.jobs import services, workdays
from fanzha.jobs.forms import CalendarDayForm

MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")
WEEKDAYS = ["一", "二", "三", "四", "五", "六", "日"]


def parse_month(raw: str) -> tuple[int, int]:
    """YYYY-MM from the query string; the current month when absent or invalid."""
    match = MONTH_RE.match(raw or "")
    if match:
        year, month = int(match[1]), int(match[2])
        if 1900 <= year <= 2999 and 1 <= month <= 12:
            return year, month
    today = timezone.localdate()
    return today.year, today.month


def _shift(year: int, month: int, delta: int) -> str:
    index = year * 12 + (month - 1) + delta
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def _page(
    request: HttpRequest, year: int, month: int, form: CalendarDayForm, status: int = 200
) -> HttpResponse:
    weeks = workdays.month_weeks(year, month)
    return render(
        request,
        "jobs/calendar.html",
        {
            "year": year,
            "month": month,
            "weeks": weeks,
            "weekdays": WEEKDAYS,
            "month_value": f"{year:04d}-{month:02d}",
            "previous": _shift(year, month, -1),
            "next": _shift(year, month, 1),
            "known_year": all(d.known_year for w in weeks for d in w if d.in_month),
            "can_edit": access.user_can(request.user, "calendar.edit"),
            "form": form,
        },
        status=status,
    )


@login_required
def calendar(request: HttpRequest) -> HttpResponse:
    year, month = parse_month(request.GET.get("month", ""))
    form = CalendarDayForm(initial={"date": f"{year:04d}-{month:02d}-01", "mode": "holiday"})
    return _page(request, year, month, form)


def _invalid(request: HttpRequest, form: CalendarDayForm) -> HttpResponse:
    """The calendar again, with the errors and what the user typed (status 400)."""
    day = form.cleaned_data.get("date")  # is_valid() has run: cleaned_data holds the valid fields
    if day is not None:
        year, month = day.year, day.month
    else:
        year, month = parse_month(request.POST.get("month", ""))
    return _page(request, year, month, form, status=400)


def _back(day: date) -> HttpResponse:
    return redirect(f"{reverse('calendar')}?month={day:%Y-%m}")


@login_required
@require_POST
def calendar_set_day(request: HttpRequest) -> HttpResponse:
    access.require(request.user, "calendar.edit")
    form = CalendarDayForm(request.POST)
    if not form.is_valid():
        return _invalid(request, form)
    data = form.cleaned_data
    day = data["date"]
    try:
        if data["mode"] == "default":
            services.calendar_day_clear(actor=request.user, day=day)
            messages.success(request, f"{day:%Y-%m-%d} 已恢复法定安排。")
        else:
            services.calendar_day_set(
                actor=request.user,
                day=day,
                is_working_day=data["mode"] == "working",
                name=data["name"],
                note=data["note"],
            )
            messages.success(
                request, f"{day:%Y-%m-%d} 已设为{'工作日' if data['mode'] == 'working' else '休息日'}。"
            )
    except ValidationError as exc:
        form.add_error(None, exc.messages)
        return _invalid(request, form)
    return _back(day)
