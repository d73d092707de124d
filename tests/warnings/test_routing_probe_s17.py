"""Probe of routing on the demo county's own tree: addresses as pushed lists write them.

A wrong placement is worse than none: each address here is either placed where a grid worker would
agree, or left to the centre's queue.
"""

from __future__ import annotations

import pytest

from fanzha.core.models import Area
from fanzha.core.services import organisations as org_services
from fanzha.demo.build import _create_areas
from fanzha.demo.plan import make_plan
from fanzha.warnings.routing import Locator, Placement
from tests.warnings.helpers import make_warning


@pytest.fixture
def county(db: None) -> Area:
    """The demo county's areas (江州市 › 青溪县 › 12 townships, 230 villages) and its centre."""
    areas = _create_areas(make_plan())
    county = next(a for a in areas.values() if a.name == "青溪县")
    org_services.organisation_create(actor=None, name="青溪县反诈中心", kind="centre", area=county)
    return county


def place(address: str, number: str = "") -> Placement:
    return Locator().locate(address=address, number=number, person_area=None)


def where(address: str) -> str:
    """ "township/village" when placed in a village, else "" (the centre's queue)."""
    found = place(address)
    return f"{found.area.parent.name}/{found.area.name}" if found.placed else ""


def test_the_usual_pushed_addresses_are_placed(county: Area) -> None:
    for address in (
        "浙江省江州市青溪县石门镇金坑村3组15号",
        "江州市青溪县石门镇金坑村3组15号",  # no province
        "浙江省青溪县石门镇金坑村3组",  # no city
        "青溪石门镇金坑村",  # the county without 县
        "石门金坑村3组",  # the township without 镇
        " 青溪县\u3000石门镇 金坑村３组１５号",  # spaces and full-width digits
        "石门镇金坑村村民委员会",
    ):
        assert where(address) == "石门镇/金坑村", address


def test_a_village_of_another_township_than_the_address_names_is_not_placed(county: Area) -> None:
    # 新华社区 is in 龙泉镇 only, 杨柳村 in 松源乡 only: the address contradicts itself.
    assert where("龙泉镇新华社区5号") == "龙泉镇/新华社区"
    for address in ("溪口街道新华社区5号", "石门镇新华社区5号", "杨柳乡杨柳村3组"):
        assert where(address) == "", address


def test_same_named_villages_without_their_township_wait_in_the_queue(county: Area) -> None:
    for address in ("樟树村3组", "双溪村5组", "青溪县文昌路5号文昌社区", "双溪镇双溪村"):
        assert where(address) == "", address
    assert where("竹坪乡双溪村") == "竹坪乡/双溪村"


def test_a_housing_estate_alone_waits_in_the_queue(county: Area) -> None:
    found = place("青溪县幸福花园小区5栋2单元")
    assert not found.placed


def test_an_empty_address_falls_back_to_the_phone_then_the_queue(county: Area) -> None:
    found = place("", number="13812345678")
    assert not found.placed and found.area == county


def test_the_centres_placement_applies_to_the_next_import_of_that_address(world) -> None:  # type: ignore[no-untyped-def]
    from fanzha.warnings.workflow import warning_place

    lost = make_warning(1, address="青溪县某某新村7号（菜场对面）", phone="")
    assert lost.needs_placement
    warning_place(actor=world.users["analyst"], warning=lost, area=world.area("城东社区"))
    for n, address in enumerate(
        (
            "青溪县某某新村7号（菜场对面）",
            " 青溪县 某某新村７号(菜场对面) ",
            "青溪县　某某新村7号（菜场对面）",
        ),
        start=2,
    ):
        again = make_warning(n, address=address, phone="")
        assert again.area.name == "城东社区" and not again.needs_placement, address
