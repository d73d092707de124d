"""超时督办 reaches a supervisor only for a warning inside their unit's jurisdiction — the scope of the
warning list and page (``core.access``): a parent unit (a county bureau above a station, a township
above a village) whose area does not cover the warning's is not told, and nothing is said about it;
the assignee and the centre still are. ``head_cg`` is 城关派出所's head (tests.personas)."""

from __future__ import annotations

import datetime as dt

from fanzha.core.models import Organisation, User
from fanzha.core.services import organisations as org_services
from fanzha.jobs.models import Notification
from fanzha.warnings.escalation import sla_check
from fanzha.warnings.models import Warning
from tests.personas import PASSWORD
from tests.warnings.helpers import make_warning

ESCALATION = "预警超时督办"


def _breached(warning: Warning, minutes: int) -> None:
    """Move the warning's clock ``minutes`` into the past and run the SLA job: escalated once."""
    delta = dt.timedelta(minutes=minutes)
    fields = ("received_at", "due_ack_at", "due_contact_at", "remind_ack_at", "remind_contact_at")
    Warning.objects.filter(pk=warning.pk).update(**{f: getattr(warning, f) - delta for f in fields})
    assert sla_check().escalated == 1


def _told() -> list[str]:
    notices = Notification.objects.filter(title__startswith=ESCALATION)
    return sorted(notices.values_list("recipient__username", flat=True))


def _body() -> str:
    (body,) = set(Notification.objects.filter(title__startswith=ESCALATION).values_list("body", flat=True))
    return body


def _unit(world, name: str, kind: str, area: str, above: str) -> Organisation:  # type: ignore[no-untyped-def]
    """A unit at ``area``, made the parent unit of ``above``."""
    unit = org_services.organisation_create(actor=None, name=name, kind=kind, area=world.area(area))
    Organisation.objects.filter(pk=world.orgs[above].pk).update(parent=unit)
    return unit


def _user(username: str, unit: Organisation, roles: list[str]) -> User:
    return org_services.user_create(
        actor=None, username=username, password=PASSWORD, organisation=unit, roles=roles
    )


def test_a_parent_unit_whose_area_does_not_cover_the_warning_is_not_told(world) -> None:  # type: ignore[no-untyped-def]
    """城关派出所 filed under 龙泉乡's office: its head could not open a 城东社区 warning, and is not told."""
    office = _unit(world, "龙泉乡综治办", "other", "龙泉乡", above="城关派出所")
    _user("office_head", office, ["unit_leader"])
    warning = make_warning(1, transfer_in_progress=True)  # urgent: to 城关派出所, in 城东社区
    assert warning.assignee == world.users["police_cg"]
    _breached(warning, 6)
    assert _told() == ["analyst", "head_cg", "leader", "police_cg"]
    assert "上级单位" not in _body()


def test_a_township_above_a_village_of_another_township_is_not_told(world) -> None:  # type: ignore[no-untyped-def]
    township = _unit(world, "龙泉乡人民政府", "township_government", "龙泉乡", above="城东社区居委会")
    _user("town_lq", township, ["unit_leader"])
    _breached(make_warning(1), 300)  # medium: to 城东社区's grid worker
    assert _told() == ["analyst", "grid_cd", "leader"]


def test_a_parent_unit_outside_the_area_without_a_leader_is_neither_told_whole_nor_named(world) -> None:  # type: ignore[no-untyped-def]
    """Nobody there may see the warning: not a unit that failed to name a supervisor, so the notice says
    nothing about it (before: each of its accounts was told, or it was named as untold)."""
    township = _unit(world, "龙泉乡人民政府", "township_government", "龙泉乡", above="城东社区居委会")
    for n in range(2):
        _user(f"town_staff{n}", township, ["grid_worker"])
    _breached(make_warning(1), 300)
    assert _told() == ["analyst", "grid_cd", "leader"]
    assert "上级单位" not in _body()


def test_a_parent_unit_covering_the_area_by_its_jurisdiction_is_told(world) -> None:  # type: ignore[no-untyped-def]
    """A unit sitting elsewhere but covering 城关镇 (管辖区划) supervises its warnings."""
    bureau = _unit(world, "青溪县公安局治安大队", "other", "龙泉乡", above="城关派出所")
    bureau.covered_areas.set([world.area("城关镇")])
    _user("bureau_head", bureau, ["unit_leader"])
    _breached(make_warning(1, transfer_in_progress=True), 6)
    assert _told() == ["analyst", "bureau_head", "head_cg", "leader", "police_cg"]


def test_a_parent_unit_covering_only_another_township_is_not_told(world) -> None:  # type: ignore[no-untyped-def]
    """Sitting at the county but covering 龙泉乡 only: not the 城关镇 warning's supervisor."""
    bureau = _unit(world, "青溪县公安局治安大队", "other", "青溪县", above="城关派出所")
    bureau.covered_areas.set([world.area("龙泉乡")])
    _user("bureau_head", bureau, ["unit_leader"])
    _breached(make_warning(1, transfer_in_progress=True), 6)
    assert "bureau_head" not in _told()


def test_the_heads_of_a_unit_whose_jurisdiction_no_longer_holds_the_warning_are_not_told(world) -> None:  # type: ignore[no-untyped-def]
    """城关派出所 narrowed to 城西社区 while holding a 城东社区 warning: its head could no longer open it
    (the centre, told, hands it on); its holder is still told, as the holder."""
    warning = make_warning(1, transfer_in_progress=True)
    world.orgs["城关派出所"].covered_areas.set([world.area("城西社区")])
    _breached(warning, 6)
    assert _told() == ["analyst", "leader", "police_cg"]
