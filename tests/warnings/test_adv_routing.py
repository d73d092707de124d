"""Locating and assigning probed with addresses and settings as a centre really has them.

A wrong placement is worse than none; a setting that is misspelt must say so, not route otherwise.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from fanzha.core.models import Area
from fanzha.core.services import areas as area_services
from fanzha.warnings.routing import Assigner, Locator, Placement


def add(code: str, name: str, level: str, parent: Area | None) -> Area:
    return area_services.area_create(actor=None, code=code, name=name, level=level, parent=parent)


def place(address: str) -> Placement:
    return Locator().locate(address=address, number="", person_area=None)


# ── settings ─────────────────────────────────────────────────────────────────


@pytest.mark.parametrize("grades", [["紧急", "高"], ["Urgent", "High"], ["urgent", "hihg"]])
def test_police_grades_that_are_no_grade_are_refused(world, settings, grades) -> None:  # type: ignore[no-untyped-def]
    # FANZHA_WARNING_POLICE_GRADES=紧急,高 matched no grade: every urgent warning went to the grid worker.
    settings.WARNING_POLICE_GRADES = grades
    with pytest.raises(ImproperlyConfigured, match="FANZHA_WARNING_POLICE_GRADES"):
        Assigner()


def test_police_grades_as_configured(world, settings) -> None:  # type: ignore[no-untyped-def]
    settings.WARNING_POLICE_GRADES = ["urgent"]
    assigner = Assigner()
    assert assigner.assign(world.area("城东社区"), "high")[0].kind == "village_committee"
    assert assigner.assign(world.area("城东社区"), "urgent")[0].kind == "police_station"
    settings.WARNING_POLICE_GRADES = []  # none: every grade to the village's grid worker
    assert Assigner().assign(world.area("城东社区"), "urgent")[0].kind == "village_committee"


@pytest.mark.parametrize("mode", ["round-robin", "RoundRobin", "least-loaded", "轮流"])
def test_an_assignment_mode_that_is_none_is_refused(world, settings, mode) -> None:  # type: ignore[no-untyped-def]
    # FANZHA_WARNING_ASSIGNMENT=round-robin silently assigned least loaded.
    settings.WARNING_ASSIGNMENT = mode
    with pytest.raises(ImproperlyConfigured, match="FANZHA_WARNING_ASSIGNMENT"):
        Assigner()


# ── the county as addresses write it ─────────────────────────────────────────


@pytest.fixture
def lishui(db) -> dict[str, Area]:  # type: ignore[no-untyped-def]
    """A city centre's tree with real codes: an autonomous county and a district, each with a 城东社区."""
    city = add("331100000000", "丽水市", "city", None)
    jingning = add("331127000000", "景宁畲族自治县", "district", city)
    lishui = add("331102000000", "莲都区", "district", city)
    found = {
        "景宁": add(
            "331127001001", "城东社区", "village", add("331127001000", "鹤溪街道", "township", jingning)
        ),
        "莲都": add(
            "331102001001", "城东社区", "village", add("331102001000", "紫金街道", "township", lishui)
        ),
    }
    return found


@pytest.mark.parametrize(
    "address",
    [
        "景宁县鹤溪街道城东社区",
        "丽水市景宁县鹤溪街道城东社区8号",
        "浙江省景宁县城东社区",
        "景宁县城东社区",
        "丽水景宁城东社区",
        "景宁城东社区3栋2单元",
    ],
)
def test_an_autonomous_county_written_short_is_ours(lishui, address) -> None:  # type: ignore[no-untyped-def]
    # 景宁畲族自治县 is written 景宁县 or 景宁: it was "not in our jurisdiction (景宁县)", or only the county.
    found = place(address)
    assert (found.area, found.placed, found.outside) == (lishui["景宁"], True, "")


@pytest.mark.parametrize("address", ["莲都城东社区", "莲都紫金城东社区", "景宁城东社区"])
def test_a_county_written_short_at_the_start_decides_among_same_named_villages(lishui, address) -> None:  # type: ignore[no-untyped-def]
    # 莲都区城东社区 was placed, 莲都城东社区 waited in the queue: the short name opening the address was
    # not read as the county.
    county = address[:2]
    found = place(address)
    assert (found.area, found.placed) == (lishui[county], True)


def test_a_street_named_after_a_county_does_not_decide(lishui) -> None:  # type: ignore[no-untyped-def]
    for address in ("莲都路城东社区", "景宁街城东社区"):
        found = place(address)
        assert not found.placed, address


@pytest.fixture
def xiangdu(db) -> Area:  # type: ignore[no-untyped-def]
    """邢台市襄都区 (130502), 桥东区 until 2020 under the same code."""
    city = add("130500000000", "邢台市", "city", None)
    county = add("130502000000", "襄都区", "district", city)
    return add("130502001001", "城东社区", "village", add("130502001000", "西大街街道", "township", county))


@pytest.mark.parametrize(
    "address", ["邢台市桥东区西大街街道城东社区", "河北省邢台市桥东区城东社区", "邢台市桥东城东社区5号"]
)
def test_a_county_by_its_former_name_under_the_same_code_is_ours(xiangdu, address) -> None:  # type: ignore[no-untyped-def]
    # 桥东区 is 襄都区's name before 2020 (the national list's code 130502 for both): it was "not in our
    # jurisdiction (桥东区)".
    found = place(address)
    assert (found.area, found.placed, found.outside) == (xiangdu, True, "")


# ── a township the tree does not have ────────────────────────────────────────


@pytest.mark.parametrize(
    "address",
    [
        "石门镇城东社区",  # no township of ours: another county's 城东社区, written without its county
        "青溪县石门镇城东社区8号",
        "白沙乡城东社区3栋",
        "龙泉镇城东社区",  # our 龙泉乡 (written 镇), whose villages hold no 城东社区
    ],
)
def test_a_village_after_a_township_that_is_not_its_own_is_not_placed(world, address) -> None:  # type: ignore[no-untyped-def]
    # 城东社区 is in 城关镇: the address naming another township was placed there all the same (while
    # 龙泉乡城东社区 waited in the queue as a contradiction).
    assert not place(address).placed


@pytest.mark.parametrize(
    ("address", "village"),
    [
        ("龙泉镇石桥村3组", "石桥村"),  # 龙泉乡 made a 镇: the same township
        ("城关街道城东社区", "城东社区"),  # 城关镇 made a 街道
        ("青溪县城关镇幸福路城东社区", "城东社区"),
        ("原白沙乡石桥村", "石桥村"),  # a former name says nothing of where it is
    ],
)
def test_a_township_written_with_another_ending_is_ours(world, address, village) -> None:  # type: ignore[no-untyped-def]
    found = place(address)
    assert (found.area.name, found.placed) == (village, True)
