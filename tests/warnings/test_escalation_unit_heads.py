"""超时督办 reaches the unit head (单位负责人, ``unit_leader``): a station's 所长 is told when his own
officer misses a deadline, a township's 分管领导 when a grid worker of a village below it does; the
reminder before the deadline stays with the assignee. ``head_cg`` is 城关派出所's head (tests.personas)."""

from __future__ import annotations

import datetime as dt

from fanzha.core.models import Organisation, User, UserRole
from fanzha.core.services import organisations as org_services
from fanzha.jobs.models import Notification
from fanzha.warnings.escalation import sla_check
from fanzha.warnings.models import Warning
from tests.personas import PASSWORD
from tests.warnings.helpers import make_warning

ESCALATION = "预警超时督办"


def _shift(warning: Warning, minutes: int) -> None:
    """Move the warning's clock ``minutes`` into the past."""
    delta = dt.timedelta(minutes=minutes)
    fields = ("received_at", "due_ack_at", "due_contact_at", "remind_ack_at", "remind_contact_at")
    Warning.objects.filter(pk=warning.pk).update(**{f: getattr(warning, f) - delta for f in fields})


def _breached(warning: Warning, minutes: int) -> None:
    _shift(warning, minutes)
    assert sla_check().escalated == 1


def _told(title: str = ESCALATION) -> list[str]:
    """Who got a notice of ``title`` (one entry a notice: a name twice is a second notice)."""
    notices = Notification.objects.filter(title__startswith=title)
    return sorted(notices.values_list("recipient__username", flat=True))


def _user(world, username: str, org: Organisation, roles: list[str]) -> User:  # type: ignore[no-untyped-def]
    user = org_services.user_create(
        actor=None, username=username, password=PASSWORD, organisation=org, roles=roles
    )
    world.users[username] = user
    return user


def _township_government(world) -> Organisation:  # type: ignore[no-untyped-def]
    """城关镇人民政府, the parent unit of 城东社区居委会."""
    government = org_services.organisation_create(
        actor=None, name="城关镇人民政府", kind="township_government", area=world.area("城关镇")
    )
    Organisation.objects.filter(pk=world.orgs["城东社区居委会"].pk).update(parent=government)
    return government


def test_a_breach_by_a_station_officer_reaches_the_station_head(world) -> None:  # type: ignore[no-untyped-def]
    _user(world, "head_lq", world.orgs["龙泉派出所"], ["unit_leader"])  # another station's head
    warning = make_warning(1, transfer_in_progress=True)  # urgent: to 城关派出所
    assert warning.assignee == world.users["police_cg"]
    _breached(warning, 6)
    assert _told() == ["analyst", "head_cg", "leader", "police_cg"]
    line = warning.events.get(kind="escalated").message
    assert line == "签收超时，已升级督办（已通知单位负责人和反诈中心）"  # 城关派出所 has no parent unit


def test_the_colleagues_of_the_station_are_not_told(world) -> None:  # type: ignore[no-untyped-def]
    _user(world, "police_cg2", world.orgs["城关派出所"], ["police_officer"])
    warning = make_warning(1, transfer_in_progress=True)
    _breached(warning, 6)
    told = _told()
    assert "police_cg2" not in told and "head_cg" in told


def test_a_head_who_holds_the_warning_is_told_once_as_its_assignee(world) -> None:  # type: ignore[no-untyped-def]
    """The assignee is never their own supervisor: a head working a warning himself is told of its
    breach once (as its holder), and the unit's other head as its supervisor."""
    police = world.users["police_cg"]
    UserRole.objects.create(user=police, role="unit_leader")  # 教导员 who also works warnings
    warning = make_warning(1, transfer_in_progress=True)
    assert warning.assignee == police
    _breached(warning, 6)
    assert _told() == ["analyst", "head_cg", "leader", "police_cg"]  # police_cg once


def test_a_grid_workers_breach_reaches_the_township_head_not_all_its_accounts(world) -> None:  # type: ignore[no-untyped-def]
    government = _township_government(world)
    _user(world, "town_cg", government, ["unit_leader"])
    _user(world, "town_staff", government, ["grid_worker"])
    warning = make_warning(1)  # medium: to 城东社区's grid worker
    assert warning.assignee == world.users["grid_cd"]
    _breached(warning, 300)
    assert _told() == ["analyst", "grid_cd", "leader", "town_cg"]
    body = Notification.objects.filter(title__startswith=ESCALATION).values_list("body", flat=True)[0]
    assert "上级单位" not in body  # the township had a head: nothing to explain


def test_deactivated_heads_are_skipped(world) -> None:  # type: ignore[no-untyped-def]
    government = _township_government(world)
    town = _user(world, "town_cg", government, ["unit_leader"])
    User.objects.filter(pk__in=[town.pk, world.users["head_cg"].pk]).update(is_active=False)
    _breached(make_warning(1, transfer_in_progress=True), 6)
    assert _told() == ["analyst", "leader", "police_cg"]


def test_the_heads_of_a_deactivated_unit_are_skipped(world) -> None:  # type: ignore[no-untyped-def]
    """A warning still held by a deactivated station (left there before 停用后改派 existed): its head has
    lost every permission and could not open the notice."""
    warning = make_warning(1, transfer_in_progress=True)
    Organisation.objects.filter(pk=world.orgs["城关派出所"].pk).update(is_active=False)
    _breached(warning, 6)
    assert "head_cg" not in _told()


def test_the_reminder_before_the_deadline_stays_with_the_assignee(world) -> None:  # type: ignore[no-untyped-def]
    warning = make_warning(1, transfer_in_progress=True)  # urgent: 5 minutes, reminded at 4
    _shift(warning, 4)
    report = sla_check()
    assert report.reminded == 1 and report.escalated == 0
    assert _told("预警即将超时") == ["police_cg"]
