"""One rule for the centre's queue (中心待分派): whichever way a warning leaves it for a unit — the
centre's placement (test_s22_clock_attribution.py), a dispatcher's handover (转交), a later report whose
address places it — the queue's clock is kept on that line and counted against the centre: on time if it
left by the queue's deadline to acknowledge, late after it. A warning still waiting past its deadline is
counted on the queue's own row, as before."""

from __future__ import annotations

from django.utils import timezone

from fanzha.core.models import Organisation
from fanzha.core.services import organisations as org_services
from fanzha.warnings import bulk, selectors, services, sla
from fanzha.warnings.intake import WarningInput, clean_warning
from fanzha.warnings.models import EventKind, Status, Warning
from fanzha.warnings.workflow import warning_acknowledge, warning_handover
from tests.personas import PASSWORD
from tests.warnings.helpers import make_warning
from tests.warnings.test_s20_handover_clock import _shift
from tests.warnings.test_s22_clock_attribution import _figures, _queued, _units

CENTRE, GRID, POLICE = "青溪县反诈中心", "城东社区居委会", "城关派出所"
PLACING_ADDRESS = "青溪县城关镇城东社区幸福路1号"


# ── 1. a dispatcher's handover (转交) out of the queue ──────────────────────────────────


def _back_in_the_queue(world, minutes: int) -> Warning:  # type: ignore[no-untyped-def]
    """A medium warning the grid worker handed back to the centre's queue at once (its own deadline
    kept: not counted), then ``minutes`` of the queue's 4 h gone."""
    warning = warning_handover(
        actor=world.users["grid_cd"], warning=make_warning(1), reason="不属本辖区", to_user=None
    )
    assert warning.status == Status.NEW and warning.organisation_id is None
    return _shift(warning, minutes, received=False)


def _dispatch(world, warning: Warning, actor: str = "leader") -> Warning:  # type: ignore[no-untyped-def]
    handed = warning_handover(
        actor=world.users[actor], warning=warning, reason="派民警", to_user=world.users["police_cg"]
    )
    handed.refresh_from_db()
    return handed


def _out_of_queue(warning: Warning, kind: str) -> dict:  # type: ignore[type-arg]
    return warning.events.filter(kind=kind).latest("id").data["clock"]


def test_a_dispatch_after_the_queues_deadline_counts_late_against_the_dispatchers_centre(world) -> None:  # type: ignore[no-untyped-def]
    queued = _back_in_the_queue(world, 300)
    due_ack = queued.due_ack_at
    handed = _dispatch(world, queued)
    clock = _out_of_queue(handed, EventKind.HANDED_OVER)
    assert clock["from_organisation"] == world.orgs[CENTRE].pk and clock["queue"] is True
    assert clock["ack"] == "late" and clock["due_ack_at"] == due_ack.isoformat()
    warning_acknowledge(actor=world.users["police_cg"], warning=handed, version=handed.version)
    units = _units()
    assert _figures(units[CENTRE]) == (0, 1, "0.0%")  # the queue's 5 h, the centre's
    assert _figures(units[POLICE]) == (1, 1, "100.0%")  # acknowledged on its own clock
    assert None not in units  # the queue's row: nothing waits there, nothing counted on it


def test_a_dispatch_within_the_queues_window_counts_for_the_centre_as_on_time(world) -> None:  # type: ignore[no-untyped-def]
    handed = _dispatch(world, _back_in_the_queue(world, 60))
    assert _out_of_queue(handed, EventKind.HANDED_OVER)["ack"] == "on_time"
    units = _units()
    assert _figures(units[CENTRE]) == (1, 1, "100.0%")  # before: counted nowhere
    assert units[POLICE]["ack_due"] == 0  # its own time has not run out yet


def test_a_dispatcher_of_another_unit_charges_the_centre_owning_the_queue(world) -> None:  # type: ignore[no-untyped-def]
    world.users["dispatcher_cg"] = org_services.user_create(  # a station's user who dispatches
        actor=None,
        username="dispatcher_cg",
        password=PASSWORD,
        organisation=world.orgs[POLICE],
        roles=["centre_analyst"],
    )
    handed = _dispatch(world, _back_in_the_queue(world, 300), actor="dispatcher_cg")
    clock = _out_of_queue(handed, EventKind.HANDED_OVER)
    assert clock["from_organisation"] == world.orgs[CENTRE].pk  # the queue's centre, not the station
    assert _figures(_units()[CENTRE]) == (0, 1, "0.0%")


def test_a_warning_still_waiting_past_the_queues_deadline_counts_on_the_queues_row(world) -> None:  # type: ignore[no-untyped-def]
    _back_in_the_queue(world, 300)
    units = _units()
    assert _figures(units[None]) == (0, 1, "0.0%")  # 中心待分派, as before
    assert CENTRE not in units


# ── 2. a later report whose address places a queued warning ─────────────────────────────


def _placed_by_a_later_report(lost: Warning) -> Warning:
    merged = make_warning(2, id_number=lost.person.id_number, address=PLACING_ADDRESS, phone="")
    assert merged.pk == lost.pk and merged.assignee is not None
    merged.refresh_from_db()
    return merged


def test_a_later_reports_placement_after_the_deadline_counts_late_against_the_centre(world) -> None:  # type: ignore[no-untyped-def]
    lost = _queued(300)
    due_ack, due_contact = lost.due_ack_at, lost.due_contact_at
    placed = _placed_by_a_later_report(lost)
    line = placed.events.filter(kind=EventKind.ROUTED).latest("id")
    clock = line.data["clock"]
    assert clock["from_organisation"] == world.orgs[CENTRE].pk  # nobody acted: the queue's centre
    assert clock["queue"] is True and clock["ack"] == "late" and clock["placed_at"] == line.at.isoformat()
    assert clock["due_ack_at"] == due_ack.isoformat() and clock["due_contact_at"] == due_contact.isoformat()
    assert placed.due_ack_at > timezone.now()  # the unit's own clock, from the placement
    warning_acknowledge(actor=placed.assignee, warning=placed, version=placed.version)
    units = _units()
    assert _figures(units[CENTRE]) == (0, 1, "0.0%")
    assert _figures(units[GRID]) == (1, 1, "100.0%")
    totals = selectors.summary(Warning.objects.all())[0]
    assert (totals["acked_on_time"], totals["ack_due"]) == (1, 2)  # the queue's and the unit's


def test_a_later_reports_placement_within_the_window_counts_for_the_centre_as_on_time(world) -> None:  # type: ignore[no-untyped-def]
    placed = _placed_by_a_later_report(_queued(60))
    assert placed.events.filter(kind=EventKind.ROUTED).latest("id").data["clock"]["ack"] == "on_time"
    units = _units()
    assert _figures(units[CENTRE]) == (1, 1, "100.0%")
    assert units[GRID]["ack_due"] == 0


def _later_row(lost: Warning, n: int) -> tuple[WarningInput, object]:
    data = WarningInput(
        source="上级推送",
        source_id=f"T{n:05d}",
        name=f"测试{n}",
        id_number=lost.person.id_number,
        address=PLACING_ADDRESS,
        fraud_type="网络游戏产品虚假交易",
        warned_at="2026-11-28 09:00:00",
    )
    return data, clean_warning(data, now=timezone.now())


def test_a_file_imports_placement_keeps_the_queues_clock_and_reads_the_centres_once(
    world, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    first = _queued(300)
    second = _shift(make_warning(3, address="青溪县某某新村9号", phone=""), 60)
    assert second.organisation_id is None
    reads = []
    original = sla.centres
    monkeypatch.setattr(sla, "centres", lambda: reads.append(1) or original())
    rows = [_later_row(first, 4), _later_row(second, 5)]
    results = bulk.receive_many(intake=services.Intake(), rows=rows)  # type: ignore[arg-type]
    assert [r.outcome for r in results] == [services.MERGED, services.MERGED]
    assert len(reads) == 1  # once a run, not once a row
    late, on_time = (_out_of_queue(Warning.objects.get(pk=w.pk), EventKind.ROUTED) for w in (first, second))
    assert (late["from_organisation"], late["ack"]) == (world.orgs[CENTRE].pk, "late")
    assert (on_time["from_organisation"], on_time["ack"]) == (world.orgs[CENTRE].pk, "on_time")
    assert _figures(_units()[CENTRE]) == (1, 2, "50.0%")


def test_the_narrowest_centre_covering_the_queue_owns_it(world) -> None:  # type: ignore[no-untyped-def]
    lost = _queued(300)  # waiting at 青溪县, the county centre's queue
    Organisation.objects.create(name="江州市反诈中心", kind="centre", area=world.area("江州市"))
    placed = _placed_by_a_later_report(lost)
    clock = placed.events.filter(kind=EventKind.ROUTED).latest("id").data["clock"]
    assert clock["from_organisation"] == world.orgs[CENTRE].pk  # not the city's


def test_with_no_centre_covering_the_queue_its_time_counts_on_the_queues_row(world) -> None:  # type: ignore[no-untyped-def]
    lost = _queued(300)
    Organisation.objects.filter(pk=world.orgs[CENTRE].pk).update(is_active=False)
    placed = _placed_by_a_later_report(lost)
    assert placed.events.filter(kind=EventKind.ROUTED).latest("id").data["clock"]["from_organisation"] is None
    units = _units()
    assert _figures(units[None]) == (0, 1, "0.0%")  # 中心待分派, consistently with a handover's none
    assert CENTRE not in units


def test_queue_owner_picks_the_narrowest_covering_centre() -> None:
    known = [(1, ["/a/"]), (2, ["/a/b/"]), (3, ["/c/", "/a/b/"])]
    assert sla.queue_owner("/a/b/x/", known) == 2  # the narrowest; of two alike the first made
    assert sla.queue_owner("/a/z/", known) == 1
    assert sla.queue_owner("/q/", known) is None


# ── 4. a later report raising a queued warning to the police's grades ──────────────────────


def test_a_regrade_routing_a_queued_warning_to_the_station_counts_the_queues_time_for_the_centre(
    world,
) -> None:  # type: ignore[no-untyped-def]
    queued = _back_in_the_queue(world, 300)  # medium, past the queue's 4 h to act
    due_ack = queued.due_ack_at
    raised = make_warning(2, id_number=queued.person.id_number, amount="20000")
    assert raised.pk == queued.pk and raised.organisation.name == POLICE
    line = raised.events.filter(kind=EventKind.ROUTED).latest("id")
    clock = line.data["clock"]
    assert clock["from_organisation"] == world.orgs[CENTRE].pk and clock["queue"] is True
    assert clock["ack"] == "late" and clock["due_ack_at"] == due_ack.isoformat()
    assert raised.due_ack_at > timezone.now()  # the station's own clock, from the re-routing
    assert _figures(_units()[CENTRE]) == (0, 1, "0.0%")
