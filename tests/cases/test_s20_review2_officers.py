"""更换承办民警 (s20 review 2): the new officer is checked as they are now, and the list of eligible
officers takes a fixed number of queries however many users there are."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from fanzha.cases import services
from fanzha.cases.models import Case
from fanzha.core.models import User, UserRole
from fanzha.core.services import organisations as org_services
from tests.cases.helpers import make_case
from tests.cases.test_s20_case_reassign import colleague


def _stale(user: User) -> User:
    """The officer as the form read them: organisation and roles loaded and cached."""
    copy = User.objects.select_related("organisation").get(pk=user.pk)
    assert copy.role_codes
    return copy


def _reassign(world, case, officer):  # type: ignore[no-untyped-def]
    return services.case_reassign(actor=world.users["leader"], case=case, officer=officer, reason="休假")


def test_an_officer_transferred_after_being_read_is_refused(world) -> None:  # type: ignore[no-untyped-def]
    case = make_case(world)
    officer = _stale(colleague(world))  # read while in 城关派出所
    org_services.user_update(
        actor=world.users["admin"],
        user=User.objects.get(pk=officer.pk),
        organisation=world.orgs["龙泉派出所"],
    )
    with pytest.raises(ValidationError) as refused:
        _reassign(world, case, officer)
    assert "officer" in refused.value.message_dict
    assert Case.objects.get(pk=case.pk).officer == world.users["police_cg"]


def test_an_officer_whose_roles_changed_after_being_read_is_refused(world) -> None:  # type: ignore[no-untyped-def]
    case = make_case(world)
    officer = _stale(colleague(world))  # read as 派出所民警
    UserRole.objects.filter(user=officer).update(role="auditor")
    with pytest.raises(ValidationError) as refused:
        _reassign(world, case, officer)
    assert "officer" in refused.value.message_dict
    assert Case.objects.get(pk=case.pk).officer == world.users["police_cg"]


def test_a_fresh_officer_still_gets_the_case(world) -> None:  # type: ignore[no-untyped-def]
    case = make_case(world)
    officer = _stale(colleague(world))
    assert _reassign(world, case, officer).officer == officer


def _more_officers(world, count: int) -> None:  # type: ignore[no-untyped-def]
    units = ["城关派出所", "龙泉派出所", "青溪县反诈中心"]
    for n in range(count):
        roles = ["centre_leader"] if units[n % 3] == "青溪县反诈中心" else ["police_officer"]
        colleague(world, username=f"extra_{n}", org=units[n % 3], roles=roles)


def _queries(run) -> int:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as captured:
        run()
    return len(captured)


def test_eligible_officers_takes_the_same_queries_for_more_users(world) -> None:  # type: ignore[no-untyped-def]
    case = make_case(world)
    before = _queries(lambda: services.eligible_officers(case))
    _more_officers(world, 9)
    eligible: list[User] = []
    after = _queries(lambda: eligible.extend(services.eligible_officers(case)))
    assert after == before <= 3
    names = {u.username for u in eligible}
    assert {"extra_0", "extra_2", "extra_3", "police_cg", "leader"} <= names  # 城关 and the centre
    assert "extra_1" not in names and "police_lq" not in names  # 龙泉 does not cover 城东社区


def test_the_reassign_page_takes_the_same_queries_for_more_users(world, client) -> None:  # type: ignore[no-untyped-def]
    case = make_case(world)
    client.force_login(world.users["leader"])
    url = reverse("case_reassign", kwargs={"pk": case.pk})

    def page() -> None:
        assert client.get(url).status_code == 200

    page()  # the session and caches warmed
    before = _queries(page)
    _more_officers(world, 9)
    assert _queries(page) == before
