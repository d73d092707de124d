"""Rows above the area tree in a cut of the statistical division list: the province, and the city above a
county set up without its city, are skipped with a row notice when they are ancestors of the imported
areas; a province or city elsewhere is still an error (probe s24)."""

from __future__ import annotations

import csv
from pathlib import Path

from openpyxl import Workbook

from fanzha.core.models import Area
from fanzha.imports.models import BatchStatus
from fanzha.imports.pipeline import import_run

NBS_HEADER = ["统计用区划代码", "城乡分类代码", "名称"]
QINGXI = [
    ["331199300000", "", "新塘街道办事处"],
    ["331199300001", "111", "中山社区居民委员会"],
]
# A county of Sichuan set up on a fresh system: its cut of the list, with the province and city above.
YAAN = [
    ["510000000000", "", "四川省"],
    ["511800000000", "", "雅安市"],
    ["511822000000", "", "荥经县"],
    ["511822100000", "", "严道街道办事处"],
    ["511822100001", "111", "城关社区居民委员会"],
]
SKIPPED = "上级区划，已跳过"


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> bytes:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path.read_bytes()


def write_xlsx(path: Path, header: list[str], rows: list[list[str]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path.read_bytes()


def run(path: Path, data: bytes, actor=None):  # type: ignore[no-untyped-def]
    return import_run(actor=actor, importer="areas", file_name=path.name, data=data)


def messages(result) -> list[str]:  # type: ignore[no-untyped-def]
    return [error["message"] for error in result.batch.errors] or [result.batch.message]


def notices(result) -> dict[int, str]:  # type: ignore[no-untyped-def]
    return {notice["row"]: notice["message"] for notice in result.batch.notices}


def test_the_province_above_the_tree_is_skipped_with_a_notice(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Was: 省级区划不在本系统的区划树中…请删除该行, and the whole file refused."""
    path = tmp_path / "统计用区划代码.xlsx"
    data = write_xlsx(path, NBS_HEADER, [["330000000000", "", "浙江省"], *QINGXI])
    result = run(path, data, world.users["admin"])
    assert result.batch.status == BatchStatus.COMMITTED, messages(result)
    assert result.summary() == "imported: 2 new, 0 updated, 1 unchanged, 0 rejected"
    assert SKIPPED in notices(result)[2]
    assert not Area.objects.filter(code="330000000000").exists()
    assert Area.objects.get(code="331199300001").parent.code == "331199300000"


def test_a_fresh_county_cut_keeps_its_city_and_skips_the_province(db, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "雅安.csv"
    result = run(path, write_csv(path, NBS_HEADER, YAAN))
    assert result.batch.status == BatchStatus.COMMITTED, messages(result)
    assert list(notices(result)) == [2] and SKIPPED in notices(result)[2]
    assert Area.objects.get(code="511800000000").parent is None  # the tree may start at 市
    assert Area.objects.get(code="511822100001").path == (
        "/511800000000/511822000000/511822100000/511822100001/"
    )


def test_the_city_above_a_county_set_up_without_it_is_skipped_too(db, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Was: the city was made a second top of the tree, with nothing under it (the county kept none)."""
    first = tmp_path / "荥经县.csv"
    assert run(first, write_csv(first, NBS_HEADER, YAAN[2:4])).ok
    path = tmp_path / "雅安.xlsx"
    result = run(path, write_xlsx(path, NBS_HEADER, YAAN[1:]))
    assert result.batch.status == BatchStatus.COMMITTED, messages(result)
    assert list(notices(result)) == [2] and SKIPPED in notices(result)[2]
    assert not Area.objects.filter(code="511800000000").exists()
    assert Area.objects.get(code="511822000000").parent is None
    assert result.summary() == "imported: 1 new, 0 updated, 3 unchanged, 0 rejected"
    # With the province above it as well: both skipped.
    again = tmp_path / "雅安全部.csv"
    result = run(again, write_csv(again, NBS_HEADER, YAAN))
    assert result.batch.status == BatchStatus.COMMITTED, messages(result)
    assert set(notices(result)) == {2, 3}
    assert not Area.objects.filter(code__in=["510000000000", "511800000000"]).exists()


def test_a_civil_affairs_list_with_levels_and_parent_codes_skips_its_province(db, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """层级 省 was refused as an unknown level; the city's 上级代码 naming the province, as missing."""
    rows = [
        ["510000", "四川省", "省", ""],
        ["511800", "雅安市", "市", "510000"],
        ["511822", "荥经县", "县", "511800"],
    ]
    path = tmp_path / "区划.csv"
    result = run(path, write_csv(path, ["区划代码", "名称", "层级", "上级代码"], rows))
    assert result.batch.status == BatchStatus.COMMITTED, messages(result)
    assert SKIPPED in notices(result)[2]
    assert Area.objects.get(code="511800").parent is None
    assert Area.objects.get(code="511822").parent.code == "511800"


def test_another_province_is_still_an_error(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "统计用区划代码.csv"
    result = run(path, write_csv(path, NBS_HEADER, [["440000000000", "", "广东省"], *QINGXI]))
    assert result.batch.status == BatchStatus.REJECTED
    assert [error["row"] for error in result.batch.errors] == [2]
    assert "省" in messages(result)[0]
    assert not Area.objects.filter(code="331199300000").exists()


def test_a_province_alone_is_no_ones_ancestor(db, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "省.csv"
    result = run(path, write_csv(path, NBS_HEADER, [["510000000000", "", "四川省"]]))
    assert result.batch.status == BatchStatus.REJECTED, result.batch.message
