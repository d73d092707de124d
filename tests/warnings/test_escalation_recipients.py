"""Whom a missed deadline is escalated to (超时督办): the heads of the assignee's own unit, the leaders
of its parent unit — the whole unit only when nobody there holds a leader-type role — and the covering
centre's leaders and analysts; never an account that could not open the warning. ``head_cg`` is
城关派出所's head (tests/warnings/test_escalation_unit_heads.py covers the heads)."""

from __future__ import annotations

import datetime as dt

from fanzha.core.models import Organisation, User
from fanzha.core.services import organisations as org_services
from fanzha.jobs.models import Notification
from fanzha.warnings.escalation import sla_check
from fanzha.warnings.models import Warning
from tests.personas import PASSWORD
from tests.warnings.helpers import make_warning


def _breached(warning: Warning, minutes: int) -> None:
    """Move the warning's clock ``minutes`` into the past and run the SLA job: escalated once."""
    delta = dt.timedelta(minutes=minutes)
    fields = ("received_at", "due_ack_at", "due_contact_at", "remind_ack_at", "remind_contact_at")
    Warning.objects.filter(pk=warning.pk).update(**{f: getattr(warning, f) - delta for f in fields})
    assert sla_check().escalated == 1


def _escalation() -> tuple[set[str], str]:
    notices = Notification.objects.filter(title__startswith="预警超时督办")
    bodies = set(notices.values_list("body", flat=True))
    assert len(bodies) == 1  # one notice, the same for everyone told
    return set(notices.values_list("recipient__username", flat=True)), bodies.pop()


def _user(world, username: str, org: str, roles: list[str]) -> User:  # type: ignore[no-untyped-def]
    return org_services.user_create(
        actor=None, username=username, password=PASSWORD, organisation=world.orgs[org], roles=roles
    )


def _parent(world, unit: str, parent: Organisation) -> None:  # type: ignore[no-untyped-def]
    Organisation.objects.filter(pk=world.orgs[unit].pk).update(parent=parent)


def test_it_tells_the_parent_units_leaders_not_all_its_accounts(world) -> None:  # type: ignore[no-untyped-def]
    bureau = org_services.organisation_create(
        actor=None, name="青溪县公安局", kind="other", area=world.area("青溪县")
    )
    world.orgs[bureau.name] = bureau
    _user(world, "chief", bureau.name, ["centre_leader"])
    for n in range(3):
        _user(world, f"duty{n}", bureau.name, ["police_officer"])
    _parent(world, "城关派出所", bureau)
    warning = make_warning(1, transfer_in_progress=True)  # urgent: to 城关派出所
    assert warning.assignee == world.users["police_cg"]
    _breached(warning, 6)
    told, body = _escalation()
    assert told == {"police_cg", "head_cg", "chief", "leader", "analyst"}
    assert "上级单位" not in body


def test_a_parent_unit_without_a_leader_is_told_whole_and_the_notice_says_so(world) -> None:  # type: ignore[no-untyped-def]
    User.objects.filter(pk=world.users["head_cg"].pk).update(is_active=False)  # the station's head has left
    for n in range(3):
        _user(world, f"officer{n}", "城关派出所", ["police_officer"])
    _user(world, "station_admin", "城关派出所", ["sysadmin"])  # cannot open a warning
    gone = _user(world, "retired", "城关派出所", ["police_officer"])
    User.objects.filter(pk=gone.pk).update(is_active=False)
    _parent(world, "城东社区居委会", world.orgs["城关派出所"])
    warning = make_warning(1)  # medium: to 城东社区's grid worker
    assert warning.assignee == world.users["grid_cd"]
    _breached(warning, 300)
    told, body = _escalation()
    assert told == {"grid_cd", "police_cg", "officer0", "officer1", "officer2", "leader", "analyst"}
    assert (
        "上级单位城关派出所无人担任督办角色（中心领导、单位负责人），已通知该单位全部可查看预警的人员（4 人）"
        in body
    )


def test_a_centre_above_a_station_tells_its_leaders_and_analysts_only(world) -> None:  # type: ignore[no-untyped-def]
    _parent(world, "城关派出所", world.orgs["青溪县反诈中心"])
    _breached(make_warning(1, transfer_in_progress=True), 6)
    told, body = _escalation()
    # the station's head; of the centre not the auditor nor the administrator
    assert told == {"police_cg", "head_cg", "leader", "analyst"}
    assert "上级单位" not in body


def test_a_parent_unit_nobody_there_could_open_is_named_in_the_notice(world) -> None:  # type: ignore[no-untyped-def]
    User.objects.filter(pk__in=[world.users["police_cg"].pk, world.users["head_cg"].pk]).update(
        is_active=False
    )
    _user(world, "station_admin", "城关派出所", ["sysadmin"])
    _parent(world, "城东社区居委会", world.orgs["城关派出所"])
    _breached(make_warning(1), 300)
    told, body = _escalation()
    assert told == {"grid_cd", "leader", "analyst"}
    assert "上级单位城关派出所无可查看预警的在岗人员，未能通知。" in body


def test_a_deactivated_parent_unit_is_not_told(world) -> None:  # type: ignore[no-untyped-def]
    _parent(world, "城东社区居委会", world.orgs["城关派出所"])
    Organisation.objects.filter(pk=world.orgs["城关派出所"].pk).update(is_active=False)
    _breached(make_warning(1), 300)
    told, _ = _escalation()
    assert told == {"grid_cd", "leader", "analyst"}
