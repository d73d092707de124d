"""A transfer or a role change checks the user as they are now (s20 review 2).

``user_update`` and ``user_set_roles`` lock the user's row and read it afresh: another administrator's
role change or transfer made after the page (or the import) read the user is what is checked, not the
copy the caller holds. On PostgreSQL a case given to the user meanwhile waits for the transfer and is
then refused (the user is no longer in a unit covering the case's area).
"""

from __future__ import annotations

import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from fanzha.cases import services as case_services
from fanzha.core.models import User, UserRole
from fanzha.core.services import organisations as org_services
from tests.cases.helpers import make_case
from tests.cases.test_s20_case_reassign import colleague
from tests.personas import build_world


def _stale(world, username: str) -> User:  # type: ignore[no-untyped-def]
    """The user as a page read them: organisation and roles loaded and cached."""
    user = User.objects.select_related("organisation").get(pk=world.users[username].pk)
    assert user.role_codes  # cached from now on
    return user


def _roles(user: User) -> set[str]:
    return set(UserRole.objects.filter(user_id=user.pk).values_list("role", flat=True))


def test_a_transfer_checks_the_roles_given_after_the_user_was_read(world) -> None:  # type: ignore[no-untyped-def]
    auditor = _stale(world, "auditor")  # 审计员: a role a bank's user may hold
    org_services.user_set_roles(
        actor=world.users["admin"], user=User.objects.get(pk=auditor.pk), roles=["centre_analyst"]
    )
    with pytest.raises(ValidationError) as refused:
        org_services.user_update(
            actor=world.users["admin"], user=auditor, organisation=world.orgs["工商银行青溪支行"]
        )
    assert "按辖区查看记录的角色" in " ".join(refused.value.message_dict["organisation"])
    assert User.objects.get(pk=auditor.pk).organisation == world.orgs["青溪县反诈中心"]


def test_a_transfer_compares_with_the_unit_the_user_is_in_now(world) -> None:  # type: ignore[no-untyped-def]
    grid_sq = _stale(world, "grid_sq")  # read while in 石桥村村委会
    org_services.user_update(
        actor=world.users["admin"],
        user=User.objects.get(pk=grid_sq.pk),
        organisation=world.orgs["城东社区居委会"],
    )
    changed = org_services.user_update(
        actor=world.users["admin"], user=grid_sq, organisation=world.orgs["石桥村村委会"]
    )
    assert changed == ["organisation"]
    assert User.objects.get(pk=grid_sq.pk).organisation == world.orgs["石桥村村委会"]


def test_the_callers_copy_shows_the_change(world) -> None:  # type: ignore[no-untyped-def]
    grid_sq = world.users["grid_sq"]
    org_services.user_update(
        actor=world.users["admin"],
        user=grid_sq,
        display_name="张丽",
        organisation=world.orgs["城东社区居委会"],
    )
    assert grid_sq.display_name == "张丽" and grid_sq.organisation == world.orgs["城东社区居委会"]


def test_roles_are_checked_against_the_unit_the_user_was_moved_to_meanwhile(world) -> None:  # type: ignore[no-untyped-def]
    auditor = _stale(world, "auditor")  # read while in the centre
    org_services.user_update(
        actor=world.users["admin"],
        user=User.objects.get(pk=auditor.pk),
        organisation=world.orgs["工商银行青溪支行"],
    )
    with pytest.raises(ValidationError) as refused:
        org_services.user_set_roles(actor=world.users["admin"], user=auditor, roles=["centre_analyst"])
    assert "roles" in refused.value.message_dict
    assert _roles(auditor) == {"auditor"}


def test_a_role_change_starts_from_the_roles_held_now(world) -> None:  # type: ignore[no-untyped-def]
    analyst = _stale(world, "analyst")  # read holding centre_analyst only
    UserRole.objects.create(user=analyst, role="auditor")  # given meanwhile
    assert org_services.user_set_roles(
        actor=world.users["admin"], user=analyst, roles=["auditor", "centre_analyst"]
    ) == ["auditor", "centre_analyst"]
    assert _roles(analyst) == {"auditor", "centre_analyst"}
    assert analyst.role_codes == {"auditor", "centre_analyst"}  # the caller's copy is read again


def test_an_administrator_cannot_add_a_role_to_themselves_with_a_stale_copy(world) -> None:  # type: ignore[no-untyped-def]
    admin = world.users["admin"]
    stale = _stale(world, "admin")
    UserRole.objects.create(user=admin, role="auditor")  # the copy thinks it was held ...
    stale._role_codes = frozenset({"sysadmin", "auditor", "centre_analyst"})  # ... and this too
    with pytest.raises(ValidationError) as refused:
        org_services.user_set_roles(actor=admin, user=stale, roles=["sysadmin", "auditor", "centre_analyst"])
    assert "不能给自己增加角色" in " ".join(refused.value.message_dict["roles"])
    assert _roles(admin) == {"sysadmin", "auditor"}


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_case_given_during_a_transfer_waits_for_it_on_postgresql(allow_audit_flush) -> None:  # type: ignore[no-untyped-def]
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: row locks across separate connections")
    world = build_world()
    case = make_case(world)
    moving = colleague(world)
    outcome: list[object] = []

    def reassign() -> None:
        try:
            officer = User.objects.get(pk=moving.pk)  # read before the transfer commits: still 城关
            case_services.case_reassign(
                actor=world.users["leader"], case=case, officer=officer, reason="休假"
            )
            outcome.append("reassigned")
        except ValidationError as exc:
            outcome.append(exc)
        finally:
            connection.close()

    with transaction.atomic():
        org_services.user_update(
            actor=world.users["admin"], user=moving, organisation=world.orgs["龙泉派出所"]
        )
        other = threading.Thread(target=reassign)
        other.start()
        time.sleep(0.5)
        assert other.is_alive()  # waits for the transfer's lock on the user's row
    other.join(timeout=10)
    assert len(outcome) == 1 and isinstance(outcome[0], ValidationError)
    assert case_services.Case.objects.get(pk=case.pk).officer == world.users["police_cg"]
    assert User.objects.get(pk=moving.pk).organisation == world.orgs["龙泉派出所"]
