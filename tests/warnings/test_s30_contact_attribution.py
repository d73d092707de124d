"""Whose contact it was: the unit (and person) whose worker reached the person, in the contact on-time
rate (联系及时率) and the mean time to contact (平均联系用时), also once the warning was handed over (转交)
to another unit — and a visit whose arrival was before the unit's own clock started."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from fanzha.warnings import selectors
from fanzha.warnings.models import Contact, EventKind, Outcome, Warning
from fanzha.warnings.workflow import (
    ContactData,
    warning_acknowledge,
    warning_contact_record,
    warning_handover,
)
from tests.warnings.helpers import make_warning
from tests.warnings.test_s20_same_unit_handover import _shift

GRID, STATION = "城东社区居委会", "城关派出所"


def _units() -> dict[str | None, dict]:  # type: ignore[type-arg]
    rows = selectors.summary(Warning.objects.all(), selectors.UNIT_FIELDS)
    return {row["organisation__name"]: row for row in rows}


def _contact(row: dict) -> tuple[int, int]:  # type: ignore[type-arg]
    return row["contacted_on_time"], row["contact_due"]


def _visit(w: Warning, minutes_ago: int) -> Warning:
    """The assignee's visit (拒绝配合: the warning stays open), arrived ``minutes_ago``, recorded now."""
    w = Warning.objects.get(pk=w.pk)
    arrived = timezone.now() - dt.timedelta(minutes=minutes_ago)
    data = ContactData(kind="visit", outcome=Outcome.REFUSED, arrived_at=arrived, version=w.version)
    warning_contact_record(actor=w.assignee, warning=w, data=data)
    return Warning.objects.get(pk=w.pk)


def _hand(world, w: Warning, to: str) -> Warning:  # type: ignore[no-untyped-def]
    w = Warning.objects.get(pk=w.pk)
    warning_handover(actor=world.users["leader"], warning=w, reason="调整承办", to_user=world.users[to])
    return Warning.objects.get(pk=w.pk)


def _reached_by_the_grid_then_handed_to_the_station(world) -> Warning:  # type: ignore[no-untyped-def]
    """Received 60 min ago; the grid worker acknowledged, arrived at the home 30 min after receipt and
    recorded the visit; then the centre handed the warning to the station."""
    w = _shift(make_warning(1), 60)
    w = warning_acknowledge(actor=world.users["grid_cd"], warning=w, version=w.version)
    w = _visit(w, 30)
    return _hand(world, w, "police_cg")


def test_the_mean_time_to_contact_is_the_reaching_units_not_the_holders(world) -> None:  # type: ignore[no-untyped-def]
    _reached_by_the_grid_then_handed_to_the_station(world)
    units = _units()
    assert _contact(units[GRID]) == (1, 1)  # the grid's deadline, met (as before)
    assert _contact(units[STATION]) == (0, 0)
    assert abs(units[GRID]["mean_contact"] - dt.timedelta(minutes=30)) < dt.timedelta(seconds=5)
    assert units[STATION]["mean_contact"] is None  # the station reached nobody
    assert units[STATION]["total"] == 1 and units[STATION]["reached"] == 1  # its warning now, reached
    totals = selectors.summary(Warning.objects.all())[0]
    assert abs(totals["mean_contact"] - dt.timedelta(minutes=30)) < dt.timedelta(seconds=5)


def test_the_per_person_mean_time_is_the_worker_who_reached_them(world) -> None:  # type: ignore[no-untyped-def]
    _reached_by_the_grid_then_handed_to_the_station(world)
    rows = selectors.summary(Warning.objects.all(), selectors.PERSON_FIELDS)
    people = {row["assignee_id"]: row for row in rows}
    grid, police = world.users["grid_cd"], world.users["police_cg"]
    assert abs(people[grid.pk]["mean_contact"] - dt.timedelta(minutes=30)) < dt.timedelta(seconds=5)
    assert people[police.pk]["mean_contact"] is None


def test_a_visit_arrived_at_before_the_units_clock_started_counts_for_that_unit(world) -> None:  # type: ignore[no-untyped-def]
    """The station took the warning over 60 min ago (its clock starts then); its officer had gone to the
    home already, on the centre's call, and arrived 90 min ago: the station reached the person, on time."""
    w = _shift(make_warning(1), 120)  # received 3 h ago in all
    w = _shift(_hand(world, w, "police_cg"), 60)
    assert w.clock_started_at > w.received_at
    w = warning_acknowledge(actor=world.users["police_cg"], warning=w, version=w.version)
    w = _visit(w, 90)
    contact = Contact.objects.get(warning=w)
    assert contact.contacted_at < w.clock_started_at  # the record keeps the arrival as typed
    assert w.contacted_at == w.clock_started_at  # reached, for the clocks, on the station's own clock
    assert _contact(_units()[STATION]) == (1, 1)
    back = _hand(world, w, "grid_cd")  # and handed on: still the station's, not nobody's
    clock = back.events.filter(kind=EventKind.HANDED_OVER).latest("id").data["clock"]
    assert clock["contact"] == "on_time"
    units = _units()
    assert _contact(units[STATION]) == (1, 1)
    assert _contact(units[GRID]) == (0, 0)  # its first clock ended unreached within the time
    assert units[STATION]["mean_contact"] is not None and units[GRID]["mean_contact"] is None
