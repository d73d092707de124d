"""Routing probed where the national list, the phone's home location and the placement key met real
addresses: a county upgraded under a new code, an area code or 号段 covering several places, and house
numbers told apart only by a hyphen."""

from __future__ import annotations

import pytest

from fanzha.core import divisions
from fanzha.core.models import Area
from fanzha.core.pii import crypto
from fanzha.core.services import areas as area_services
from fanzha.warnings.models import AddressPlacement
from fanzha.warnings.routing import Locator, Placement, address_hash, address_key
from fanzha.warnings.workflow import warning_place
from tests.warnings.helpers import make_warning

QUEUE = "无法定位，进入中心待定位队列"


def add(code: str, name: str, level: str, parent: Area | None) -> Area:
    return area_services.area_create(actor=None, code=code, name=name, level=level, parent=parent)


def place(address: str = "", number: str = "") -> Placement:
    return Locator().locate(address=address, number=number, person_area=None)


# ── a county's former name under a code that went with it ───────────────────


@pytest.fixture
def chengdu(db) -> dict[str, Area]:  # type: ignore[no-untyped-def]
    """成都's tree with the national codes: 郫都区 (510117, 郫县 510124 until 2016) and 温江区 (510115,
    温江县 510123 until 2002)."""
    city = add("510100000000", "成都市", "city", None)
    pidu = add("510117000000", "郫都区", "district", city)
    wenjiang = add("510115000000", "温江区", "district", city)
    return {
        "郫都区": pidu,
        "温江区": wenjiang,
        "郫": add("510117001001", "城中社区", "village", add("510117001000", "郫筒街道", "township", pidu)),
        "温江": add(
            "510115001001", "城中社区", "village", add("510115001000", "柳城街道", "township", wenjiang)
        ),
    }


@pytest.mark.parametrize(
    ("address", "county"),
    [
        ("四川省成都市郫县郫筒街道城中社区5号", "郫"),
        ("成都市郫县城中社区", "郫"),
        ("郫县郫筒镇城中社区", "郫"),
        ("四川省温江县柳城镇城中社区8号", "温江"),
        ("成都市温江县城中社区", "温江"),
    ],
)
def test_a_former_county_upgraded_under_a_new_code_is_the_county_now(chengdu, address, county) -> None:  # type: ignore[no-untyped-def]
    # 郫县 became 郫都区 under another code (510124 → 510117): "not in our jurisdiction (郫县)", queued.
    found = place(address)
    assert (found.area, found.placed, found.outside) == (chengdu[county], True, "")


def test_a_former_county_with_only_the_county_named_is_placed_at_the_county(chengdu) -> None:  # type: ignore[no-untyped-def]
    found = place("成都市郫县某某路8号")
    assert (found.area, found.placed, found.outside) == (chengdu["郫都区"], False, "")


def test_a_tree_still_holding_the_former_name_still_places_it(db) -> None:  # type: ignore[no-untyped-def]
    county = add("510124000000", "郫县", "district", add("510100000000", "成都市", "city", None))
    village = add("510124001001", "城中社区", "village", add("510124001000", "郫筒镇", "township", county))
    for address in ("成都市郫县郫筒镇城中社区", "郫县城中社区"):
        found = place(address)
        assert (found.area, found.placed, found.outside) == (village, True, ""), address


def test_the_national_list_maps_a_former_county_to_its_successor_only_when_it_is_one_place() -> None:
    def now(text: str) -> str:
        return divisions.name_in_force(divisions.parse_prefix(text).divisions[-1])

    assert now("四川省成都市郫县") == "郫都区"
    assert now("四川省成都市温江县") == "温江区"
    assert now("浙江省杭州市萧山市") == "萧山区"
    # 琼山市 (2002) went to 琼山区, 美兰区 and 龙华区; 潮阳市 (2003) to 潮阳区 and 潮南区; 宝安县 (1992)
    # to 宝安区 and 龙岗区: the name is kept, the address waits in the queue.
    assert now("海南省琼山市") == "琼山市"
    assert now("广东省汕头市潮阳市") == "潮阳市"
    assert now("广东省深圳市宝安县") == "宝安县"
    # 江干区 (2021) was divided between 上城区 and 钱塘区: none named after it.
    assert now("浙江省杭州市江干区") == "江干区"


@pytest.fixture
def haikou(db) -> dict[str, Area]:  # type: ignore[no-untyped-def]
    city = add("460100000000", "海口市", "city", None)
    qiongshan = add("460107000000", "琼山区", "district", city)
    meilan = add("460108000000", "美兰区", "district", city)
    return {
        "city": city,
        "琼山": add(
            "460107001001", "红星社区", "village", add("460107001000", "府城街道", "township", qiongshan)
        ),
        "美兰": add(
            "460108101001", "大致坡社区", "village", add("460108101000", "大致坡镇", "township", meilan)
        ),
    }


def test_a_former_county_split_among_several_waits_in_the_queue(haikou) -> None:  # type: ignore[no-untyped-def]
    # 琼山市's 大致坡镇 is 美兰区's now: the former name does not stand for 琼山区.
    found = place("海南省琼山市某某路8号")
    assert (found.area, found.placed) == (haikou["city"], False)


# ── the phone's home location ────────────────────────────────────────────────


@pytest.fixture
def hefei(db) -> dict[str, Area]:  # type: ignore[no-untyped-def]
    """合肥's tree: 巢湖市 is a county-level city of it since 2011, when the prefecture 巢湖市 (3414) was
    divided among 合肥 (庐江县, 居巢区 → 巢湖市), 芜湖 (无为县) and 马鞍山 (含山县, 和县)."""
    city = add("340100000000", "合肥市", "city", None)
    return {
        "city": city,
        "巢湖市": add("340181000000", "巢湖市", "district", city),
        "庐江县": add("340124000000", "庐江县", "district", city),
    }


def test_a_mobile_of_a_former_prefecture_is_not_placed_in_the_county_of_its_name(hefei) -> None:  # type: ignore[no-untyped-def]
    # 133 0565 is 安徽省巢湖市 in the 号段 data: the old prefecture, not our county-level 巢湖市. It was
    # routed to 巢湖市's units whatever county the person lives in.
    found = place(number="13305650000")
    assert (found.area, found.placed, found.how) == (hefei["city"], False, QUEUE)


def test_a_mobile_of_our_city_is_placed_at_the_city(hefei) -> None:  # type: ignore[no-untyped-def]
    found = place(number="13505650000")  # 安徽省合肥市
    assert (found.area, found.placed, found.how) == (hefei["city"], False, "按手机号归属地定位到市")


def test_an_area_code_of_several_cities_is_not_placed(chengdu) -> None:  # type: ignore[no-untyped-def]
    # 028 is 成都市、资阳市、眉山市: one of ours, but not surely.
    found = place(number="02888888888")
    assert found.how == QUEUE


def test_a_city_renamed_under_its_code_is_found_by_its_name_now(db) -> None:  # type: ignore[no-untyped-def]
    # 130 3520 is 湖北省襄樊市 in the 号段 data: 襄阳市 since 2010, the same code (4206).
    city = add("420600000000", "襄阳市", "city", None)
    found = place(number="13035200000")
    assert (found.area, found.how) == (city, "按手机号归属地定位到市")


def test_a_city_the_province_governs_directly_is_found_at_its_level(db) -> None:  # type: ignore[no-untyped-def]
    city = add("429004000000", "仙桃市", "district", None)  # 省直辖县级市
    found = place(number="13307220000")  # 湖北省仙桃市
    assert (found.area, found.how) == (city, "按手机号归属地定位到市")


# ── the placement key keeps hyphens ─────────────────────────────────────────


@pytest.mark.parametrize(("one", "other"), [("幸福路3-2号", "幸福路32号"), ("石桥村12-3组", "石桥村123组")])
def test_the_key_tells_apart_numbers_joined_by_a_hyphen(one, other) -> None:  # type: ignore[no-untyped-def]
    assert address_key(one) != address_key(other)


@pytest.mark.parametrize(
    "written",
    [
        "幸福路3－2号",
        "幸福路3—2号",
        "幸福路3‐2号",
        "幸福路3之2号",
        "幸福路 ３-２号",
        "幸福路3 - 2号",
        "幸福路3--2号",
    ],
)
def test_hyphens_fold_to_one_form_spacing_and_width_too(written) -> None:  # type: ignore[no-untyped-def]
    assert address_key(written) == address_key("幸福路3-2号") == "幸福路3-2号"


def test_a_hyphen_between_names_is_punctuation_as_before() -> None:
    # Nothing to tell apart: the keys of placements made before stay the same.
    assert address_key("青溪县-石门镇，幸福路8号") == address_key("青溪县石门镇幸福路8号")


def test_a_placement_of_one_number_is_not_the_placement_of_the_other(world) -> None:  # type: ignore[no-untyped-def]
    AddressPlacement.objects.create(
        address_hash=address_hash("青溪县幸福路3-2号"), area=world.area("城东社区")
    )
    assert place("青溪县幸福路3-2号").area == world.area("城东社区")
    other = place("青溪县幸福路32号")
    assert (other.area.name, other.how) == ("青溪县", "按地址仅匹配到区县")  # the county's, not remembered


def test_a_placement_stored_under_the_key_without_hyphens_is_still_found(world) -> None:  # type: ignore[no-untyped-def]
    old = crypto.search_hash("address", "青溪县幸福路32号")  # the key before hyphens were kept
    AddressPlacement.objects.create(address_hash=old, area=world.area("城东社区"))
    found = place("青溪县幸福路3-2号")
    assert (found.area, found.how) == (world.area("城东社区"), "按中心此前对该地址的定位")


def test_placing_a_warning_received_before_remembers_it_under_the_new_key(world) -> None:  # type: ignore[no-untyped-def]
    lost = make_warning(1, address="青溪县幸福路3-2号", phone="")
    assert lost.needs_placement
    # As received before hyphens were kept: the warning carries the key without them.
    type(lost).objects.filter(pk=lost.pk).update(
        address_hash=crypto.search_hash("address", "青溪县幸福路32号")
    )
    lost.refresh_from_db()
    warning_place(actor=world.users["analyst"], warning=lost, area=world.area("城东社区"))
    assert AddressPlacement.objects.get().address_hash == address_hash("青溪县幸福路3-2号")
    assert make_warning(2, address="青溪县幸福路32号", phone="").needs_placement
    assert make_warning(3, address="青溪县幸福路3－2号", phone="").area == world.area("城东社区")


def test_a_municipalitys_area_code_is_placed_at_the_city_only(db) -> None:  # type: ignore[no-untyped-def]
    # 010 covers all of 北京: the city, never one of its districts.
    city = add("110100000000", "北京市", "city", None)
    add("110108000000", "海淀区", "district", city)
    found = place(number="01088888888")
    assert (found.area, found.placed, found.how) == (city, False, "按手机号归属地定位到市")
