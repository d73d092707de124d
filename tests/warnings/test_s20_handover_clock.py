"""转交 and the SLA clock: the receiving unit acknowledges (and, the person not reached yet, makes
contact) on the grade's windows counted from the handover, not on the first unit's deadlines."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from fanzha.warnings import selectors, sla
from fanzha.warnings.escalation import sla_check
from fanzha.warnings.models import EventKind, Outcome, Status, Warning
from fanzha.warnings.workflow import (
    ContactData,
    warning_acknowledge,
    warning_contact_record,
    warning_handover,
)
from tests.warnings.helpers import make_warning

CLOCK = ("due_ack_at", "due_contact_at", "remind_ack_at", "remind_contact_at")
MEDIUM_ACK, MEDIUM_CONTACT = dt.timedelta(hours=4), dt.timedelta(hours=24)


def _shift(warning: Warning, minutes: int, *, received: bool = True) -> Warning:
    """Move the warning's clock ``minutes`` into the past (with its receipt unless ``received`` is off)."""
    delta = dt.timedelta(minutes=minutes)
    fresh = Warning.objects.get(pk=warning.pk)
    changes = {name: getattr(fresh, name) - delta for name in CLOCK}
    if received:
        changes["received_at"] = fresh.received_at - delta
    Warning.objects.filter(pk=warning.pk).update(**changes)
    return Warning.objects.get(pk=warning.pk)


def _overdue_at_the_grid(world):  # type: ignore[no-untyped-def]
    """A medium warning the grid worker let run 5 h unacknowledged: escalated for it."""
    warning = _shift(make_warning(1), 300)
    assert sla_check().escalated == 1
    warning.refresh_from_db()
    assert warning.ack_breached and warning.escalated
    return warning


def _hand_to_police(world, warning: Warning) -> tuple[Warning, dt.datetime]:  # type: ignore[no-untyped-def]
    warning = warning_handover(
        actor=world.users["grid_cd"], warning=warning, reason="需民警上门", to_user=world.users["police_cg"]
    )
    line = warning.events.filter(kind=EventKind.HANDED_OVER).latest("id")
    return warning, line.at


def test_a_handover_to_another_unit_restarts_both_deadlines_from_the_handover(world) -> None:  # type: ignore[no-untyped-def]
    overdue = _overdue_at_the_grid(world)
    received, due_ack, due_contact = overdue.received_at, overdue.due_ack_at, overdue.due_contact_at
    warning, at = _hand_to_police(world, overdue)
    warning.refresh_from_db()
    assert warning.received_at == received  # the warning's own time is kept
    assert warning.due_ack_at == at + MEDIUM_ACK
    assert warning.due_contact_at == at + MEDIUM_CONTACT
    assert warning.remind_ack_at == sla.remind_at(at, warning.due_ack_at)
    assert warning.remind_contact_at == sla.remind_at(at, warning.due_contact_at)
    assert not (warning.ack_reminded or warning.ack_breached or warning.escalated)
    assert not (warning.contact_reminded or warning.contact_breached)
    line = warning.events.get(kind=EventKind.HANDED_OVER)
    clock = line.data["clock"]  # the first unit's clock as it stood, for its record
    assert clock["from_organisation"] == world.orgs["城东社区居委会"].pk
    assert clock["due_ack_at"] == due_ack.isoformat() and clock["due_contact_at"] == due_contact.isoformat()
    assert clock["ack"] == "missed"
    assert "签收时限" in line.message and "联系时限" in line.message


def test_the_receiving_unit_is_not_escalated_on_arrival_but_on_its_own_deadline(world) -> None:  # type: ignore[no-untyped-def]
    warning, _ = _hand_to_police(world, _overdue_at_the_grid(world))
    assert sla_check().escalated == 0  # the first unit's breach does not follow the warning
    warning.refresh_from_db()
    assert not warning.ack_breached and not warning.escalated
    _shift(warning, 200, received=False)  # 200 of the police's 240 minutes gone: reminded, once
    report = sla_check()
    assert (report.reminded, report.escalated) == (1, 0)
    assert sla_check().reminded == 0
    _shift(warning, 41, received=False)  # past the police's deadline: escalated, once
    assert sla_check().escalated == 1
    assert sla_check().escalated == 0
    warning.refresh_from_db()
    assert warning.ack_breached and warning.escalated


def test_a_reached_person_keeps_the_met_contact_deadline_and_is_not_escalated_for_it(world) -> None:  # type: ignore[no-untyped-def]
    warning = make_warning(1)
    grid = world.users["grid_cd"]
    warning_contact_record(
        actor=grid,
        warning=warning,
        data=ContactData(kind="call", outcome=Outcome.REFUSED, version=warning.version),
    )
    warning = _shift(warning, 25 * 60)  # reached in time; both deadlines long past now
    due_contact = warning.due_contact_at
    warning, at = _hand_to_police(world, warning)
    warning.refresh_from_db()
    assert warning.status == Status.ASSIGNED and warning.due_ack_at == at + MEDIUM_ACK
    assert warning.due_contact_at == due_contact  # met by the first unit: nothing left on it
    assert sla_check().escalated == 0
    warning.refresh_from_db()
    assert not warning.contact_breached and not warning.escalated


def test_a_handover_to_a_colleague_of_the_same_unit_keeps_the_units_clock(world) -> None:  # type: ignore[no-untyped-def]
    from tests.warnings.test_s19_field_refusals import colleague

    other = colleague(world)
    warning = _overdue_at_the_grid(world)
    due_ack = warning.due_ack_at
    warning = warning_handover(actor=world.users["grid_cd"], warning=warning, reason="换班", to_user=other)
    warning.refresh_from_db()
    assert warning.due_ack_at == due_ack and warning.ack_breached  # no fresh clock by passing it on
    assert "clock" not in warning.events.get(kind=EventKind.HANDED_OVER).data


def test_back_to_the_centre_and_on_to_a_unit_each_restarts_the_clock(world) -> None:  # type: ignore[no-untyped-def]
    warning = _overdue_at_the_grid(world)
    warning = warning_handover(
        actor=world.users["grid_cd"], warning=warning, reason="不属本辖区", to_user=None
    )
    queued = warning.events.filter(kind=EventKind.HANDED_OVER).latest("id").at
    warning.refresh_from_db()
    assert warning.status == Status.NEW and warning.due_ack_at == queued + MEDIUM_ACK
    warning = _shift(warning, 300, received=False)  # the centre's queue held it 5 h
    warning = warning_handover(
        actor=world.users["leader"], warning=warning, reason="派民警", to_user=world.users["police_cg"]
    )
    line = warning.events.filter(kind=EventKind.HANDED_OVER).latest("id")
    warning.refresh_from_db()
    assert warning.due_ack_at == line.at + MEDIUM_ACK
    # The queue's 5 h are the centre's (the dispatching leader's unit): dispatched after the queue's
    # deadline, late — no longer "missed" by nobody (test_s22_queue_clock.py)
    clock = line.data["clock"]
    assert clock["from_organisation"] == world.orgs["青溪县反诈中心"].pk and clock["queue"] is True
    assert clock["ack"] == "late"


def _units(qs) -> dict[str | None, dict]:  # type: ignore[no-untyped-def,type-arg]
    return {
        row["organisation__name"]: row
        for row in selectors.summary(qs, ("organisation__name", "organisation_id"))
    }


def test_the_on_time_rate_charges_the_lateness_to_the_unit_that_let_it_run_out(world) -> None:  # type: ignore[no-untyped-def]
    warning, _ = _hand_to_police(world, _overdue_at_the_grid(world))
    warning_acknowledge(actor=world.users["police_cg"], warning=warning, version=warning.version)
    qs = Warning.objects.all()
    units = _units(qs)
    police, grid = units["城关派出所"], units["城东社区居委会"]
    assert (police["acked_on_time"], police["ack_due"], police["on_time_rate"]) == (1, 1, "100.0%")
    assert (grid["acked_on_time"], grid["ack_due"], grid["on_time_rate"]) == (0, 1, "0.0%")
    assert grid["total"] == 0  # it holds none now; its lateness is still its own
    totals = selectors.summary(qs)[0]
    assert (totals["acked_on_time"], totals["ack_due"]) == (1, 2)  # one acknowledgement due per unit


def test_a_unit_that_acknowledged_in_time_before_handing_on_is_credited(world) -> None:  # type: ignore[no-untyped-def]
    warning = make_warning(1)
    warning = warning_acknowledge(actor=world.users["grid_cd"], warning=warning, version=warning.version)
    warning, _ = _hand_to_police(world, warning)
    assert warning.events.filter(kind=EventKind.HANDED_OVER).get().data["clock"]["ack"] == "on_time"
    units = _units(Warning.objects.all())
    assert (units["城东社区居委会"]["acked_on_time"], units["城东社区居委会"]["ack_due"]) == (1, 1)
    assert units["城关派出所"]["ack_due"] == 0  # its own time has not run out yet


def test_a_handover_before_the_deadline_without_acknowledging_is_not_counted(world) -> None:  # type: ignore[no-untyped-def]
    warning, _ = _hand_to_police(world, make_warning(1))
    assert warning.events.get(kind=EventKind.HANDED_OVER).data["clock"]["ack"] is None
    units = _units(Warning.objects.all())
    assert "城东社区居委会" not in units
    assert timezone.now() < Warning.objects.get(pk=warning.pk).due_ack_at


def test_the_stats_page_shows_the_unit_that_handed_on_a_warning_it_let_run_out(world, client) -> None:  # type: ignore[no-untyped-def]
    from django.urls import reverse

    from tests.personas import login

    _hand_to_police(world, _overdue_at_the_grid(world))
    login(client, world.users["leader"])
    page = client.get(reverse("warning_stats")).content.decode()
    row = page[page.index("<td>城东社区居委会</td>") :].split("</tr>", 1)[0]
    assert "<td>0</td>" in row and "0.0%" in row


def test_a_handover_between_the_sla_jobs_read_and_its_escalation_is_not_escalated(world, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from fanzha.warnings import escalation

    warning = _shift(make_warning(1), 300)  # overdue; the job reads it, then the grid worker hands it on
    original, handed = escalation._escalate, []

    def handed_over_meanwhile(*args):  # type: ignore[no-untyped-def]
        if not handed:
            handed.append(_hand_to_police(world, warning))
        return original(*args)

    monkeypatch.setattr(escalation, "_escalate", handed_over_meanwhile)
    assert sla_check().escalated == 0  # the flip re-checks the deadline: the new one is hours away
    warning.refresh_from_db()
    assert not (warning.ack_breached or warning.escalated)
    assert not warning.events.filter(kind=EventKind.ESCALATED).exists()
