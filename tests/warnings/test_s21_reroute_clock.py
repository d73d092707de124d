"""A merge that raises a warning across the police/grid line re-routes it to the police station: the
station's clock counts from the re-routing (as after a handover), not from the grid worker's."""

from __future__ import annotations

import datetime as dt

from fanzha.warnings.escalation import sla_check
from fanzha.warnings.models import EventKind, Warning
from tests.warnings.helpers import make_warning
from tests.warnings.test_s20_handover_clock import _shift, _units

URGENT_ACK, URGENT_CONTACT = dt.timedelta(minutes=5), dt.timedelta(minutes=30)


def _rerouted(world, minutes: int) -> Warning:  # type: ignore[no-untyped-def]
    first = _shift(make_warning(1), minutes)
    assert first.assignee.username == "grid_cd"
    merged = make_warning(2, id_number=first.person.id_number, transfer_in_progress=True)
    assert merged.pk == first.pk and merged.assignee.username == "police_cg"
    merged.refresh_from_db()
    return merged


def test_the_station_gets_the_grades_windows_from_the_rerouting(world) -> None:  # type: ignore[no-untyped-def]
    warning = _rerouted(world, 300)  # the grid worker's 4 h to acknowledge ran out an hour ago
    line = warning.events.filter(kind=EventKind.ROUTED).latest("id")
    assert warning.clock_started_at == line.at
    assert warning.due_ack_at == line.at + URGENT_ACK
    assert warning.due_contact_at == line.at + URGENT_CONTACT
    assert not (warning.ack_breached or warning.escalated or warning.ack_reminded)


def test_the_station_is_not_escalated_on_arrival_for_the_grids_lateness(world) -> None:  # type: ignore[no-untyped-def]
    _rerouted(world, 300)
    assert sla_check().escalated == 0


def test_a_merge_that_keeps_the_unit_keeps_the_running_clock(world) -> None:  # type: ignore[no-untyped-def]
    first = _shift(make_warning(1), 60)
    merged = make_warning(2, id_number=first.person.id_number)
    assert merged.pk == first.pk and merged.assignee.username == "grid_cd"
    merged.refresh_from_db()
    assert merged.due_ack_at == first.due_ack_at and merged.clock_started_at == first.clock_started_at


def test_the_grid_units_missed_deadline_still_counts_against_it(world) -> None:  # type: ignore[no-untyped-def]
    warning = _rerouted(world, 300)
    line = warning.events.filter(kind=EventKind.ROUTED).latest("id")
    assert line.data["clock"]["ack"] == "missed"
    assert line.data["clock"]["from_organisation"] == world.orgs["城东社区居委会"].pk
    units = _units(Warning.objects.all())
    grid = units["城东社区居委会"]
    assert (grid["acked_on_time"], grid["ack_due"]) == (0, 1)
    assert grid["total"] == 0  # it holds none now; its lateness is still its own
