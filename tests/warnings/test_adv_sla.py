"""SLA clocks probed with settings as a centre really writes them and with time at the very deadline.

A misspelt SLA setting must say which entry is wrong and why, not fail an intake later with an overflow
or quietly take the last of two entries; a warning acknowledged at its deadline is on time everywhere —
on the board, in the on-time rate and for the escalation sweep.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ImproperlyConfigured

from fanzha.warnings import selectors, sla
from fanzha.warnings.escalation import sla_check
from fanzha.warnings.models import Warning
from fanzha.warnings.workflow import acknowledge
from tests.warnings.helpers import make_warning

TICK = dt.timedelta(microseconds=1)

# ── settings ─────────────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("value", "said"),
    [
        ("紧急=5/30", "'紧急' is no grade"),
        ("URGENT=5/30", "'URGENT' is no grade"),
        ("urgent=0/30", "urgent: minutes to acknowledge must be at least 1"),
        ("urgent=-5/30", "urgent: minutes to acknowledge must be at least 1"),
        ("urgent=30/5", "urgent: minutes to complete contact (5) must not be fewer than to acknowledge (30)"),
        ("urgent=5/-30", "urgent: minutes to complete contact (-30) must not be fewer than"),
        ("urgent=5/30;high=30/240;urgent=10/60", "urgent is given twice"),
        ("low=99999999999/99999999999", "low: at most 525600 minutes"),
        ("low=1440/9999999", "low: at most 525600 minutes"),
    ],
)
def test_an_sla_setting_that_cannot_be_a_clock_is_refused_saying_why(settings, value, said) -> None:  # type: ignore[no-untyped-def]
    # Before: “bad entry 'urgent=30/5'” without a reason, a grade given twice silently took the last,
    # and minutes past what a date can hold were read and failed every intake of that grade with
    # “OverflowError: date value out of range”.
    settings.WARNING_SLA = value
    with pytest.raises(ImproperlyConfigured, match="FANZHA_WARNING_SLA") as refused:
        sla.sla_table()
    assert said in str(refused.value)


@pytest.mark.parametrize(
    "value", ["urgent=5", "urgent=5.5/30", "urgent=5/30/60", "urgent 5/30", "urgent=五/30"]
)
def test_an_sla_entry_not_written_grade_ack_contact_is_refused(settings, value) -> None:  # type: ignore[no-untyped-def]
    settings.WARNING_SLA = value
    with pytest.raises(ImproperlyConfigured, match="FANZHA_WARNING_SLA: cannot read"):
        sla.sla_table()


def test_an_sla_entry_names_the_grades_it_may_be(settings) -> None:  # type: ignore[no-untyped-def]
    settings.WARNING_SLA = "紧急=5/30"
    with pytest.raises(ImproperlyConfigured, match="urgent, high, medium, low"):
        sla.sla_table()


def test_the_sla_as_configured(settings) -> None:  # type: ignore[no-untyped-def]
    settings.WARNING_SLA = " urgent = 2 / 10 ; low=60/60; "  # spaces and a trailing “;” are fine
    assert sla.sla_table()["urgent"] == (2, 10) and sla.sla_table()["low"] == (60, 60)
    start = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    settings.WARNING_SLA = "low=525600/525600"  # a year: the longest
    assert sla.deadlines("low", start)[1] == start + dt.timedelta(days=365)


@pytest.mark.parametrize("percent", [0, 100, 150, -5])
def test_a_reminder_percent_outside_1_to_99_is_refused(settings, percent) -> None:  # type: ignore[no-untyped-def]
    # Before: 100 or 150 was read as 99 and 0 as 1, silently.
    settings.WARNING_REMIND_PERCENT = percent
    start = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    with pytest.raises(ImproperlyConfigured, match="FANZHA_WARNING_REMIND_PERCENT must be 1 to 99"):
        sla.remind_at(start, start + dt.timedelta(hours=1))


# ── the very deadline ──────────────────────────────────────────────────────────


def _on_time_rate(now: dt.datetime) -> tuple[int, int]:
    """(acknowledged on time, counted) in the statistics' 按时签收率 at ``now``."""
    totals = selectors.summary(Warning.objects.all(), now=now)[0]
    return totals["acked_on_time"], totals["ack_due"]


def test_at_the_very_deadline_to_acknowledge_nothing_is_late_yet(world) -> None:  # type: ignore[no-untyped-def]
    # The sweep escalated at the deadline itself (due <= now) while the board showed time left, the
    # home page and the on-time rate did not count it overdue, and a 签收 at that moment counted on time.
    warning = make_warning(1)
    due = warning.due_ack_at
    assert not Warning.objects.filter(selectors.overdue_q(due)).exists()  # the board and the home page
    assert _on_time_rate(due) == (0, 0)  # not (yet) counted as missed
    assert sla_check(now=due).escalated == 0
    warning.refresh_from_db()
    assert not warning.ack_breached and not warning.escalated
    assert sla_check(now=due + TICK).escalated == 1  # a moment later it is


def test_a_warning_acknowledged_at_its_deadline_is_on_time_everywhere(world) -> None:  # type: ignore[no-untyped-def]
    warning = make_warning(1)
    due = warning.due_ack_at
    assert sla_check(now=due).escalated == 0  # the sweep of that minute ran first
    acknowledge(warning, world.users["grid_cd"], warning.version, due)
    warning.refresh_from_db()
    assert warning.acknowledged_at == due and not warning.escalated
    assert _on_time_rate(due + dt.timedelta(hours=1)) == (1, 1)
    assert sla.ack_kept(warning.due_ack_at, warning.acknowledged_at, due + TICK) == sla.ON_TIME
    assert sla_check(now=due + TICK).escalated == 0


def test_at_the_very_deadline_to_complete_contact_nothing_is_late_yet(world) -> None:  # type: ignore[no-untyped-def]
    warning = make_warning(1)
    acknowledge(warning, world.users["grid_cd"], warning.version, warning.received_at)
    due = warning.due_contact_at
    assert not Warning.objects.filter(selectors.overdue_q(due)).exists()
    assert sla_check(now=due).escalated == 0
    assert sla_check(now=due + TICK).escalated == 1


def test_a_regrade_at_the_very_deadline_still_moves_it(world) -> None:  # type: ignore[no-untyped-def]
    # Not missed yet at that moment (the sweep, the board and the rate agree): the new grade's deadline.
    warning = make_warning(1)  # medium: 4 h to acknowledge
    due = warning.due_ack_at
    sla.regrade_deadlines(warning, "low", now=due)
    assert warning.due_ack_at == warning.clock_start + dt.timedelta(hours=24)
    warning = Warning.objects.get(pk=warning.pk)
    sla.regrade_deadlines(warning, "low", now=due + TICK)  # a moment later it stays as missed
    assert warning.due_ack_at == due
