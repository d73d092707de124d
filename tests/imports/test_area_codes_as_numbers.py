"""Area codes a spreadsheet or pandas turned into numbers, as every import reading one receives them.

A 12-digit 区划代码 column kept as a number arrives as ``331199100203.0`` (a pandas float column
written to CSV), as an XLSX number cell (float or int), or as ``3.31199E+11`` (Excel's General format
saved as CSV: the last digits may be gone). The first two are the code; scientific notation is refused
on its row, saying why and how to export the list again.
"""

from __future__ import annotations

import pytest

from fanzha.core.models import Area, Organisation, Person
from fanzha.imports.importers.areas import LossyAreaCode, read_area_code
from fanzha.imports.models import BatchStatus
from fanzha.imports.pipeline import import_run
from tests.imports.files import PEOPLE_HEADER, csv_bytes, person_row, xlsx_bytes

AREA_HEADER = ["区划代码", "名称", "层级", "上级代码"]
UNIT_HEADER = ["单位名称", "单位类型", "所属区划", "管辖区划"]


def run(actor, importer: str, data: bytes, file_name: str):  # type: ignore[no-untyped-def]
    return import_run(actor=actor, importer=importer, file_name=file_name, data=data)


def errors_of(result) -> list[tuple[int, str, str]]:  # type: ignore[no-untyped-def]
    return [(e["row"], e["column"], e["message"]) for e in result.errors]


def says_scientific(message: str) -> bool:
    """The refusal names the cause (科学计数法, digits lost) and the fix (the column as text, again)."""
    return all(word in message for word in ("科学计数法", "数字可能已丢失", "文本", "重新导出"))


@pytest.mark.parametrize(
    ("cell", "code"),
    [
        ("331199100203.0", "331199100203"),
        ("331199100203.00", "331199100203"),
        ("331199100001001.0", "331199100001001"),  # 15 digits: a float holds it exactly
        ("３３１１９９１００２０３．０", "331199100203"),  # full-width
        ("'331199 100203", "331199100203"),
        ("城关镇 / 城东社区", "城关镇/城东社区"),  # a name path is no code: only its spaces go
    ],
)
def test_read_area_code_reads_a_whole_decimal_as_its_digits(cell: str, code: str) -> None:
    assert read_area_code(cell) == code


@pytest.mark.parametrize(
    "cell",
    ["3.31199E+11", "3.31199100204E+11", "3.311991000010011e+15", "'3.31199E+11", "3311991000010011.0"],
)
def test_read_area_code_refuses_a_number_that_may_have_lost_digits(cell: str) -> None:
    with pytest.raises(LossyAreaCode, match="末几位数字可能已丢失"):
        read_area_code(cell)


# ── the areas import: 区划代码 and 上级代码 ──────────────────────────────────────


def test_a_pandas_float_column_in_a_csv_reads_as_the_code(world) -> None:  # type: ignore[no-untyped-def]
    rows = [["331199100203.0", "新华社区", "社区", "331199100000.0"]]
    result = run(world.users["admin"], "areas", csv_bytes(AREA_HEADER, rows), "区划.csv")
    assert result.batch.status == BatchStatus.COMMITTED, errors_of(result)
    area = Area.objects.get(code="331199100203")
    assert area.parent == world.areas["331199100000"]


def test_xlsx_number_cells_float_or_int_read_as_the_code(world) -> None:  # type: ignore[no-untyped-def]
    rows = [
        [331199100204.0, "新民社区", "社区", 331199100000.0],
        [331199100205, "新村社区", "社区", 331199100000],
    ]
    result = run(world.users["admin"], "areas", xlsx_bytes(AREA_HEADER, rows), "区划.xlsx")
    assert result.batch.status == BatchStatus.COMMITTED, errors_of(result)
    for code in ("331199100204", "331199100205"):
        assert Area.objects.get(code=code).parent == world.areas["331199100000"]


def test_scientific_notation_in_a_csv_is_refused_on_its_row_saying_why(world) -> None:  # type: ignore[no-untyped-def]
    rows = [
        ["331199100206", "新安社区", "社区", "331199100000"],
        ["3.31199100207E+11", "新城社区", "社区", "331199100000"],
        ["331199100208", "新港社区", "社区", "3.31199E+11"],
    ]
    result = run(world.users["admin"], "areas", csv_bytes(AREA_HEADER, rows), "区划.csv")
    assert result.batch.status == BatchStatus.REJECTED
    assert [(row, column) for row, column, _ in errors_of(result)] == [(3, "区划代码"), (4, "上级代码")]
    assert all(says_scientific(message) for _, _, message in errors_of(result)), errors_of(result)
    assert errors_of(result)[0][2].startswith("区划代码被表格软件转成了科学计数法")
    assert errors_of(result)[1][2].startswith("上级代码被表格软件转成了科学计数法")
    assert not Area.objects.filter(code__in=["331199100206", "331199100207", "331199100208"]).exists()


def test_scientific_notation_in_an_xlsx_text_cell_is_refused_too(world) -> None:  # type: ignore[no-untyped-def]
    rows = [["3.31199100209E+11", "新河社区", "社区", "331199100000"]]
    result = run(world.users["admin"], "areas", xlsx_bytes(AREA_HEADER, rows), "区划.xlsx")
    assert result.batch.status == BatchStatus.REJECTED
    [(row, column, message)] = errors_of(result)
    assert (row, column) == (2, "区划代码") and says_scientific(message)


def test_a_code_of_sixteen_digits_in_an_xlsx_number_cell_is_refused(world) -> None:  # type: ignore[no-untyped-def]
    """A float does not hold every 16-digit whole number: the cell may already be another code."""
    rows = [[3311991000010011, "第一网格", "网格", "331199100001"]]
    result = run(world.users["admin"], "areas", xlsx_bytes(AREA_HEADER, rows), "区划.xlsx")
    assert result.batch.status == BatchStatus.REJECTED
    [(row, column, message)] = errors_of(result)
    assert (row, column) == (2, "区划代码")
    assert "超过 15 位" in message and "末几位数字可能已丢失" in message and "文本" in message


def test_an_apostrophe_or_spaces_around_a_code_still_read_as_the_code(world) -> None:  # type: ignore[no-untyped-def]
    rows = [
        ["'331199100210", "新桥社区", "社区", " 331199 100000 "],
        ["’331199 100211", "新湖社区", "社区", "'331199100000"],
    ]
    result = run(world.users["admin"], "areas", csv_bytes(AREA_HEADER, rows), "区划.csv")
    assert result.batch.status == BatchStatus.COMMITTED, errors_of(result)
    assert Area.objects.filter(code__in=["331199100210", "331199100211"]).count() == 2


# ── the units import: 所属区划 and 管辖区划 ──────────────────────────────────────


def test_a_units_area_and_covered_areas_written_as_floats_read_as_codes(world) -> None:  # type: ignore[no-untyped-def]
    rows = [["新华警务室", "其他", "331199100000.0", "331199100001.0、331199100002.0"]]
    result = run(world.users["admin"], "organisations", csv_bytes(UNIT_HEADER, rows), "单位.csv")
    assert result.batch.status == BatchStatus.COMMITTED, errors_of(result)
    unit = Organisation.objects.get(name="新华警务室")
    assert unit.area == world.areas["331199100000"]
    assert sorted(a.code for a in unit.covered_areas.all()) == ["331199100001", "331199100002"]


def test_a_units_area_in_an_xlsx_number_cell_reads_as_the_code(world) -> None:  # type: ignore[no-untyped-def]
    rows = [["新民警务室", "其他", 331199100000.0, 331199100001]]
    result = run(world.users["admin"], "organisations", xlsx_bytes(UNIT_HEADER, rows), "单位.xlsx")
    assert result.batch.status == BatchStatus.COMMITTED, errors_of(result)
    unit = Organisation.objects.get(name="新民警务室")
    assert (unit.area.code, [a.code for a in unit.covered_areas.all()]) == ("331199100000", ["331199100001"])


def test_a_units_area_in_scientific_notation_is_refused_saying_why(world) -> None:  # type: ignore[no-untyped-def]
    rows = [
        ["新安警务室", "其他", "3.31199E+11", ""],
        ["新城警务室", "其他", "331199100000", "331199100001、3.31199100002E+11"],
    ]
    result = run(world.users["admin"], "organisations", csv_bytes(UNIT_HEADER, rows), "单位.csv")
    assert result.batch.status == BatchStatus.REJECTED
    assert [(row, column) for row, column, _ in errors_of(result)] == [(2, "所属区划"), (3, "管辖区划")]
    assert all(says_scientific(message) for _, _, message in errors_of(result)), errors_of(result)
    assert not Organisation.objects.filter(name__in=["新安警务室", "新城警务室"]).exists()


# ── the people import: 区划代码 ───────────────────────────────────────────────


def test_a_persons_area_code_as_a_float_or_with_an_apostrophe_reads_as_the_code(world) -> None:  # type: ignore[no-untyped-def]
    grid = world.areas["331199100001001"]
    before = Person.objects.filter(area=grid).count()
    rows = [person_row(1, "331199100001001.0"), person_row(2, "'331199100001001")]
    result = run(world.users["leader"], "people", csv_bytes(PEOPLE_HEADER, rows), "人员.csv")
    assert result.batch.status == BatchStatus.COMMITTED, errors_of(result)
    assert result.summary() == "imported: 2 new, 0 updated, 0 unchanged, 0 rejected"
    assert Person.objects.filter(area=grid).count() == before + 2


def test_a_persons_area_code_in_scientific_notation_is_refused_saying_why(world) -> None:  # type: ignore[no-untyped-def]
    rows = [person_row(1), person_row(2, "3.31199100001E+14")]
    result = run(world.users["leader"], "people", csv_bytes(PEOPLE_HEADER, rows), "人员.csv")
    assert result.batch.status == BatchStatus.REJECTED
    [(row, column, message)] = errors_of(result)
    assert (row, column) == (3, "区划代码") and says_scientific(message)


# ── the cases import reads its 区划代码 as the people import does ──────────────────

CASE_HEADER = ["案件编号", "报案时间", "发案时间", "区划代码", "受害人姓名", "损失金额"]


def test_a_cases_area_code_as_a_float_reads_as_the_code_and_scientific_is_refused(world) -> None:  # type: ignore[no-untyped-def]
    from fanzha.cases.models import Case

    def case(ref: str, code: str) -> list[str]:
        return [ref, "2024-03-02 09:30", "2024-03-01 20:10", code, "周某", "5000"]

    analyst = world.users["analyst"]
    good = run(analyst, "cases", csv_bytes(CASE_HEADER, [case("H2024101", "331199100002.0")]), "案件.csv")
    assert good.batch.status == BatchStatus.COMMITTED, errors_of(good)
    assert Case.objects.get(source_ref="H2024101").area == world.areas["331199100002"]
    bad = run(analyst, "cases", csv_bytes(CASE_HEADER, [case("H2024102", "3.31199100002E+11")]), "案件.csv")
    assert bad.batch.status == BatchStatus.REJECTED
    [(row, column, message)] = errors_of(bad)
    assert (row, column) == (2, "区划代码") and says_scientific(message)
