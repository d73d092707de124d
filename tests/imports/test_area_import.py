"""The area importer: any row order, Chinese levels, references checked, export round-trips."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import PermissionDenied

from fanzha.core.models import Area
from fanzha.core.services import areas as area_services
from fanzha.imports.exports import areas_csv_text, areas_xlsx
from fanzha.imports.models import BatchStatus
from fanzha.imports.pipeline import import_run
from tests.imports.files import csv_bytes

HEADER = ["行政区划代码", "名称", "级别", "上级代码", "常住人口", "户数"]


def run(data: bytes, actor=None, **kwargs):  # type: ignore[no-untyped-def]
    return import_run(actor=actor, importer="areas", file_name="区划.csv", data=data, **kwargs)


def test_it_imports_children_before_their_parents_in_any_order(world) -> None:  # type: ignore[no-untyped-def]
    rows = [
        ["331199300101001", "新塘村第一网格", "网格", "331199300101", "", ""],
        ["331199300101", "新塘村", "村", "331199300000", "1,200", "450"],
        ["331199300000", "新塘街道", "街道", "331199000000", "", ""],
        ["331199100002", "城西社区", "社区", "331199100000", "2000", "800"],
    ]
    result = run(csv_bytes(HEADER, rows), actor=world.users["admin"])
    assert result.summary() == "imported: 3 new, 1 updated, 0 unchanged, 0 rejected"
    grid = Area.objects.get(code="331199300101001")
    assert grid.path == "/331100000000/331199000000/331199300000/331199300101/331199300101001/"
    assert grid.level == "grid"
    village = Area.objects.get(code="331199300101")
    assert (village.level, village.residents, village.households) == ("village", 1200, 450)
    assert Area.objects.get(code="331199100002").residents == 2000


def test_it_round_trips_its_own_export(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    csv_data = areas_csv_text().encode("utf-8")
    assert run(csv_data).summary() == "imported: 0 new, 0 updated, 9 unchanged, 0 rejected"
    xlsx = run(areas_xlsx())
    assert xlsx.batch.status == BatchStatus.COMMITTED
    assert xlsx.summary() == "imported: 0 new, 0 updated, 9 unchanged, 0 rejected"
    edited = csv_data.decode("utf-8").replace("石桥村,村/社区", "石桥村（新）,村/社区").encode("utf-8")
    assert run(edited).summary() == "imported: 0 new, 1 updated, 8 unchanged, 0 rejected"
    assert Area.objects.get(code="331199200201").name == "石桥村（新）"


def test_it_exports_text_that_cannot_run_as_a_formula(world) -> None:  # type: ignore[no-untyped-def]
    area_services.area_create(
        actor=None,
        code="331199300000",
        name='=HYPERLINK("http://x")',
        level="township",
        parent=world.areas["331199000000"],
    )
    assert "'=HYPERLINK" in areas_csv_text()
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_filelike(io.BytesIO(areas_xlsx())).get_sheet_by_index(0).to_python()
    assert rows[0] == ["区划代码", "名称", "层级", "上级代码", "常住人口", "户数", "状态"]
    names = [row[1] for row in rows]
    assert '\'=HYPERLINK("http://x")' in names
    assert all(isinstance(row[0], str) for row in rows)  # codes stay text


def test_it_rejects_bad_references_and_levels_without_writing(world) -> None:  # type: ignore[no-untyped-def]
    rows = [
        ["331199400000", "东山镇", "镇", "331199000000", "", ""],
        ["331199400101", "东山村", "村", "339999999999", "", ""],
        ["331199400102", "西山村", "县", "331199400000", "", ""],
        ["331199400103", "南山村", "小组", "331199400000", "", ""],
        ["331199400104", "北山村", "村", "331199400000", "很多", ""],
    ]
    count = Area.objects.count()
    result = run(csv_bytes(HEADER, rows))
    assert result.batch.status == BatchStatus.REJECTED
    assert [(e["row"], e["column"]) for e in result.errors] == [
        (3, "上级代码"),
        (4, "层级"),
        (5, "层级"),
        (6, "常住人口"),
    ]
    messages = {e["row"]: e["message"] for e in result.errors}
    assert messages[3] == "上级代码在系统和本文件中都不存在"
    assert messages[4] == "层级“区/县”不能位于上级“乡镇/街道”之下"
    assert Area.objects.count() == count


def test_it_needs_area_manage_unless_run_by_the_system(world) -> None:  # type: ignore[no-untyped-def]
    data = csv_bytes(HEADER, [["331199500000", "西岭镇", "镇", "331199000000", "", ""]])
    with pytest.raises(PermissionDenied):
        run(data, actor=world.users["leader"])
    assert run(data).summary() == "imported: 1 new, 0 updated, 0 unchanged, 0 rejected"
