"""Probe s31: the foundation's imports with the files a county centre brings on its first day.

The README's first-day path imports the national statistics bureau's 统计用区划代码 list as it comes,
so the tree names its villages 英溪社区居委会 and 五四村委会; the people lists of the same county write
英溪社区 and 五四村, and often a code in their 所属区划 column. Both were refused: 所属区划 was read only as
an exact name.
"""

from __future__ import annotations

from fanzha.core.models import Person
from fanzha.core.services import areas as area_services
from fanzha.imports.models import BatchStatus
from fanzha.imports.pipeline import import_run
from tests.imports.files import csv_bytes, xlsx_bytes
from tests.personas import id_number

PEOPLE_HEADER = ["姓名", "身份证号", "手机号", "现住址", "所属区划", "重点人群"]


def run(importer: str, data: bytes, actor, file_name: str = "名单.xlsx"):  # type: ignore[no-untyped-def]
    return import_run(actor=actor, importer=importer, file_name=file_name, data=data)


def errors_of(result) -> list[tuple[int, str, str]]:  # type: ignore[no-untyped-def]
    return [(e["row"], e["column"], e["message"]) for e in result.errors]


def placed_by_name(surname: str) -> dict[str, str]:
    """Name → area code of the people of ``surname`` (names are encrypted: compared here)."""
    people = Person.objects.select_related("area")
    return {p.name: p.area.code for p in people if p.name.startswith(surname)}


def _rename(world, code: str, name: str) -> None:  # type: ignore[no-untyped-def]
    """The area named as the statistical list names it."""
    area_services.area_update(actor=None, area=area_services.find_area(code), name=name)


def test_a_people_lists_area_column_holding_a_code_is_read_as_the_code(world) -> None:  # type: ignore[no-untyped-def]
    rows = [
        ["赵一", id_number("331102", "19500101", "101"), "", "", "331199100002", ""],
        ["赵二", id_number("331102", "19500101", "102"), "", "", "331199 200201", ""],
        ["赵三", id_number("331102", "19500101", "103"), "", "", "331199100002.0", ""],
    ]
    result = run("people", xlsx_bytes(PEOPLE_HEADER, rows), world.users["leader"])
    assert result.batch.status == BatchStatus.COMMITTED, result.errors
    placed = placed_by_name("赵")
    assert placed == {"赵一": "331199100002", "赵二": "331199200201", "赵三": "331199100002"}


def _elsewhere() -> None:
    """Another county's village, outside the centre's jurisdiction."""
    county = area_services.area_create(
        actor=None, code="330521000000", name="德清县", level="district", parent=None
    )
    town = area_services.area_create(
        actor=None, code="330521001000", name="武康街道办事处", level="township", parent=county
    )
    area_services.area_create(
        actor=None, code="330521001201", name="五四村委会", level="village", parent=town
    )


def test_a_code_in_the_area_column_outside_the_jurisdiction_says_so(world) -> None:  # type: ignore[no-untyped-def]
    _elsewhere()
    rows = [["赵一", id_number("331102", "19500101", "101"), "", "", "330521001201", ""]]
    result = run("people", csv_bytes(PEOPLE_HEADER, rows), world.users["leader"], "名单.csv")
    assert result.batch.status == BatchStatus.REJECTED
    assert errors_of(result) == [(2, "所属区划", "该区划不在您的管辖范围内")]


def test_a_village_named_as_people_say_it_is_the_statistical_lists_village(world) -> None:  # type: ignore[no-untyped-def]
    _rename(world, "331199100002", "城西社区居民委员会")
    _rename(world, "331199200201", "石桥村村民委员会")
    _rename(world, "331199100000", "城关街道办事处")
    rows = [
        ["钱一", id_number("331102", "19500101", "111"), "", "", "城西社区", "独居老人"],
        ["钱二", id_number("331102", "19500101", "112"), "", "", "石桥村委会", ""],
        ["钱三", id_number("331102", "19500101", "113"), "", "", "石桥村", ""],
        ["钱四", id_number("331102", "19500101", "114"), "", "", "城关街道", ""],
    ]
    data = csv_bytes(PEOPLE_HEADER, rows)
    result = run("people", data, world.users["leader"], "名单.csv")
    assert result.batch.status == BatchStatus.COMMITTED, result.errors
    placed = placed_by_name("钱")
    assert placed == {
        "钱一": "331199100002",
        "钱二": "331199200201",
        "钱三": "331199200201",
        "钱四": "331199100000",
    }
    again = run("people", xlsx_bytes(PEOPLE_HEADER, rows), world.users["leader"])
    assert again.summary() == "imported: 0 new, 0 updated, 4 unchanged, 0 rejected"


def test_a_name_as_people_say_it_outside_the_jurisdiction_is_not_found(world) -> None:  # type: ignore[no-untyped-def]
    _elsewhere()
    rows = [["钱一", id_number("331102", "19500101", "111"), "", "", "五四村", ""]]
    result = run("people", csv_bytes(PEOPLE_HEADER, rows), world.users["leader"], "名单.csv")
    assert result.batch.status == BatchStatus.REJECTED
    assert errors_of(result) == [(2, "所属区划", "您的辖区内没有这个名称的区划，请核对或改填区划代码")]


# A county's civil-affairs list: 6-digit county and 9-digit township codes, levels named by the body, and
# the county's own 上级代码 — its city, which a county set up without its city has nowhere.
CIVIL_HEADER = ["区划代码", "名称", "层级", "上级代码"]
CIVIL = [
    ["330521", "德清县", "县", "330500"],
    ["330521001", "武康街道办事处", "街道办事处", "330521"],
    ["330521201", "筏头畲族乡", "民族乡", "330521"],
    ["330521001001", "英溪社区居委会", "居委会", "330521001"],
    ["330521201201", "筏头村委会", "村委会", "330521201"],
]


def test_a_county_whose_stated_city_is_nowhere_is_the_top_of_a_new_tree(db) -> None:  # type: ignore[no-untyped-def]
    data = csv_bytes(CIVIL_HEADER, CIVIL, encoding="gbk")
    result = run("areas", data, None, "德清县区划.csv")
    assert result.batch.status == BatchStatus.COMMITTED, result.errors
    assert result.summary() == "imported: 5 new, 0 updated, 0 unchanged, 0 rejected"
    county = area_services.find_area("330521")
    assert county.parent is None and county.level == "district"
    assert [(n["row"], n["column"]) for n in result.batch.notices] == [(2, "上级代码")]
    assert "330500" in result.batch.notices[0]["message"]
    again = run("areas", xlsx_bytes(CIVIL_HEADER, CIVIL), None, "德清县区划.xlsx")
    assert again.summary() == "imported: 0 new, 0 updated, 5 unchanged, 0 rejected"
    assert again.batch.notices == []


def test_a_county_whose_stated_parent_is_not_its_own_city_is_still_refused(db) -> None:  # type: ignore[no-untyped-def]
    rows = [["330521", "德清县", "县", "330600"], *CIVIL[1:]]
    result = run("areas", csv_bytes(CIVIL_HEADER, rows), None, "德清县区划.csv")
    assert result.batch.status == BatchStatus.REJECTED
    assert errors_of(result) == [(2, "上级代码", "上级代码在系统和本文件中都不存在")]


def test_a_masked_id_number_or_phone_is_refused_saying_it_is_masked(world) -> None:  # type: ignore[no-untyped-def]
    number = id_number("331102", "19500101", "121")
    rows = [
        ["孙一", number[:6] + "********" + number[-4:], "", "", "城西社区", ""],
        ["孙二", id_number("331102", "19500101", "122"), "139****5678", "", "城西社区", ""],
    ]
    result = run("people", csv_bytes(PEOPLE_HEADER, rows), world.users["leader"], "名单.csv")
    assert result.batch.status == BatchStatus.REJECTED
    assert errors_of(result) == [
        (2, "身份证号", "身份证号已脱敏（含 * 号），无法核对本人，请提供完整号码"),
        (3, "手机号", "手机号已脱敏（含 * 号），无法核对本人，请提供完整号码"),
    ]
    assert number not in str(result.batch.errors)


def test_codes_a_spreadsheet_rounded_are_named_as_such_not_only_as_duplicates(db) -> None:  # type: ignore[no-untyped-def]
    """A list saved as CSV from Excel (3.30521E+11) and opened and saved again as XLSX holds numbers that
    lost their last digits: every code of the county reads 330521000000."""
    rows = [
        [330521000000, "", "德清县"],
        [330521000000, "", "武康街道办事处"],
        [330521000000, 111, "英溪社区居委会"],
    ]
    result = run("areas", xlsx_bytes(["统计用区划代码", "城乡分类代码", "名称"], rows), None)
    assert result.batch.status == BatchStatus.REJECTED
    assert [(row, column) for row, column, _ in errors_of(result)] == [(3, "区划代码"), (4, "区划代码")]
    for _, _, message in errors_of(result):
        assert message.startswith("与第 2 行的区划代码 330521000000 重复")
        assert "3.30521E+11" in message and "末几位数字可能已丢失" in message


def test_a_duplicate_code_with_its_digits_is_told_as_before(db) -> None:  # type: ignore[no-untyped-def]
    rows = [
        ["330521000000", "", "德清县"],
        ["330521001000", "", "武康街道办事处"],
        ["330521001001", "111", "英溪社区居委会"],
        ["330521001001", "111", "英溪社区"],
    ]
    result = run("areas", csv_bytes(["统计用区划代码", "城乡分类代码", "名称"], rows), None, "区划.csv")
    assert errors_of(result) == [(5, "区划代码", "与第 4 行的区划代码 330521001001 重复")]


def test_next_years_list_naming_a_township_by_a_new_code_says_the_old_one_is_still_in_force(db) -> None:  # type: ignore[no-untyped-def]
    """筏头畲族乡 (330521201) became 筏头镇 (330521104): next year's list creates the new township, and the
    old one stayed in force beside it, with no word. The file now says so on the first row under the
    county; a file adding one village says nothing of the villages it does not list."""
    assert run("areas", csv_bytes(CIVIL_HEADER, CIVIL), None, "德清县区划.csv").ok
    next_year = [
        CIVIL[0],
        CIVIL[1],
        ["330521104", "筏头镇", "镇", "330521"],
        CIVIL[3],
        ["330521104201", "筏头村委会", "村委会", "330521104"],
    ]
    result = run("areas", csv_bytes(CIVIL_HEADER, next_year), None, "德清县区划2027.csv")
    assert result.summary() == "imported: 2 new, 0 updated, 3 unchanged, 0 rejected"
    [notice] = [n for n in result.batch.notices if "没有列出" in n["message"]]
    assert (notice["row"], notice["column"]) == (3, "上级代码")
    assert "筏头畲族乡（330521201）" in notice["message"] and "已撤销" in notice["message"]

    one_village = [["330521001002", "新建社区居委会", "居委会", "330521001"]]
    added = run("areas", csv_bytes(CIVIL_HEADER, one_village), None, "新增社区.csv")
    assert added.ok and not [n for n in added.batch.notices if "没有列出" in n["message"]]
