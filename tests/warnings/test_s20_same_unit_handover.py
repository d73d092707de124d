"""转交 to a colleague of the same unit (a shift change) after the unit acknowledged: the unit's
acknowledgement stands (已签收 / 已联系, its time and its clock); only the assignee changes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from fanzha.audit.models import AuditEvent
from fanzha.jobs.models import Notification
from fanzha.warnings import selectors
from fanzha.warnings.escalation import sla_check
from fanzha.warnings.models import EventKind, Outcome, Status, Warning
from fanzha.warnings.workflow import (
    Conflict,
    ContactData,
    warning_acknowledge,
    warning_contact_record,
    warning_handover,
)
from tests.personas import login
from tests.warnings.helpers import make_warning
from tests.warnings.helpers import second_grid_worker as _colleague
from tests.warnings.test_s20_handover_clock import CLOCK


def _shift(warning: Warning, minutes: int) -> Warning:
    """Move the warning ``minutes`` into the past: its receipt, clock, acknowledgement and contact."""
    delta = dt.timedelta(minutes=minutes)
    fresh = Warning.objects.get(pk=warning.pk)
    moved = (*CLOCK, "received_at", "clock_started_at", "assigned_at", "acknowledged_at", "contacted_at")
    changes = {name: getattr(fresh, name) - delta for name in moved if getattr(fresh, name) is not None}
    Warning.objects.filter(pk=warning.pk).update(**changes)
    return Warning.objects.get(pk=warning.pk)


def _acknowledged_then_overdue(world) -> Warning:  # type: ignore[no-untyped-def]
    """A medium warning the grid worker acknowledged at once, its 4 h to acknowledge now 5 h gone."""
    warning = make_warning(1)
    warning_acknowledge(actor=world.users["grid_cd"], warning=warning, version=warning.version)
    return _shift(warning, 300)


def _shift_change(world, warning: Warning, **kwargs):  # type: ignore[no-untyped-def]
    other = _colleague(world)
    handed = warning_handover(
        actor=world.users["grid_cd"], warning=warning, reason="换班", to_user=other, **kwargs
    )
    return handed, other


def test_the_units_acknowledgement_stands_after_a_shift_change(world) -> None:  # type: ignore[no-untyped-def]
    warning = _acknowledged_then_overdue(world)
    acked_at, due_ack, due_contact = warning.acknowledged_at, warning.due_ack_at, warning.due_contact_at
    assert acked_at <= due_ack  # acknowledged in time
    handed, other = _shift_change(world, warning)
    handed.refresh_from_db()
    assert handed.status == Status.ACKNOWLEDGED and handed.assignee == other
    assert handed.acknowledged_at == acked_at and handed.acknowledged_by == world.users["grid_cd"]
    assert (handed.due_ack_at, handed.due_contact_at) == (due_ack, due_contact)  # the unit's clock
    line = handed.events.get(kind=EventKind.HANDED_OVER)
    assert (line.from_status, line.to_status) == (Status.ACKNOWLEDGED, Status.ACKNOWLEDGED)
    assert "clock" not in line.data and line.data["assignee"] == other.pk
    assert AuditEvent.objects.filter(action="warning.handover", object_id=str(handed.pk)).exists()
    told = Notification.objects.get(recipient=other)
    assert "本单位已签收，请继续联系当事人" in told.body and "前签收" not in told.body


def test_no_escalation_and_the_on_time_acknowledgement_still_counts(world) -> None:  # type: ignore[no-untyped-def]
    handed, _ = _shift_change(world, _acknowledged_then_overdue(world))
    report = sla_check()
    assert report.escalated == 0
    handed.refresh_from_db()
    assert not handed.ack_breached and not handed.escalated
    row = selectors.summary(Warning.objects.all(), ("organisation__name", "organisation_id"))[0]
    assert row["organisation__name"] == "城东社区居委会"
    assert (row["acked_on_time"], row["ack_due"], row["on_time_rate"]) == (1, 1, "100.0%")


def test_the_colleague_has_it_on_my_tasks_and_records_the_contact(world, client) -> None:  # type: ignore[no-untyped-def]
    handed, other = _shift_change(world, _acknowledged_then_overdue(world))
    login(client, other)
    assert handed.pk in [row.pk for row in selectors.mine(other)]
    page = client.get(reverse("warning_detail", args=[handed.pk])).content.decode()
    assert "记录电话 / 上门劝阻" in page and ">签收</button>" not in page  # the actions of 已签收
    warning_contact_record(
        actor=other,
        warning=handed,
        data=ContactData(kind="call", outcome=Outcome.REFUSED, version=handed.version),
    )
    assert Warning.objects.get(pk=handed.pk).status == Status.CONTACTED


def test_a_reached_warning_stays_contacted_with_its_colleague(world) -> None:  # type: ignore[no-untyped-def]
    warning = make_warning(1)
    grid = world.users["grid_cd"]
    warning = warning_acknowledge(actor=grid, warning=warning, version=warning.version)
    warning_contact_record(
        actor=grid,
        warning=warning,
        data=ContactData(kind="call", outcome=Outcome.REFUSED, version=warning.version),
    )
    warning = _shift(warning, 25 * 60)  # both deadlines long past, both met
    contacted_at = warning.contacted_at
    handed, other = _shift_change(world, warning)
    handed.refresh_from_db()
    assert handed.status == Status.CONTACTED and handed.assignee == other
    assert handed.contacted_at == contacted_at and handed.acknowledged_at is not None
    assert sla_check().escalated == 0
    warning_contact_record(
        actor=other,
        warning=handed,
        data=ContactData(kind="call", outcome=Outcome.DISSUADED, version=handed.version),
    )
    assert Warning.objects.get(pk=handed.pk).status == Status.CLOSED


def test_a_form_opened_before_the_shift_change_is_refused_as_stale(world) -> None:  # type: ignore[no-untyped-def]
    warning = _acknowledged_then_overdue(world)
    opened = warning.version
    _shift_change(world, warning, version=opened)
    with pytest.raises(Conflict, match="转交给"):
        warning_contact_record(
            actor=world.users["grid_cd"],
            warning=Warning.objects.get(pk=warning.pk),
            data=ContactData(kind="call", outcome=Outcome.REFUSED, version=opened),
        )


def test_not_yet_acknowledged_it_is_the_colleagues_to_acknowledge_on_the_units_clock(world) -> None:  # type: ignore[no-untyped-def]
    warning = make_warning(1)
    due_ack = warning.due_ack_at
    handed, other = _shift_change(world, warning)
    handed.refresh_from_db()
    assert handed.status == Status.ASSIGNED and handed.acknowledged_at is None
    assert handed.assignee == other and handed.due_ack_at == due_ack


def test_acknowledged_and_handed_to_another_unit_it_restarts_there(world) -> None:  # type: ignore[no-untyped-def]
    warning = _acknowledged_then_overdue(world)
    handed = warning_handover(
        actor=world.users["grid_cd"], warning=warning, reason="需民警上门", to_user=world.users["police_cg"]
    )
    handed.refresh_from_db()
    assert handed.status == Status.ASSIGNED and handed.acknowledged_at is None
    assert handed.due_ack_at > warning.due_ack_at
