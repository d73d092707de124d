"""Changing an account's 姓名, 工作电话 or 单位 (s20): ``user_update``.

A grid worker moved to another village or an officer transferred to another station keeps their
account. A transfer (调动) keeps the roles within what the new unit's kind allows, never goes into a
deactivated unit or moves the administrator themselves, and waits until the warnings and cases the user
holds in the old unit's jurisdiction are handed over.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fanzha.audit.models import AuditEvent
from fanzha.core.models import User
from fanzha.core.services import organisations as org_services
from fanzha.warnings import workflow
from fanzha.warnings.models import Status
from tests.cases.helpers import make_case
from tests.warnings.helpers import make_warning


def _update(world, username: str, actor: str = "admin", **changes):  # type: ignore[no-untyped-def]
    return org_services.user_update(actor=world.users[actor], user=world.users[username], **changes)


def _refusal(refused) -> str:  # type: ignore[no-untyped-def]
    return " ".join(refused.value.message_dict["organisation"])


def _updates_of(user: User):  # type: ignore[no-untyped-def]
    return AuditEvent.objects.filter(action="record.update", object_type="core.user", object_id=str(user.pk))


def test_name_and_phone_change_and_are_audited_by_field_name_only(world) -> None:  # type: ignore[no-untyped-def]
    grid_sq = world.users["grid_sq"]
    assert _update(world, "grid_sq", display_name=" 张丽 ", work_phone="0571-5550009") == [
        "display_name",
        "work_phone",
    ]
    stored = User.objects.get(pk=grid_sq.pk)
    assert (stored.display_name, stored.work_phone) == ("张丽", "0571-5550009")
    (event,) = _updates_of(grid_sq)
    assert event.actor_id == world.users["admin"].pk
    assert sorted(event.fields) == ["display_name", "work_phone"]
    assert event.details == {}
    assert "5550009" not in str(AuditEvent.objects.filter(pk=event.pk).values().get())


def test_nothing_given_or_the_same_values_change_nothing(world) -> None:  # type: ignore[no-untyped-def]
    grid_sq = world.users["grid_sq"]
    assert _update(world, "grid_sq") == []
    assert _update(world, "grid_sq", display_name="", organisation=world.orgs["石桥村村委会"]) == []
    assert not _updates_of(grid_sq).exists()


def test_a_grid_worker_moves_to_another_village(world) -> None:  # type: ignore[no-untyped-def]
    grid_sq = world.users["grid_sq"]
    assert _update(world, "grid_sq", organisation=world.orgs["城东社区居委会"]) == ["organisation"]
    assert User.objects.get(pk=grid_sq.pk).organisation == world.orgs["城东社区居委会"]
    assert _updates_of(grid_sq).get().fields == ["organisation"]


def test_only_who_manages_users_may_change_them(world) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(PermissionDenied):
        _update(world, "grid_sq", actor="leader", display_name="张丽")
    assert User.objects.get(pk=world.users["grid_sq"].pk).display_name == ""


def test_a_phone_longer_than_the_form_allows_is_refused(world) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as refused:
        _update(world, "grid_sq", work_phone="1" * 33)
    assert refused.value.message_dict["work_phone"] == ["工作电话不能超过 32 个字符"]


def test_roles_must_fit_the_new_units_kind(world) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as refused:
        _update(world, "police_cg", display_name="周强", organisation=world.orgs["工商银行青溪支行"])
    message = _refusal(refused)
    assert "银行、运营商单位的用户不能担任按辖区查看记录的角色" in message and "派出所民警" in message
    stored = User.objects.get(pk=world.users["police_cg"].pk)
    assert (stored.organisation.name, stored.display_name) == ("城关派出所", "")  # nothing half-saved
    assert not _updates_of(stored).exists()


def test_a_deactivated_unit_is_refused(world) -> None:  # type: ignore[no-untyped-def]
    org_services.organisation_update(
        actor=world.users["admin"], organisation=world.orgs["龙泉派出所"], is_active=False
    )
    with pytest.raises(ValidationError) as refused:
        _update(world, "police_cg", organisation=world.orgs["龙泉派出所"])
    assert _refusal(refused) == "“龙泉派出所”已停用，不能调入用户"


def test_the_administrator_cannot_move_themselves(world) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as refused:
        _update(world, "admin", organisation=world.orgs["城关派出所"])
    assert _refusal(refused) == "不能调动自己的单位，请由另一位系统管理员办理"
    assert _update(world, "admin", display_name="系统管理员甲") == ["display_name"]  # their name: yes


def test_open_warnings_held_refuse_the_transfer_until_handed_over(world) -> None:  # type: ignore[no-untyped-def]
    grid_cd = world.users["grid_cd"]
    held = [make_warning(n) for n in (1, 2)]
    assert all(w.assignee_id == grid_cd.pk and w.status in ("assigned",) for w in held)
    with pytest.raises(ValidationError) as refused:
        _update(world, "grid_cd", organisation=world.orgs["石桥村村委会"])
    assert "还有 2 条未办结的预警由其承办（请先转交或改派他人）" in _refusal(refused)
    assert User.objects.get(pk=grid_cd.pk).organisation.name == "城东社区居委会"
    for warning in held:  # 转交 back to the centre's queue
        workflow.warning_handover(actor=grid_cd, warning=warning, reason="调动", to_user=None)
    assert _update(world, "grid_cd", organisation=world.orgs["石桥村村委会"]) == ["organisation"]


def test_a_closed_warning_does_not_hold_the_transfer(world) -> None:  # type: ignore[no-untyped-def]
    warning = make_warning(3)
    type(warning).objects.filter(pk=warning.pk).update(status=Status.CLOSED)
    assert _update(world, "grid_cd", organisation=world.orgs["石桥村村委会"]) == ["organisation"]


def test_open_cases_the_user_is_officer_of_refuse_the_transfer(world) -> None:  # type: ignore[no-untyped-def]
    cases = [make_case(world), make_case(world)]
    assert all(case.officer_id == world.users["police_cg"].pk for case in cases)
    with pytest.raises(ValidationError) as refused:
        _update(world, "police_cg", organisation=world.orgs["龙泉派出所"])
    assert "还是 2 起未结案件的承办民警" in _refusal(refused)
    type(cases[0]).objects.filter(pk__in=[c.pk for c in cases]).update(status="closed")
    assert _update(world, "police_cg", organisation=world.orgs["龙泉派出所"]) == ["organisation"]
