"""Organisations: the system administrator creates them and changes their jurisdiction."""

from __future__ import annotations

from django.urls import reverse

from fanzha.audit.models import AuditEvent
from fanzha.core.models import Organisation, Person


def admin(client, world):  # type: ignore[no-untyped-def]
    client.force_login(world.users["admin"])
    return client


def test_it_creates_an_organisation(world, client) -> None:  # type: ignore[no-untyped-def]
    response = admin(client, world).post(
        reverse("organisation_create"),
        {
            "name": "青溪县第一中学",
            "kind": "school",
            "area": world.area("城关镇").pk,
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    school = Organisation.objects.get(name="青溪县第一中学")
    assert AuditEvent.objects.filter(action="record.create", object_id=str(school.pk)).exists()


def test_it_keeps_what_was_typed_on_a_duplicate_name(world, client) -> None:  # type: ignore[no-untyped-def]
    response = admin(client, world).post(
        reverse("organisation_create"),
        {
            "name": "城关派出所",
            "kind": "police_station",
            "area": world.area("城关镇").pk,
            "code": "X-17",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "X-17" in html and "invalid-feedback" in html


def test_it_changes_a_stations_jurisdiction(world, client) -> None:  # type: ignore[no-untyped-def]
    station = world.orgs["城关派出所"]
    response = admin(client, world).post(
        reverse("organisation_edit", args=[station.pk]),
        {
            "name": station.name,
            "kind": station.kind,
            "area": station.area.pk,
            "is_active": "on",
            "covered_areas": [world.area("城关镇").pk, world.area("龙泉乡").pk],
        },
    )
    assert response.status_code == 302
    officer = type(world.users["police_cg"]).objects.get(username="police_cg")
    assert Person.objects.visible_to(officer).count() == 2
    event = AuditEvent.objects.filter(action="record.update", object_id=str(station.pk)).latest("id")
    assert event.fields == ["covered_areas"]


def test_it_refuses_a_parent_cycle(world, client) -> None:  # type: ignore[no-untyped-def]
    centre, station = world.orgs["青溪县反诈中心"], world.orgs["城关派出所"]
    station.parent = centre
    station.save()
    response = admin(client, world).post(
        reverse("organisation_edit", args=[centre.pk]),
        {
            "name": centre.name,
            "kind": centre.kind,
            "area": centre.area.pk,
            "parent": station.pk,
            "is_active": "on",
        },
    )
    assert response.status_code == 400
    assert "上级单位不能是本单位或其下级单位" in response.content.decode()


def test_it_refuses_a_name_that_differs_only_in_spaces(world, client) -> None:  # type: ignore[no-untyped-def]
    """城关 派出所 is the stored 城关派出所, not a second unit."""
    for name in ["城关 派出所", "城 关 派 出 所"]:
        response = admin(client, world).post(
            reverse("organisation_create"),
            {"name": name, "kind": "police_station", "area": world.area("城关镇").pk, "is_active": "on"},
        )
        assert response.status_code == 400, name
        assert "已有单位“城关派出所”" in response.content.decode()
    assert Organisation.objects.filter(name__contains="城关").filter(name__contains="派出所").count() == 1


def test_the_service_refuses_a_rename_onto_another_units_name(world) -> None:  # type: ignore[no-untyped-def]
    import pytest
    from django.core.exceptions import ValidationError

    from fanzha.core.services import organisations

    school = organisations.organisation_create(
        actor=None, name="青溪县第一中学", kind="school", area=world.area("城关镇")
    )
    with pytest.raises(ValidationError, match="城关派出所"):
        organisations.organisation_update(actor=world.users["admin"], organisation=school, name="城关 派出所")
    school.refresh_from_db()
    assert school.name == "青溪县第一中学"
    organisations.organisation_create(
        actor=None, name="Bank of Qingxi", kind="bank", area=world.area("城关镇")
    )
    with pytest.raises(ValidationError, match="Bank of Qingxi"):
        organisations.organisation_create(
            actor=None, name="ＢＡＮＫ ＯＦ ＱＩＮＧＸＩ", kind="bank", area=world.area("城关镇")
        )
