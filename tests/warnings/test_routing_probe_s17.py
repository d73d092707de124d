"""Probe of routing on the demo county's own tree: addresses as pushed lists write them.

A wrong placement is worse than none: each address here is either placed where a grid worker would
agree, or left to the centre's queue.
"""

from __future__ import annotations

import pytest

from fanzha.core.models import Area
from fanzha.core.services import areas as area_services
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


def test_a_street_named_like_a_township_does_not_choose_among_same_named_villages(county: Area) -> None:
    # Three 中山社区 (溪口街道, 凤凰街道, 石门镇); 凤凰路 is a street, not 凤凰街道.
    assert where("青溪县凤凰路12号中山社区") == ""
    assert where("青溪县凤凰中山社区") == "凤凰街道/中山社区"
    assert where("溪口街道凤凰路8号中山社区") == "溪口街道/中山社区"
    assert where("溪口新华社区5号") == ""  # 溪口 written short, but 新华社区 is in 龙泉镇


def test_a_former_township_in_brackets_is_not_read_as_the_township(county: Area) -> None:
    # 樟树村 is in 石门镇, 白沙镇, 杨柳乡 and 龙泉镇.
    assert where("青溪县石门镇（原杨柳乡）樟树村5号") == "石门镇/樟树村"
    assert where("青溪县石门镇(原杨柳乡)樟树村5号") == "石门镇/樟树村"
    assert where("青溪县樟树村（原白沙镇）") == ""  # formerly 白沙镇: now which of the four?


def test_a_community_written_as_its_residents_committee_is_placed(county: Area) -> None:
    for address in ("龙泉镇新华居委会", "新华居民委员会3号", "龙泉镇新华社区居委会"):
        assert where(address) == "龙泉镇/新华社区", address


def test_tree_names_with_committee_suffixes_match_the_usual_address(county: Area) -> None:
    township = Area.objects.get(name="石门镇")
    for code, name in (("331199101301", "高桥村村民委员会"), ("331199101101", "东湖社区居民委员会")):
        area_services.area_create(actor=None, code=code, name=name, level="village", parent=township)
    assert where("石门镇高桥村3组") == "石门镇/高桥村村民委员会"
    assert where("石门镇东湖社区5号") == "石门镇/东湖社区居民委员会"
    assert where("石门镇东湖居委会") == "石门镇/东湖社区居民委员会"


def test_a_village_whose_name_begins_another_is_told_apart(county: Area) -> None:
    township = Area.objects.get(name="石门镇")
    for code, name in (("331199101302", "新村"), ("331199101102", "新村社区"), ("331199101303", "东街村")):
        area_services.area_create(actor=None, code=code, name=name, level="village", parent=township)
    assert where("石门镇新村社区5栋") == "石门镇/新村社区"
    assert where("石门镇新村居委会") == "石门镇/新村社区"
    assert where("石门镇新村3组") == "石门镇/新村"
    assert where("石门镇东街村2组") == "石门镇/东街村"
    assert where("石门镇东街12号") == ""


def test_a_village_name_inside_a_longer_name_is_not_that_village(county: Area) -> None:
    assert where("青溪县金坑村5组") == "石门镇/金坑村"
    assert where("青溪县大金坑村5组") == ""  # another village, whose name ends like ours


def test_another_county_of_the_same_city_is_not_placed(county: Area) -> None:
    for address in ("江州市江北区石门镇金坑村", "江州市江北县石门镇金坑村", "江州市江北石门镇金坑村"):
        found = place(address)
        assert not found.placed and found.area == county, address
    assert where("江州市石门镇金坑村") == "石门镇/金坑村"  # the county left out
    assert where("江州市金坑村") == "石门镇/金坑村"


def test_addresses_differing_in_their_numbers_are_matched_once(county: Area) -> None:
    locator = Locator()
    first = locator.match_address("青溪县石门镇金坑村3组15号")
    assert first is not None and first.area.name == "金坑村"
    assert locator.match_address("青溪县石门镇金坑村12组8号") is first  # the run's cache, not a new match
    assert len(locator._memo) == 1


def test_a_tree_name_without_village_suffix_is_not_read_in_a_longer_village_name(county: Area) -> None:
    township = Area.objects.get(name="石门镇")
    area_services.area_create(actor=None, code="331199101103", name="南街", level="village", parent=township)
    assert where("石门镇南街12号") == "石门镇/南街"
    assert where("石门镇南街村3组") == ""  # 南街村, a village the tree does not hold


def test_another_province_or_city_written_short_is_not_our_village_of_the_same_name(county: Area) -> None:
    # The national list reads 浙江/杭州/成都 without 省/市: a 金坑村 there is not ours.
    assert where("石门金坑村3组") == "石门镇/金坑村"
    for address in ("浙江杭州文三路100号金坑村", "成都武侯金坑村5号", "北京朝阳金坑村"):
        found = place(address)
        assert not found.placed and found.area == county, address
    assert where("浙江江州市青溪县石门镇金坑村3组") == "石门镇/金坑村"  # our own, the province short


def test_another_countys_short_name_opening_the_address_is_not_ours(county: Area) -> None:
    # 义乌 is 义乌市: its 金坑村 is not ours. 凤凰 opening an address is our 凤凰街道, not 凤凰县.
    for address in ("义乌金坑村5组", "余杭金坑村", "萧山金坑村3组"):
        found = place(address)
        assert not found.placed and found.area == county and found.outside, address
    assert where("石门金坑村3组") == "石门镇/金坑村"
    assert place("凤凰中山社区5号").placed
    assert place("青溪县凤凰中山社区").placed
