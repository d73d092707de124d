"""A deactivated organisation's users lose every permission at their next request (probe s19)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from fanzha.cases.models import Measure
from fanzha.core import access
from fanzha.core.models import User
from fanzha.core.services import organisations as org_services
from tests.cases.matrix import _case


def _deactivate(world, name: str) -> None:  # type: ignore[no-untyped-def]
    org_services.organisation_update(
        actor=world.users["admin"], organisation=world.orgs[name], is_active=False
    )


def test_a_deactivated_bank_no_longer_sees_its_requests(world, client) -> None:  # type: ignore[no-untyped-def]
    _case(world)
    assert Measure.objects.visible_to(world.users["bank"]).exists()
    client.force_login(world.users["bank"])
    _deactivate(world, "工商银行青溪支行")
    bank = User.objects.get(username="bank")
    assert not Measure.objects.visible_to(bank).exists()
    assert access.user_permissions(bank) == frozenset()
    refused = client.get(reverse("case_bank_queue"))  # and the open session ends (s20)
    assert refused.status_code == 302 and refused["Location"].startswith(reverse("login"))


def test_a_deactivated_village_committee_keeps_no_permission(world, client) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.users["grid_cd"])
    _deactivate(world, "城东社区居委会")
    assert access.user_permissions(User.objects.get(username="grid_cd")) == frozenset()
    for name in ("person_list", "area_list", "organisation_list"):  # the open session ends (s20)
        refused = client.get(reverse(name))
        assert refused.status_code == 302 and refused["Location"].startswith(reverse("login"))


def test_the_administrator_cannot_deactivate_their_own_organisation(world) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as refused:
        _deactivate(world, "青溪县反诈中心")
    assert "不能停用自己所在的单位" in str(refused.value)
    world.orgs["青溪县反诈中心"].refresh_from_db()
    assert world.orgs["青溪县反诈中心"].is_active
