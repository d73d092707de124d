"""Changing an organisation's kind keeps its users' roles within what the new kind allows (s20).

The rule is the one user creation applies (``_check_roles``): a bank's or an operator's users may not
hold a role that reads records by area. A change that would break it for any user is refused, naming
how many users and which roles; nothing is saved.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from fanzha.audit.models import AuditEvent
from fanzha.core.models import Organisation
from fanzha.core.services import organisations as org_services
from tests.personas import PASSWORD


def _change_kind(world, name: str, kind: str) -> list[str]:  # type: ignore[no-untyped-def]
    return org_services.organisation_update(
        actor=world.users["admin"], organisation=world.orgs[name], kind=kind
    )


def test_a_police_station_with_an_officer_cannot_become_a_bank(world) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as refused:
        _change_kind(world, "城关派出所", "bank")
    message = " ".join(refused.value.message_dict["kind"])
    # the officer and the station's head (单位负责人, tests.personas): both read records by area
    assert "2 名用户" in message and "派出所民警" in message and "police_cg" in message
    assert "单位负责人" in message and "head_cg" in message
    assert Organisation.objects.get(name="城关派出所").kind == "police_station"
    assert not AuditEvent.objects.filter(
        action="record.update", object_id=str(world.orgs["城关派出所"].pk)
    ).exists()


def test_every_user_and_role_that_does_not_fit_is_counted(world) -> None:  # type: ignore[no-untyped-def]
    station = world.orgs["城关派出所"]
    org_services.user_create(
        actor=world.users["admin"],
        username="police_cg2",
        password=PASSWORD,
        organisation=station,
        roles=["police_officer", "centre_analyst"],
    )
    org_services.user_create(
        actor=world.users["admin"],
        username="auditor_cg",
        password=PASSWORD,
        organisation=station,
        roles=["auditor"],
    )
    with pytest.raises(ValidationError) as refused:
        _change_kind(world, "城关派出所", "telecom")
    message = " ".join(refused.value.message_dict["kind"])
    assert "3 名用户" in message  # police_cg, police_cg2 and the station's head head_cg
    assert "派出所民警" in message and "中心研判员" in message and "单位负责人" in message
    assert "police_cg" in message and "police_cg2" in message and "auditor_cg" not in message


def test_a_deactivated_user_counts_too(world) -> None:  # type: ignore[no-untyped-def]
    """A deactivated account keeps its roles; reactivated it would hold one the kind does not allow."""
    org_services.user_deactivate(actor=world.users["admin"], user=world.users["police_cg"])
    with pytest.raises(ValidationError):
        _change_kind(world, "城关派出所", "bank")


def test_a_change_every_user_fits_is_saved(world) -> None:  # type: ignore[no-untyped-def]
    assert _change_kind(world, "工商银行青溪支行", "telecom") == ["kind"]
    assert _change_kind(world, "城关派出所", "township_government") == ["kind"]


def test_the_edit_page_shows_the_refusal_on_the_kind(world, client) -> None:  # type: ignore[no-untyped-def]
    station = world.orgs["城关派出所"]
    client.force_login(world.users["admin"])
    response = client.post(
        reverse("organisation_edit", args=[station.pk]),
        {"name": station.name, "kind": "bank", "area": station.area.pk, "is_active": "on"},
    )
    assert response.status_code == 400
    assert "派出所民警" in " ".join(response.context["form"].errors["kind"])
    assert Organisation.objects.get(pk=station.pk).kind == "police_station"
