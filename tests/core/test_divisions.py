"""The province/city/county part of an address read against the national list (python-stdnum's)."""

from __future__ import annotations

import pytest

from fanzha.core.divisions import parse_prefix, written_forms


def read(address: str) -> tuple[list[str], tuple[str, ...], str]:
    prefix = parse_prefix(address)
    return [d.name for d in prefix.divisions], prefix.written, address[prefix.end :]


@pytest.mark.parametrize(
    ("address", "names", "rest"),
    [
        ("浙江省杭州市西湖区文三路100号", ["浙江省", "杭州市", "西湖区"], "文三路100号"),
        ("浙江杭州西湖区文三路100号", ["浙江省", "杭州市", "西湖区"], "文三路100号"),
        ("四川成都武侯区浆洗街", ["四川省", "成都市", "武侯区"], "浆洗街"),
        ("北京朝阳区望京街道", ["北京市", "朝阳区"], "望京街道"),
        ("新疆乌鲁木齐天山区", ["新疆维吾尔自治区", "乌鲁木齐市", "天山区"], ""),
        ("广西南宁青秀区", ["广西壮族自治区", "南宁市", "青秀区"], ""),
        ("四川省凉山州西昌市", ["四川省", "凉山彝族自治州", "西昌市"], ""),
        ("湖北恩施州恩施市", ["湖北省", "恩施土家族苗族自治州", "恩施市"], ""),
        ("义乌市稠城街道", ["义乌市"], "稠城街道"),  # a county-level city by its full name alone
        ("北京市崇文区", ["北京市", "崇文区"], ""),  # a former name: addresses keep them
    ],
)
def test_it_reads_full_and_short_names_level_by_level(address: str, names: list[str], rest: str) -> None:
    found, _, after = read(address)
    assert (found, after) == (names, rest)


def test_it_keeps_the_names_as_written() -> None:
    assert read("浙江杭州西湖区文三路")[1] == ("浙江", "杭州", "西湖区")


@pytest.mark.parametrize(
    ("address", "names"),
    [
        ("中山社区5号", []),  # 中山 is a city too: here a 社区 of that name
        ("中山路12号", []),
        ("丽水街道城东社区", []),
        ("西湖村3组", []),
        ("西湖区文三路", ["西湖区"]),  # a county by its full name (which of the two 西湖区 is not told)
        ("江州市青溪县城关镇", []),  # not in the list: left to the caller
    ],
)
def test_a_short_name_that_goes_on_as_a_street_or_village_is_not_a_division(
    address: str, names: list[str]
) -> None:
    assert read(address)[0] == names


def test_a_county_short_name_counts_only_under_its_city_or_province() -> None:
    assert read("杭州西湖文三路")[0] == ["杭州市", "西湖区"]
    assert read("杭州西湖路5号")[0] == ["杭州市"]  # 西湖路: a street
    assert read("杭州市余杭良渚街道")[0] == ["杭州市", "余杭区"]
    assert read("余杭良渚街道")[0] == []


def test_the_written_forms_of_autonomous_divisions() -> None:
    assert written_forms("甘孜藏族自治州") == {"甘孜藏族自治州", "甘孜", "甘孜州"}
    assert written_forms("伊犁哈萨克自治州") == {"伊犁哈萨克自治州", "伊犁", "伊犁州"}
    assert written_forms("黔东南苗族侗族自治州") == {"黔东南苗族侗族自治州", "黔东南", "黔东南州"}
    assert written_forms("内蒙古自治区") == {"内蒙古自治区", "内蒙古"}


def test_a_lone_county_short_name_opens_the_address_only_when_asked() -> None:
    assert read("义乌金坑村")[0] == []
    prefix = parse_prefix("义乌金坑村", lone_short=True)
    assert [d.name for d in prefix.divisions] == ["义乌市"] and prefix.end == 2
    assert parse_prefix("凤凰社区5号", lone_short=True).divisions == ()  # 社区 goes on: a community


def test_a_short_name_followed_by_a_division_ending_is_another_name_in_full() -> None:
    # 江州市 (not in the list) is not 江州区 written short; 吉林市 is the city, not the province 吉林.
    assert parse_prefix("江州市青溪县城关镇", lone_short=True).divisions == ()
    assert read("吉林市船营区")[0] == ["吉林市", "船营区"]
