"""Whose clock the time was on: the centre's queue before its placement routes a warning to a unit,
and a unit that acknowledged before a colleague took the warning over (a shift change)."""

from __future__ import annotations

from django.utils import timezone

from fanzha.audit.models import AuditEvent
from fanzha.warnings import routing, selectors
from fanzha.warnings.models import EventKind, Status, Warning
from fanzha.warnings.workflow import warning_acknowledge, warning_handover, warning_place
from tests.warnings.helpers import make_warning
from tests.warnings.helpers import second_grid_worker as _colleague
from tests.warnings.test_s20_same_unit_handover import _shift

CENTRE, GRID = "青溪县反诈中心", "城东社区居委会"


def _units() -> dict[str | None, dict]:  # type: ignore[type-arg]
    rows = selectors.summary(Warning.objects.all(), ("organisation__name", "organisation_id"))
    return {row["organisation__name"]: row for row in rows}


def _figures(row: dict) -> tuple[int, int, str]:  # type: ignore[type-arg]
    return row["acked_on_time"], row["ack_due"], row["on_time_rate"]


def _queued(minutes: int = 0) -> Warning:
    """A medium warning the matcher could not place, ``minutes`` in the centre's queue (4 h to act)."""
    lost = make_warning(1, address="青溪县某某新村7号", phone="")
    assert lost.status == Status.NEW and lost.organisation_id is None
    return _shift(lost, minutes) if minutes else lost


def _place(world, warning: Warning) -> Warning:  # type: ignore[no-untyped-def]
    placed = warning_place(actor=world.users["analyst"], warning=warning, area=world.area("城东社区"))
    placed.refresh_from_db()
    return placed


# ── 1. the centre's placement keeps the queue's clock, counted against the centre ────────


def test_a_placement_after_the_queues_deadline_keeps_its_clock_on_the_routing_line(world) -> None:  # type: ignore[no-untyped-def]
    lost = _queued(300)  # 5 h of the queue's 4 h gone
    due_ack, due_contact = lost.due_ack_at, lost.due_contact_at
    placed = _place(world, lost)
    assert placed.assignee is not None and placed.due_ack_at > timezone.now()  # the unit's own clock
    line = placed.events.get(kind=EventKind.ROUTED)
    clock = line.data["clock"]
    assert clock["from_organisation"] == world.orgs[CENTRE].pk  # the placing analyst's unit
    assert clock["queue"] is True and clock["ack"] == "late"
    assert clock["due_ack_at"] == due_ack.isoformat() and clock["due_contact_at"] == due_contact.isoformat()
    assert clock["placed_at"] == line.at.isoformat()
    assert "签收时限" in line.message
    assert AuditEvent.objects.filter(action="warning.place", object_id=str(placed.pk)).exists()
    assert AuditEvent.objects.filter(action="warning.assign", object_id=str(placed.pk)).exists()


def test_the_late_placement_counts_against_the_centre_not_the_receiving_unit(world) -> None:  # type: ignore[no-untyped-def]
    placed = _place(world, _queued(300))
    warning_acknowledge(actor=placed.assignee, warning=placed, version=placed.version)
    units = _units()
    assert _figures(units[CENTRE]) == (0, 1, "0.0%")
    assert units[CENTRE]["total"] == 0  # it holds none: the row is its queue's timeliness
    assert _figures(units[GRID]) == (1, 1, "100.0%")  # acknowledged on its own clock
    totals = selectors.summary(Warning.objects.all())[0]
    assert (totals["acked_on_time"], totals["ack_due"]) == (1, 2)  # the queue's and the unit's


def test_a_placement_within_the_queues_window_counts_for_the_centre_as_on_time(world) -> None:  # type: ignore[no-untyped-def]
    placed = _place(world, _queued(60))
    assert placed.events.get(kind=EventKind.ROUTED).data["clock"]["ack"] == "on_time"
    units = _units()
    assert _figures(units[CENTRE]) == (1, 1, "100.0%")
    assert units[GRID]["ack_due"] == 0  # the unit's own time has not run out yet


def test_the_stats_page_shows_the_centres_row(world, client) -> None:  # type: ignore[no-untyped-def]
    from django.urls import reverse

    from tests.personas import login

    _place(world, _queued(300))
    login(client, world.users["leader"])
    page = client.get(reverse("warning_stats")).content.decode()
    row = page[page.index(f"<td>{CENTRE}</td>") :].split("</tr>", 1)[0]
    assert "0.0%" in row


def test_a_placement_that_routes_nowhere_keeps_the_queues_clock_running_and_records_none(
    world, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(routing.Assigner, "assign", lambda self, area, grade: (None, None))
    lost = _queued(300)
    placed = _place(world, lost)
    assert placed.status == Status.NEW and placed.due_ack_at == lost.due_ack_at
    assert not placed.events.filter(kind=EventKind.ROUTED).exists()
    assert CENTRE not in _units()  # still waiting: counted on the queue's row (中心待分派) as now


# ── 2. a shift change after the unit acknowledged in time ───────────────────────────────


def test_a_colleague_taking_over_after_the_deadline_leaves_the_units_acknowledgement_on_time(world) -> None:  # type: ignore[no-untyped-def]
    warning = make_warning(1)
    grid = world.users["grid_cd"]
    warning = warning_acknowledge(actor=grid, warning=warning, version=warning.version)
    warning = _shift(warning, 300)  # acknowledged at once; the unit's 4 h to acknowledge long gone
    acked_at = warning.acknowledged_at
    assert acked_at <= warning.due_ack_at < timezone.now()
    other = _colleague(world)
    handed = warning_handover(actor=grid, warning=warning, reason="换班", to_user=other)
    handed.refresh_from_db()
    assert handed.status == Status.ACKNOWLEDGED and handed.assignee == other  # the colleague's to work
    assert handed.acknowledged_at == acked_at and handed.acknowledged_by == grid
    assert AuditEvent.objects.filter(action="warning.handover", object_id=str(handed.pk)).exists()
    assert _figures(_units()[GRID]) == (1, 1, "100.0%")
