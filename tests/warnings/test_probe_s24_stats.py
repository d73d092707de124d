"""The contact on-time rate (联系及时率) and the figures per responsible person (按人员), cross-checked (s24):
the rows recomputed in plain Python (the rules of docs/warnings.md §6), as the s23 probe does for the
units and areas — a handover after the person was reached, one never reached past its deadline and then
handed on, a shift change inside a unit, a warning never reached past its deadline still held; the
per-person page's scope (a station's user sees its own people only) and the export's 按人员 sheet."""

from __future__ import annotations

import datetime as dt
import io
import random
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from fanzha.core.models import Organisation
from fanzha.warnings import exports, selectors
from fanzha.warnings.escalation import sla_check
from fanzha.warnings.models import EventKind, Outcome, Warning, WarningEvent
from fanzha.warnings.workflow import (
    ContactData,
    warning_acknowledge,
    warning_contact_record,
    warning_handover,
)
from tests.personas import login
from tests.warnings.helpers import make_warning, second_grid_worker
from tests.warnings.test_probe_s23_stats import (
    CENTRE,
    COUNTED,
    Ledger,
    _deactivate,
    _expected,
    _imported,
    _received,
    _same,
    _shown,
    _work,
)
from tests.warnings.test_s20_same_unit_handover import _shift

MEDIUM_CONTACT = 1440  # minutes a medium warning gives to reach the person


def _people(qs: Any, now: dt.datetime) -> dict[Any, dict[str, Any]]:
    rows = selectors.summary(qs, selectors.PERSON_FIELDS, now=now)
    return _shown(rows, lambda r: (r["organisation_id"], r["assignee_id"]))


def _by_person(w: Warning, by: Any = None) -> Any:
    return by if by is not None else (w.organisation_id, w.assignee_id)


def _call(w: Warning, outcome: str = Outcome.REFUSED) -> Warning:
    """The assignee reaches the person by phone (拒绝配合: the warning stays open)."""
    w = Warning.objects.get(pk=w.pk)
    data = ContactData(kind="call", outcome=outcome, version=w.version)
    warning_contact_record(actor=w.assignee, warning=w, data=data)
    return Warning.objects.get(pk=w.pk)


def _ack(w: Warning) -> Warning:
    w = Warning.objects.get(pk=w.pk)
    return warning_acknowledge(actor=w.assignee, warning=w, version=w.version)


def _hand(world: Any, w: Warning, to: str) -> Warning:
    w = Warning.objects.get(pk=w.pk)
    warning_handover(actor=world.users["leader"], warning=w, reason="调整承办", to_user=world.users[to])
    return Warning.objects.get(pk=w.pk)


# ── 1. the cases one by one ──────────────────────────────────────────────────────────────


def test_contact_deadlines_count_for_whoever_held_the_warning(world) -> None:  # type: ignore[no-untyped-def]
    grid, police = world.users["grid_cd"], world.users["police_cg"]
    made = [make_warning(n) for n in range(1, 6)]  # all to the grid worker (the only one yet)
    assert {w.assignee_id for w in made} == {grid.pk}
    colleague = world.users["grid_cd2"] = second_grid_worker(world)
    # A: reached on time by the grid worker, then handed to the station: the grid worker's, on time;
    # the station's clock starts after the contact, so nothing is owed there.
    reached = _call(_ack(made[0]))
    reached = _hand(world, reached, "police_cg")
    line = reached.events.get(kind=EventKind.HANDED_OVER)
    assert line.data["clock"]["contact"] == "on_time" and line.data["clock"]["from_assignee"] == grid.pk
    # B: never reached, 25 h of the 24 h gone, still with the grid worker: missed, the grid worker's.
    _shift(_ack(made[1]), MEDIUM_CONTACT + 60)
    # C: never reached past its deadline, then handed to the station: missed, the grid worker's; the
    # station's new 24 h are not yet gone (not counted).
    late = _hand(world, _shift(made[2], MEDIUM_CONTACT + 60), "police_cg")
    assert late.events.get(kind=EventKind.HANDED_OVER).data["clock"]["contact"] == "missed"
    # D: a shift change inside the unit after the 签收: the colleague inherits the unit's clock and
    # reaches the person late — the colleague's.
    shifted = _shift(_ack(made[3]), 0)
    shifted = _hand(world, shifted, colleague.username)
    assert "clock" not in shifted.events.get(kind=EventKind.HANDED_OVER).data
    _shift(shifted, MEDIUM_CONTACT + 30)
    _call(shifted)
    # E: reached within the time, closed: on time, the grid worker's (a closed one still counts).
    _call(_ack(made[4]), Outcome.DISSUADED)

    now = timezone.now()
    people = _people(Warning.objects.all(), now)
    unit = world.orgs["城东社区居委会"].pk
    station = world.orgs["城关派出所"].pk
    assert (people[(unit, grid.pk)]["contacted_on_time"], people[(unit, grid.pk)]["contact_due"]) == (2, 4)
    assert (
        people[(unit, colleague.pk)]["contacted_on_time"],
        people[(unit, colleague.pk)]["contact_due"],
    ) == (
        0,
        1,
    )
    assert people[(station, police.pk)]["contact_due"] == 0  # A reached before, C not yet due
    assert people[(station, police.pk)]["total"] == 2  # but both are the station's now
    units = {r["organisation_id"]: r for r in selectors.summary(Warning.objects.all(), ("organisation_id",))}
    assert (units[unit]["contacted_on_time"], units[unit]["contact_due"]) == (2, 5)
    assert units[unit]["contact_on_time_rate"] == "40.0%"
    assert units[station]["contact_on_time_rate"] == "—"
    totals = selectors.summary(Warning.objects.all())[0]
    assert (totals["contacted_on_time"], totals["contact_due"]) == (2, 5)


def test_a_warning_handed_back_after_the_contact_is_counted_once(world) -> None:  # type: ignore[no-untyped-def]
    """Reached by the grid worker, back to the centre's queue, dispatched to the station: the contact is
    the grid worker's alone (neither the queue's line nor the station counts it again)."""
    grid = world.users["grid_cd"]
    w = _call(_ack(make_warning(1)))
    warning_handover(actor=world.users["leader"], warning=w, reason="退回中心", to_user=None)
    _hand(world, w, "police_cg")
    clocks = [e.data["clock"] for e in Warning.objects.get(pk=w.pk).events.filter(kind=EventKind.HANDED_OVER)]
    assert [c["contact"] for c in clocks] == ["on_time", None]
    assert clocks[1]["from_assignee"] is None  # nobody holds a warning in the queue
    totals = selectors.summary(Warning.objects.all())[0]
    assert (totals["contacted_on_time"], totals["contact_due"]) == (1, 1)
    people = _people(Warning.objects.all(), timezone.now())
    assert people[(world.orgs["城东社区居委会"].pk, grid.pk)]["contact_due"] == 1


# ── 2. a seeded random day, recomputed from the rows ─────────────────────────────────────


@pytest.mark.parametrize("seed", (20261201, 11))
def test_per_person_figures_agree_with_the_rows(world, seed: int) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random(seed)
    world.users["grid_cd2"] = second_grid_worker(world)
    ledger = Ledger(Organisation.objects.get(name=CENTRE).pk)
    warnings = [_received(rng, n) for n in range(1, 31)] + _imported()
    for w in warnings:
        _work(world, rng, ledger, w)
    # two never reached, well past their 24 h: one still held, one then handed to the station
    for n in (61, 62):
        w = _shift(make_warning(n), MEDIUM_CONTACT + 120)
        if n == 62:
            ledger.leaving(w, world.orgs["城关派出所"].pk, timezone.now())
            _hand(world, w, "police_cg")
    _deactivate(world, ledger, "grid_cd2")
    sla_check()

    now = timezone.now()
    rows = list(Warning.objects.select_related("area", "organisation", "assignee"))
    kinds = {kind for *_, kind, _ in ledger.lines}
    assert kinds == {"ack", "contact"}  # the day handed on warnings with contact deadlines owed
    assert any(kind == "contact" and not on_time for *_, kind, on_time in ledger.lines)
    leader, station = world.users["leader"], world.users["police_lq"]
    for user, under in ((leader, ""), (station, world.area("龙泉乡").path)):
        qs, _ = selectors.filtered(user, {})
        chosen = [r for r in rows if r.area.path.startswith(under)]
        _same(_expected(chosen, ledger, _by_person, now), _people(qs, now), f"people {user.username}")
        totals = _expected(chosen, ledger, lambda w, by=None: (), now).get((), dict.fromkeys(COUNTED, 0))
        shown = selectors.summary(qs, now=now)[0]
        assert {c: shown[c] or 0 for c in COUNTED} == {c: totals[c] for c in COUNTED}, user.username


# ── 3. the page's scope and the export ───────────────────────────────────────────────────


def _two_townships(world: Any) -> None:
    _call(_ack(make_warning(1)))  # 城东社区: the grid worker of 城关镇
    make_warning(2, address="青溪县龙泉乡石桥村3组12号")  # 石桥村: the grid worker of 龙泉乡
    make_warning(3, transfer_in_progress=True)  # urgent, 城东社区: 城关派出所


def test_a_station_user_sees_only_its_own_people(world, client) -> None:  # type: ignore[no-untyped-def]
    _two_townships(world)
    page = login(client, world.users["police_lq"]).get(reverse("warning_stats"), {"tab": "people"})
    assert page.status_code == 200
    shown = {r["assignee_id"] for r in page.context["by_person"]}
    assert shown == {world.users["grid_sq"].pk}
    body = page.content.decode()
    assert "grid_sq" in body and "grid_cd" not in body and "police_cg" not in body
    assert "联系及时率" in body

    page = login(client, world.users["leader"]).get(reverse("warning_stats"), {"tab": "people"})
    everyone = {r["assignee_id"] for r in page.context["by_person"]}
    assert everyone == {world.users[u].pk for u in ("grid_cd", "grid_sq", "police_cg")}
    assert "by_unit" not in page.context  # the tab reads the per-person figures only


def test_the_stats_page_shows_the_contact_rate_per_unit_and_area(world, client) -> None:  # type: ignore[no-untyped-def]
    _two_townships(world)
    page = login(client, world.users["leader"]).get(reverse("warning_stats"))
    assert page.context["totals"]["contact_on_time_rate"] == "100.0%"
    units = {r["organisation__name"]: r["contact_on_time_rate"] for r in page.context["by_unit"]}
    assert units["城东社区居委会"] == "100.0%" and units["石桥村村委会"] == "—"
    assert page.content.decode().count("联系及时率") >= 3  # the totals, per area, per unit


def test_the_list_export_has_the_per_person_sheet(world, client) -> None:  # type: ignore[no-untyped-def]
    from openpyxl import load_workbook

    _two_townships(world)
    response = login(client, world.users["leader"]).get(reverse("warning_export"))
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["预警", "按人员", "按区划", "按单位"]
    header, *lines = list(book["按人员"].iter_rows(values_only=True))
    assert list(header) == exports.PERSON_HEADER
    column = {name: i for i, name in enumerate(header)}
    by_name = {line[column["承办人"]]: line for line in lines}
    assert set(by_name) == {"grid_cd", "grid_sq", "police_cg"}
    grid = by_name["grid_cd"]
    assert grid[column["承办单位"]] == "城东社区居委会"
    assert (grid[column["预警"]], grid[column["应按时联系"]], grid[column["按时联系"]]) == (1, 1, 1)
    assert grid[column["联系及时率"]] == "100.0%"
    assert by_name["grid_sq"][column["平均签收用时（分钟）"]] is None  # not acknowledged: no time


def test_a_line_of_no_unit_counts_on_the_row_of_no_unit(world) -> None:  # type: ignore[no-untyped-def]
    """A queue's clock no centre answered for (``from_organisation`` null, no centre covering the area)
    counts on the 中心待分派 row (no unit), as the warnings still waiting there do: SQLite reads a JSON
    null as the text "null", which the cast made unit 0 — a row of its own, named by no unit."""
    w = make_warning(1)
    clock = {"from_organisation": None, "from_assignee": None, "ack": "late", "contact": "missed"}
    WarningEvent.objects.create(warning=w, at=w.received_at, kind=EventKind.ROUTED, data={"clock": clock})
    units = {r["organisation_id"]: r for r in selectors.summary(Warning.objects.all(), ("organisation_id",))}
    assert set(units) == {None, w.organisation_id}
    assert (units[None]["ack_due"], units[None]["contact_due"]) == (1, 1)
    people = _people(Warning.objects.all(), timezone.now())
    assert (None, None) in people and (0, None) not in people and (None, 0) not in people
