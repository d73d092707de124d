"""The history line of a breach (超时督办) names only the supervisors who were told: a unit without a
head, a unit without a parent or with one whose jurisdiction does not cover the warning, is not said
to have been told (the line read “通知单位负责人、上级单位和反诈中心” whoever was). ``head_cg`` is
城关派出所's head; 城东社区居委会 has neither a head nor a parent unit (tests.personas)."""

from __future__ import annotations

import datetime as dt

from fanzha.core.models import Organisation, User
from fanzha.warnings.escalation import sla_check
from fanzha.warnings.models import EventKind, Warning
from tests.warnings.helpers import make_warning
from tests.warnings.test_escalation_jurisdiction import _unit, _user


def _breached_line(warning: Warning, minutes: int) -> str:
    """Move the warning's clock ``minutes`` into the past, run the SLA job once: its breach's line."""
    delta = dt.timedelta(minutes=minutes)
    fields = ("received_at", "due_ack_at", "due_contact_at", "remind_ack_at", "remind_contact_at")
    Warning.objects.filter(pk=warning.pk).update(**{f: getattr(warning, f) - delta for f in fields})
    assert sla_check().escalated == 1
    message: str = warning.events.get(kind=EventKind.ESCALATED).message
    return message


def test_a_unit_without_a_head_or_a_parent_names_only_the_centre(world) -> None:  # type: ignore[no-untyped-def]
    warning = make_warning(1)  # medium: to 城东社区's grid worker
    assert _breached_line(warning, 300) == "签收超时，已升级督办（已通知反诈中心）"


def test_a_station_whose_parent_does_not_cover_the_warning_names_its_head_and_the_centre(world) -> None:  # type: ignore[no-untyped-def]
    office = _unit(world, "龙泉乡综治办", "other", "龙泉乡", above="城关派出所")
    _user("office_head", office, ["unit_leader"])
    warning = make_warning(1, transfer_in_progress=True)  # urgent: to 城关派出所, in 城东社区
    assert _breached_line(warning, 6) == "签收超时，已升级督办（已通知单位负责人和反诈中心）"


def test_a_head_a_covering_parent_and_the_centre_are_all_named(world) -> None:  # type: ignore[no-untyped-def]
    township = _unit(world, "城关镇人民政府", "township_government", "城关镇", above="城东社区居委会")
    _user("town_cg", township, ["unit_leader"])
    _user("head_cd", world.orgs["城东社区居委会"], ["unit_leader"])
    line = _breached_line(make_warning(1), 300)
    assert line == "签收超时，已升级督办（已通知单位负责人、上级单位和反诈中心）"


def test_a_covering_parent_without_a_head_of_the_unit_names_the_parent_and_the_centre(world) -> None:  # type: ignore[no-untyped-def]
    township = _unit(world, "城关镇人民政府", "township_government", "城关镇", above="城东社区居委会")
    _user("town_cg", township, ["unit_leader"])
    line = _breached_line(make_warning(1), 300)
    assert line == "签收超时，已升级督办（已通知上级单位和反诈中心）"


def test_a_centre_above_the_station_is_named_once_as_the_centre(world) -> None:  # type: ignore[no-untyped-def]
    Organisation.objects.filter(pk=world.orgs["城关派出所"].pk).update(parent=world.orgs["青溪县反诈中心"])
    warning = make_warning(1, transfer_in_progress=True)
    assert _breached_line(warning, 6) == "签收超时，已升级督办（已通知单位负责人和反诈中心）"


def test_a_breach_nobody_above_the_holder_could_be_told_of_says_so(world) -> None:  # type: ignore[no-untyped-def]
    User.objects.filter(pk__in=[world.users["leader"].pk, world.users["analyst"].pk]).update(is_active=False)
    line = _breached_line(make_warning(1), 300)
    assert line == "签收超时，已升级督办（无可通知的督办人员）"
