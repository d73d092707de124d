"""The SLA sweep as a centre runs it every minute: each breach told once however often it runs, nothing
for a holder who acted or handed the warning on in the meantime, the centre's queue escalated to the
centre, deactivated accounts never told, and nothing said about supervisors there are none of."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.utils import timezone

from fanzha.core.models import Organisation, User
from fanzha.jobs.models import Notification
from fanzha.warnings import escalation
from fanzha.warnings.escalation import sla_check
from fanzha.warnings.models import EventKind, Status, Warning
from fanzha.warnings.workflow import warning_acknowledge, warning_handover
from tests.warnings.helpers import make_warning

REMINDER, ESCALATION = "预警即将超时", "预警超时督办"


def _shift(warning: Warning, minutes: int) -> Warning:
    """Move the warning's clock ``minutes`` into the past."""
    delta = dt.timedelta(minutes=minutes)
    fresh = Warning.objects.get(pk=warning.pk)
    fields = ("received_at", "due_ack_at", "due_contact_at", "remind_ack_at", "remind_contact_at")
    Warning.objects.filter(pk=warning.pk).update(**{f: getattr(fresh, f) - delta for f in fields})
    return Warning.objects.get(pk=warning.pk)


def _told(title: str = ESCALATION) -> list[str]:
    """One entry a notice: a name twice is a second notice."""
    rows = Notification.objects.filter(title__startswith=title)
    return sorted(rows.values_list("recipient__username", flat=True))


def _meanwhile(monkeypatch, step: str, change: Callable[[], Any]) -> None:  # type: ignore[no-untyped-def]
    """``change()`` once, after the sweep read the warnings and before its ``step`` for the first."""
    original, done = getattr(escalation, step), []

    def changed_meanwhile(*args: Any) -> Any:
        if not done:
            done.append(change())
        return original(*args)

    monkeypatch.setattr(escalation, step, changed_meanwhile)


def test_a_breach_is_told_once_however_often_the_sweep_runs(world) -> None:  # type: ignore[no-untyped-def]
    warning = _shift(make_warning(1), 300)  # medium: 签收 an hour overdue
    assert sla_check().escalated == 1
    assert sla_check().escalated == 0 and sla_check().escalated == 0
    assert _told() == ["analyst", "grid_cd", "leader"]
    _shift(warning, 24 * 60)  # the contact deadline passes too: its own breach, told once
    assert sla_check().escalated == 1 and sla_check().escalated == 0
    assert _told() == ["analyst", "analyst", "grid_cd", "grid_cd", "leader", "leader"]
    assert Warning.objects.get(pk=warning.pk).events.filter(kind=EventKind.ESCALATED).count() == 2


def test_a_warning_acknowledged_while_the_sweep_runs_is_not_escalated_for_it(world, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    warning = _shift(make_warning(1), 300)
    grid = world.users["grid_cd"]
    _meanwhile(
        monkeypatch,
        "_escalate",
        lambda: warning_acknowledge(actor=grid, warning=warning, version=warning.version),
    )
    assert sla_check().escalated == 0
    assert _told() == []
    assert not Warning.objects.get(pk=warning.pk).ack_breached


def test_a_warning_returned_to_the_centre_while_the_sweep_runs_is_not_escalated_for_the_old_holder(
    world, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    warning = _shift(make_warning(1), 300)
    grid = world.users["grid_cd"]
    _meanwhile(
        monkeypatch,
        "_escalate",
        lambda: warning_handover(actor=grid, warning=warning, reason="不在本社区", to_user=None),
    )
    assert sla_check().escalated == 0  # the centre's queue has its own clock from the handover
    assert _told() == []


def test_a_breach_in_the_centres_queue_goes_to_the_centres_leader_and_analysts(world) -> None:  # type: ignore[no-untyped-def]
    lost = make_warning(1, address="青溪县某某新村7号", phone="")
    assert lost.needs_placement and lost.status == Status.NEW and lost.assignee is None
    _shift(lost, 300)
    assert sla_check().escalated == 1
    assert _told() == ["analyst", "leader"]  # not the stations, nobody of the units
    (body,) = set(Notification.objects.filter(title__startswith=ESCALATION).values_list("body", flat=True))
    assert "中心待分派" in body and "上级单位" not in body


def test_a_deactivated_assignee_is_neither_reminded_nor_told_of_the_breach(world) -> None:  # type: ignore[no-untyped-def]
    warning = _shift(make_warning(1), 200)  # 200 of 240 minutes gone
    assert warning.assignee == world.users["grid_cd"]
    User.objects.filter(pk=warning.assignee_id).update(is_active=False)  # gone without 停用 moving it
    assert sla_check().reminded == 1
    assert _told(REMINDER) == []
    _shift(warning, 100)
    assert sla_check().escalated == 1
    assert _told() == ["analyst", "leader"]


def test_a_deactivated_centre_analyst_is_not_told(world) -> None:  # type: ignore[no-untyped-def]
    User.objects.filter(pk=world.users["analyst"].pk).update(is_active=False)
    _shift(make_warning(1), 300)
    assert sla_check().escalated == 1
    assert _told() == ["grid_cd", "leader"]


def test_without_a_supervisor_the_assignee_and_the_centre_are_told_and_nothing_more_is_said(world) -> None:  # type: ignore[no-untyped-def]
    """城东社区居委会 has no head and no parent unit: no note about supervisors nobody has."""
    _shift(make_warning(1), 300)
    assert sla_check().escalated == 1
    assert _told() == ["analyst", "grid_cd", "leader"]
    (body,) = set(Notification.objects.filter(title__startswith=ESCALATION).values_list("body", flat=True))
    assert body == f"中预警，承办：城东社区居委会 {world.users['grid_cd']}"


def test_the_holder_in_a_deactivated_unit_is_neither_reminded_nor_told_of_the_breach(world) -> None:  # type: ignore[no-untyped-def]
    """A warning still held in a unit deactivated before 停用后改派 existed: its users keep their accounts
    but lost every permission (``access.in_force``) and could not open the notice; the centre is told."""
    warning = _shift(make_warning(1), 200)  # 200 of 240 minutes gone
    assert warning.assignee == world.users["grid_cd"]
    Organisation.objects.filter(pk=warning.organisation_id).update(is_active=False)
    assert sla_check().reminded == 1  # the step is done: not retried every minute
    assert _told(REMINDER) == []
    _shift(warning, 100)
    assert sla_check().escalated == 1
    assert _told() == ["analyst", "leader"]


def test_a_reminder_names_the_deadline_as_it_stands_when_sent(world, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A later report merged while the sweep runs tightens the deadline (the earlier of the two): the
    reminder and its history line name the deadline the holder now has, not the one the sweep read."""
    warning = _shift(make_warning(1), 200)  # 40 minutes left to 签收
    tighter = timezone.now() + dt.timedelta(minutes=10)
    _meanwhile(
        monkeypatch, "_remind", lambda: Warning.objects.filter(pk=warning.pk).update(due_ack_at=tighter)
    )
    assert sla_check().reminded == 1
    expected = f"签收时限 {timezone.localtime(tighter):%m-%d %H:%M}"
    (body,) = Notification.objects.filter(title__startswith=REMINDER).values_list("body", flat=True)
    assert body == f"{expected}。"
    line = Warning.objects.get(pk=warning.pk).events.get(kind=EventKind.REMINDED).message
    assert line.startswith(f"{expected} 将到")
