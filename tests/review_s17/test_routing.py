"""Review of routing's prefix reading: an address of another place never goes to our village."""

from __future__ import annotations

import pytest

from fanzha.core.models import Area
from tests.warnings.test_routing_probe_s17 import county, place, where

__all__ = ["county"]


@pytest.mark.parametrize(
    "address",
    [
        "江西省萍乡市金坑村5号",  # a city with 乡 in its name
        "萍乡金坑村5号",
        "江苏省镇江市金坑村",  # a city with 镇
        "镇江金坑村3组",
        "宁乡县金坑村",  # counties with 乡 or 道
        "湖南宁乡金坑村",
        "道县金坑村",
        "云南省镇雄县金坑村",
    ],
)
def test_a_listed_city_or_county_with_a_township_word_in_its_name_is_not_ours(
    county: Area, address: str
) -> None:
    # The national list reads them, but the old guard against "城关镇幸福新区" threw away any name
    # holding 乡/镇/道: the address was placed in our 金坑村.
    assert where(address) == "", address
    assert place(address).outside


@pytest.mark.parametrize("address", ["湖南省石门镇金坑村", "江西省金坑村3组", "四川省金坑村"])
def test_another_province_is_not_ours(county: Area, address: str) -> None:
    # 湖南金坑村 waited in the queue while 湖南省金坑村 was placed in our 金坑村 (Zhejiang: the tree's
    # codes begin 33).
    assert where(address) == "", address
    assert place(address).outside.endswith("省")


def test_our_own_province_still_places(county: Area) -> None:
    assert where("浙江省石门镇金坑村3组") == "石门镇/金坑村"
    assert where("浙江省江州市青溪县石门镇金坑村") == "石门镇/金坑村"
