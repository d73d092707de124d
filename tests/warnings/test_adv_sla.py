"""SLA clocks probed with settings as a centre really writes them and with time at the very deadline.

A misspelt SLA setting must say which entry is wrong and why, not fail an intake later with an overflow
or quietly take the last of two entries; a warning acknowledged at its deadline is on time everywhere —
on the board, in the on-time rate and for the escalation sweep.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from django.utils import timezone

from fanzha.jobs.models import Notification
from fanzha.warnings import bulk, selectors, services, sla
from fanzha.warnings.escalation import sla_check
from fanzha.warnings.intake import WarningInput, clean_warning
from fanzha.warnings.models import Warning
from fanzha.warnings.workflow import acknowledge
from tests.personas import login
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


# ── a merge that raises the grade ─────────────────────────────────────────────────


def _run(warning: Warning, minutes: int) -> Warning:
    """Let ``minutes`` of the warning's clock go by (its receipt, clock start, deadlines and reminders)."""
    delta = dt.timedelta(minutes=minutes)
    fresh = Warning.objects.get(pk=warning.pk)
    fields = ("received_at", "clock_started_at", "due_ack_at", "due_contact_at", "remind_ack_at")
    changes = {name: getattr(fresh, name) - delta for name in (*fields, "remind_contact_at")}
    Warning.objects.filter(pk=warning.pk).update(**changes)
    return Warning.objects.get(pk=warning.pk)


def _reminders() -> list[str]:
    rows = Notification.objects.filter(title__startswith="预警即将超时").order_by("id")
    return list(rows.values_list("body", flat=True))


def _merge_high(warning: Warning, by_file: bool) -> Warning:
    """A later report about the warning's person saying 20,000 yuan went (高), by the form or in a file."""
    data = WarningInput(
        source="上级推送",
        source_id="T00002",
        name=warning.person.name,
        id_number=warning.person.id_number,
        phone="13600000001",
        address="青溪县城关镇城东社区幸福路1号",
        fraud_type="网络游戏产品虚假交易",
        warned_at="2026-11-28 09:00:00",
        amount="20000",
    )
    if by_file:
        rows = [(data, clean_warning(data, now=timezone.now()))]
        (result,) = bulk.receive_many(intake=services.Intake(), rows=rows)
    else:
        result = services.receive(intake=services.Intake(), data=data)
    assert result.outcome == services.MERGED
    return Warning.objects.get(pk=warning.pk)


@pytest.mark.parametrize("by_file", [False, True])
def test_a_merge_that_brings_a_reminded_deadline_forward_reminds_of_the_new_one(world, by_file) -> None:  # type: ignore[no-untyped-def]
    # The holder was reminded of 24 h to reach the person; a later report raised the grade to 高 and the
    # deadline came 30 minutes forward, but the reminder was not sent again: the holder went by the
    # time they had been told, and was escalated before it.
    warning = make_warning(1)  # medium: 24 h to complete contact, reminded after 80 %
    acknowledge(warning, world.users["grid_cd"], warning.version, warning.received_at)
    warning = _run(warning, 19 * 60 + 30)  # 4 h 30 min left
    assert sla_check().reminded == 1
    told_due = timezone.localtime(warning.due_contact_at)
    assert _reminders() == [f"联系时限 {told_due:%m-%d %H:%M}。"]
    merged = _merge_high(warning, by_file)  # 高: 4 h from now
    assert merged.grade == "high"
    assert merged.due_contact_at < warning.due_contact_at - dt.timedelta(minutes=29)
    assert sla_check().reminded == 1
    assert _reminders()[-1] == f"联系时限 {timezone.localtime(merged.due_contact_at):%m-%d %H:%M}。"
    assert sla_check().reminded == 0  # once


def test_a_merge_never_moves_a_passed_deadline(world) -> None:  # type: ignore[no-untyped-def]
    warning = _run(make_warning(1), 5 * 60)  # medium: 签收 due 1 h ago
    assert sla_check().escalated == 1
    merged = make_warning(2, id_number=warning.person.id_number, transfer_in_progress=True)
    merged.refresh_from_db()
    assert merged.grade == "urgent" and merged.pk == warning.pk
    assert sla_check().escalated == 0 and sla_check().reminded == 0


# ── the live board ───────────────────────────────────────────────────────────────


def _due(warning: Warning, **due: dt.datetime) -> Warning:
    Warning.objects.filter(pk=warning.pk).update(**due)
    return Warning.objects.get(pk=warning.pk)


def _board(client, **headers) -> str:  # type: ignore[no-untyped-def]
    return str(client.get(reverse("warning_board"), **headers).content.decode())


def test_the_board_puts_the_breached_first_by_the_deadline_that_runs(world, client) -> None:  # type: ignore[no-untyped-def]
    now = timezone.now()
    grid = world.users["grid_cd"]
    late_ack = _due(make_warning(1), due_ack_at=now - dt.timedelta(hours=1))
    late_contact = make_warning(2)
    acknowledge(late_contact, grid, late_contact.version, now - dt.timedelta(hours=5))
    late_contact = _due(late_contact, due_contact_at=now - dt.timedelta(hours=2))  # its 签收 due later
    soon_ack = _due(make_warning(3), due_ack_at=now + dt.timedelta(minutes=10))
    soon_contact = make_warning(4)
    acknowledge(soon_contact, grid, soon_contact.version, now)
    soon_contact = _due(soon_contact, due_contact_at=now + dt.timedelta(minutes=5))
    reached = make_warning(5)
    Warning.objects.filter(pk=reached.pk).update(
        status="contacted", acknowledged_at=now, contacted_at=now, due_ack_at=now - dt.timedelta(days=2)
    )
    elsewhere = make_warning(6, address="龙泉乡石桥村2组")  # not in 城关派出所's jurisdiction
    expected = [late_contact, late_ack, soon_contact, soon_ack, reached]
    login(client, world.users["leader"])
    body = _board(client)
    shown = [body.index(f"/warnings/{w.pk}/") for w in expected]
    assert shown == sorted(shown)
    assert f"/warnings/{elsewhere.pk}/" in body
    assert f"联系时限 {timezone.localtime(late_contact.due_contact_at):%m-%d %H:%M}" in body  # China time
    assert f"签收时限 {timezone.localtime(soon_ack.due_ack_at):%m-%d %H:%M}" in body
    login(client, world.users["police_cg"])
    assert f"/warnings/{elsewhere.pk}/" not in _board(client)


def test_the_boards_queries_do_not_grow_with_its_rows(world, client, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    login(client, world.users["leader"])
    make_warning(1)
    _board(client, HTTP_HX_REQUEST="true")  # the session read once
    # the session, the user, their unit, roles and areas (2), the rows, the session saved (3: a savepoint)
    with django_assert_num_queries(10):
        _board(client, HTTP_HX_REQUEST="true")
    for n in range(2, 9):
        make_warning(n, address=f"青溪县城关镇城东社区幸福路{n}号")
    with django_assert_num_queries(10):
        assert _board(client, HTTP_HX_REQUEST="true").count("/warnings/") >= 8
