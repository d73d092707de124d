"""Warning lists whose header's second row numbers its names (联系电话 over 电话1 / 电话2, not merged
down): imported with both phones read, and a plain list's first row of digits imported as a warning."""

from __future__ import annotations

from typing import Any

from fanzha.imports.pipeline import import_run
from fanzha.warnings.models import Warning
from tests.imports.files import grid_csv
from tests.imports.files import sheet_bytes as _xlsx
from tests.warnings.files import row

UPPER = ["预警编号", "姓名", "身份证号", "联系电话", None, "现住址", "嫌疑信息", None]
LOWER = [None, None, None, "电话1", "电话2", None, "嫌疑号码", "嫌疑账号"]
SECOND_PHONE = "13900000002"


def _rows() -> list[list[Any]]:
    first, second = row(1), row(2)
    return [
        UPPER,
        LOWER,
        [*first[:4], "13900000001", first[4], "17012345678", "6222020000000000001"],
        [*second[:3], "", SECOND_PHONE, second[4], "", ""],
    ]


def _imported(data: bytes, file_name: str) -> Any:
    result = import_run(actor=None, importer="warnings", file_name=file_name, data=data)
    assert result.ok, (result.batch.message, result.batch.errors)
    return result.batch


def test_a_list_whose_phones_are_numbered_under_their_label_imports_both_rows(world) -> None:  # type: ignore[no-untyped-def]
    for data, name in (
        (_xlsx(_rows()), "list.xlsx"),
        (_xlsx(_rows(), ("D1:E1", "G1:H1")), "merged.xlsx"),
        (_csv(_rows()), "list.csv"),
    ):
        Warning.objects.all().delete()
        batch = _imported(data, name)
        assert (batch.rows_new, batch.rows_rejected) == (2, 0), name
        assert "合并单元格" not in batch.message, name
        first, second = Warning.objects.order_by("source_id")
        assert first.person.phone == "13700000001", name  # 电话1
        assert second.person.phone == SECOND_PHONE, name  # 电话2, where 电话1 is empty
        assert (first.suspect_numbers, first.suspect_accounts) == ("17012345678", "6222020000000000001"), name


def test_a_plain_lists_first_row_of_digits_is_imported(world) -> None:  # type: ignore[no-untyped-def]
    header = ["姓名", "手机号", "身份证号", "预警时间", "涉案金额"]
    first = ["张三", "13800138000", "110101199003070011", "2025-01-01", "5000"]
    for data, name in ((_xlsx([header, first]), "plain.xlsx"), (_csv([header, first]), "plain.csv")):
        Warning.objects.all().delete()
        batch = _imported(data, name)
        assert (batch.rows_new, batch.rows_rejected) == (1, 0), name
        warning = Warning.objects.get()
        assert (warning.person.name, warning.person.phone, warning.amount) == ("张三", "13800138000", 5000)


def test_a_units_row_under_the_header_reads_the_amounts_in_its_unit(world) -> None:  # type: ignore[no-untyped-def]
    """（万元） under 涉案金额: the row named nobody and refused the list; 3 is 30,000 yuan."""
    header = ["预警编号", "姓名", "身份证号", "手机号", "现住址", "涉案金额"]
    units = [None, None, None, None, None, "（万元）"]
    first = row(1)
    for data, name in (
        (_xlsx([header, units, [*first[:5], 3]]), "units.xlsx"),
        (_csv([header, units, [*first[:5], "3"]]), "units.csv"),
    ):
        Warning.objects.all().delete()
        batch = _imported(data, name)
        assert (batch.rows_new, batch.rows_rejected) == (1, 0), name
        assert "第 2 行是表头的单位行" in batch.message, name
        assert Warning.objects.get().amount == 30000, name


def _csv(rows: list[list[Any]]) -> bytes:
    return grid_csv(rows, "gbk")
