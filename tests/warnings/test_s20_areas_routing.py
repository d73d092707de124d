"""A retired area (撤并) takes no new warning: by address, remembered placement or person's area (s20)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from fanzha.core.models import Area
from fanzha.core.services import areas as area_services
from fanzha.warnings.models import AddressPlacement, Status, Warning
from fanzha.warnings.routing import Locator, address_hash
from fanzha.warnings.workflow import warning_place
from tests.warnings.helpers import make_warning

ADDRESS = "青溪县城关镇城西社区幸福里5号"


def test_a_new_warning_is_not_placed_in_a_retired_village_while_the_old_one_stays(world) -> None:  # type: ignore[no-untyped-def]
    village = world.area("城西社区")
    old = make_warning(1, address=ADDRESS)
    assert old.area == village
    Warning.objects.filter(pk=old.pk).update(status=Status.CLOSED)
    area_services.area_retire(actor=world.users["admin"], area=village)

    new = make_warning(2, address=ADDRESS)
    assert new.area != village and new.area.is_active
    assert Warning.objects.get(pk=old.pk).area == village
    place = Locator().locate(address=ADDRESS, number="", person_area=None)
    assert place.area == world.area("城关镇") and not place.placed


def test_neither_a_remembered_placement_nor_the_persons_area_leads_to_a_retired_village(world) -> None:  # type: ignore[no-untyped-def]
    village = world.area("城西社区")
    address = "青溪县某某工业园宿舍3号"
    AddressPlacement.objects.create(address_hash=address_hash(address), area=village)
    assert Locator().locate(address=address, number="", person_area=None).area == village
    assert Locator().locate(address="", number="", person_area=village).area == village

    Area.objects.filter(pk=village.pk).update(is_active=False)
    village.refresh_from_db()
    for place in (
        Locator().locate(address=address, number="", person_area=None),
        Locator().locate(address="", number="", person_area=village),
    ):
        assert place.area != village and not place.placed


def test_the_centre_cannot_place_a_warning_in_a_retired_village(world) -> None:  # type: ignore[no-untyped-def]
    lost = make_warning(1, address="青溪县某某新村7号", phone="")
    assert lost.needs_placement
    village = world.area("城西社区")
    Area.objects.filter(pk=village.pk).update(is_active=False)
    village.refresh_from_db()
    with pytest.raises(ValidationError, match="已撤销"):
        warning_place(actor=world.users["analyst"], warning=lost, area=village)
    lost.refresh_from_db()
    assert lost.needs_placement and lost.area != village
    assert not AddressPlacement.objects.filter(area=village).exists()
