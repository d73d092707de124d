"""A unit is not put in, or given the jurisdiction of, a retired (撤并) area; one already there keeps
it until changed (s20)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from fanzha.core.models import Area
from fanzha.core.services import organisations as org_services


def _retire(area: Area) -> Area:
    Area.objects.filter(pk=area.pk).update(is_active=False)
    area.refresh_from_db()
    return area


def test_a_new_unit_is_refused_in_or_over_a_retired_area(world) -> None:  # type: ignore[no-untyped-def]
    village = _retire(world.area("城东社区"))
    admin = world.users["admin"]
    with pytest.raises(ValidationError, match="已撤销"):
        org_services.organisation_create(
            actor=admin, name="城东社区警务室", kind="police_station", area=village
        )
    with pytest.raises(ValidationError, match="已撤销"):
        org_services.organisation_create(
            actor=admin,
            name="城关第二派出所",
            kind="police_station",
            area=world.area("城关镇"),
            covered_areas=[world.area("城西社区"), village],
        )


def test_a_unit_keeps_a_retired_area_it_has_and_may_not_take_a_new_one(world) -> None:  # type: ignore[no-untyped-def]
    admin = world.users["admin"]
    committee = world.orgs["城东社区居委会"]
    village = world.area("城东社区")
    assert committee.area == village
    _retire(village)
    assert org_services.organisation_update(
        actor=admin, organisation=committee, area=village, contact_phone="0571-1234567"
    ) == ["contact_phone"]
    station = world.orgs["城关派出所"]
    with pytest.raises(ValidationError, match="已撤销"):
        org_services.organisation_update(actor=admin, organisation=station, area=village)
    with pytest.raises(ValidationError, match="已撤销"):
        org_services.organisation_update(
            actor=admin, organisation=station, covered_areas=[world.area("城关镇"), village]
        )


def test_the_unit_form_offers_areas_in_force_and_the_units_own(world, client) -> None:  # type: ignore[no-untyped-def]
    committee = world.orgs["城东社区居委会"]
    village = _retire(world.area("城东社区"))
    client.force_login(world.users["admin"])
    new_form = client.get("/organisations/new/").content.decode()
    assert "城东社区（已撤销）" not in new_form and "城西社区" in new_form
    edit_form = client.get(f"/organisations/{committee.pk}/edit/").content.decode()
    assert f'<option value="{village.pk}" selected>城东社区（已撤销）' in edit_form
