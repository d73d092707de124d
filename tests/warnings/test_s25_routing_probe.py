"""Probe of locating and assigning with addresses as a county's people write them (s25).

A wrong placement is worse than none: what is placed here is placed where a grid worker would agree;
the rest waits in the centre's queue or at its township.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata

import pytest

from fanzha.core.models import Area
from fanzha.core.pii import crypto
from fanzha.core.services import areas as area_services
from fanzha.core.services import organisations as org_services
from fanzha.warnings.models import AddressPlacement, Status
from fanzha.warnings.routing import Locator, Placement
from fanzha.warnings.workflow import warning_place
from tests.warnings.helpers import make_warning, second_grid_worker


def add(code: str, name: str, level: str, parent: Area) -> Area:
    return area_services.area_create(actor=None, code=code, name=name, level=level, parent=parent)


def place(address: str) -> Placement:
    return Locator().locate(address=address, number="", person_area=None)


def where(address: str) -> str:
    """ "township/village" when placed in a village, else "" (the centre's queue or a township)."""
    found = place(address)
    return f"{found.area.parent.name}/{found.area.name}" if found.placed else ""


@pytest.fixture
def zone(world) -> Area:  # type: ignore[no-untyped-def]
    """Our county's development zone, a township-level area of the tree, with a village."""
    zone = add("331199002000", "青溪经济开发区", "township", world.area("青溪县"))
    add("331199002201", "临港村", "village", zone)
    return zone


def test_our_development_zone_is_not_taken_for_another_county(zone: Area) -> None:
    # 经济开发区, 开发区, 高新区 end in 区 like a county but are no division: they were read as another
    # county's, and the address waited in the queue flagged "not in our jurisdiction".
    for address in ("经济开发区临港村3组", "开发区临港村", "工业区临港村5号", "高新区临港村"):
        found = place(address)
        assert found.outside == "" and found.placed and found.area.name == "临港村", address
    assert where("青溪经济开发区临港村3组") == "青溪经济开发区/临港村"
    # Another city's or a real district's: still outside.
    for address, named in (("杭州经济开发区临港村", "杭州市"), ("浦东新区临港村", "浦东新区")):
        found = place(address)
        assert found.outside == named and not found.placed, address


def test_our_zone_written_after_the_county_is_found_at_its_township(zone: Area) -> None:
    # The tree says 青溪经济开发区; addresses write 青溪县经济开发区 or 经济开发区 (it was the county, or
    # another county's, before): placed at the zone, whose station takes an urgent warning.
    for address in ("青溪县经济开发区某某路8号", "经济开发区某某路8号", "浙江省江州市青溪县经济开发区"):
        found = place(address)
        assert (found.area, found.placed, found.outside) == (zone, False, ""), address


@pytest.fixture
def fengshu(world) -> Area:  # type: ignore[no-untyped-def]
    return add("331199200202", "枫树村", "village", world.area("龙泉乡"))


def test_a_village_written_short_before_its_group_is_placed_in_the_township_named(fengshu: Area) -> None:
    # 枫树 for 枫树村: a village group (组, 队) is only a village's; the township must be named.
    for address in (
        "龙泉乡枫树3组",
        "龙泉乡枫树3组12号",
        "龙泉乡枫树五组",
        "龙泉枫树2队",
        "青溪县龙泉乡枫树十二组",
    ):
        assert where(address) == "龙泉乡/枫树村", address
    for address in (
        "枫树3组",  # no township
        "龙泉乡枫树路3号",  # a street
        "龙泉乡枫树12号",  # a house number: a street's as well (东街12号)
        "龙泉乡枫树",
        "龙泉乡枫树湾3组",  # another place, whose name begins like the village's
        "城关镇枫树3组",  # not in that township
    ):
        assert where(address) == "", address


def test_the_centres_placement_holds_for_the_address_written_with_other_punctuation(world) -> None:  # type: ignore[no-untyped-def]
    lost = make_warning(1, address="青溪县某某新村7号（菜场对面）", phone="")
    assert lost.needs_placement
    warning_place(actor=world.users["analyst"], warning=lost, area=world.area("城东社区"))
    for n, address in enumerate(
        (
            "青溪县某某新村7号（菜场对面）。",
            "青溪县，某某新村7号，菜场对面",
            "青溪县、某某新村 7号 菜场对面",
            "青溪县-某某新村-7号(菜场对面)",
            "青溪县某某新村７号“菜场对面”",
        ),
        start=2,
    ):
        again = make_warning(n, address=address, phone="")
        assert again.area.name == "城东社区" and not again.needs_placement, address


def _hash_as_before(address: str) -> str:
    """The key a placement was stored under before punctuation was ignored (NFKC, without spaces)."""
    value = re.sub(r"\s+", "", unicodedata.normalize("NFKC", address))
    return hmac.new(crypto._key("search"), f"address:{value}".encode(), hashlib.sha256).hexdigest()


def test_a_placement_stored_before_still_applies(world) -> None:  # type: ignore[no-untyped-def]
    address = "青溪县某某新村7号，菜场对面"
    assert _hash_as_before("青溪县") == crypto.search_hash("address", "青溪县")  # the same keyed hash
    AddressPlacement.objects.create(address_hash=_hash_as_before(address), area=world.area("石桥村"))
    found = place(address)
    assert found.area.name == "石桥村" and found.placed


def test_a_village_written_short_whose_name_two_townships_hold_needs_its_township(world) -> None:  # type: ignore[no-untyped-def]
    other = add("331199300000", "龙泉坑乡", "township", world.area("青溪县"))  # 龙泉乡 is a prefix of it
    theirs = add("331199300201", "石桥村", "village", other)
    ours = world.area("石桥村")  # 龙泉乡's
    assert place("龙泉乡石桥3组").area == ours and place("龙泉乡石桥村3组").area == ours
    assert place("龙泉坑乡石桥3组").area == theirs and place("龙泉坑石桥村3组").area == theirs
    for address in ("石桥3组", "石桥村3组", "青溪县石桥村5组", "城关镇石桥3组"):
        assert where(address) == "", address


def test_a_deactivated_user_is_never_chosen_and_a_unit_without_anyone_leaves_it_to_the_centre(world) -> None:  # type: ignore[no-untyped-def]
    second = second_grid_worker(world)
    org_services.user_deactivate(actor=world.users["admin"], user=world.users["grid_cd"])
    assert {make_warning(n).assignee for n in range(1, 4)} == {second}
    org_services.user_deactivate(actor=world.users["admin"], user=second)
    medium = make_warning(4)  # no grid worker left: the station takes it, and says why
    assert medium.assignee == world.users["police_cg"] and "改由派出所承办" in medium.events.first().message
    org_services.user_deactivate(actor=world.users["admin"], user=world.users["police_cg"])
    for n, urgent in ((5, False), (6, True)):
        left = make_warning(n, transfer_in_progress=urgent)  # nobody: the centre's queue, placed
        assert (left.status, left.organisation, left.assignee) == (Status.NEW, None, None)
        assert left.area.name == "城东社区" and not left.needs_placement
        said = "进入中心待分派队列（该区划的派出所和村（社区）都没有在岗的承办账户）"
        assert said in left.events.first().message
