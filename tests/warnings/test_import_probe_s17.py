"""Pushed warning lists as centres receive them (round 17): a CSV header of two rows, rows an Excel
filter hid, 户籍地址 in place of 现住址, the column names operators' and banks' lists use, and a row
repeated in one file."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from fanzha.imports.pipeline import import_run
from fanzha.imports.readers import read_table
from fanzha.warnings.models import Warning
from tests.warnings.files import HEADER, row
from tests.warnings.test_cli import command

CHINA = dt.timezone(dt.timedelta(hours=8))
ADDRESS = "江州市青溪县城关镇城东社区幸福路{}号"


def _is_header(cells: list[str]) -> bool:
    return "姓名" in cells


def _imported(data: bytes, file_name: str = "list.csv") -> Any:
    result = import_run(actor=None, importer="warnings", file_name=file_name, data=data)
    assert result.ok, (result.batch.message, result.batch.errors)
    return result.batch


# ── a header of two rows in a CSV ────────────────────────────────────────────

# The two-row header of tests/warnings/test_import_probe_s16.py saved as CSV: 序号 … 现住址 no longer
# repeated below (merged cells leave only their first), 预警信息 above its three columns.
TWO_ROW_CSV = (
    "序号,姓名,身份证号,手机号,现住址,预警信息,,\n"
    ",,,,,诈骗类型,预警时间,预警来源\n"
    "1,张三,{id},13800001111,{address},冒充公检法,2026-11-28 09:05,中国移动\n"
)


def test_it_reads_a_csv_header_of_two_rows_with_a_group_label(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    text = TWO_ROW_CSV.format(id=row(1)[2], address=ADDRESS.format(1))
    table = read_table(text.encode(), _is_header)
    assert table.header == [
        "序号",
        "姓名",
        "身份证号",
        "手机号",
        "现住址",
        "诈骗类型",
        "预警时间",
        "预警来源",
    ]
    assert [number for number, _ in table.rows] == [3]
    file = tmp_path / "list.csv"
    file.write_bytes(text.encode("gbk"))
    out, code = command("warnings", "import", str(file))
    assert code == 0 and out.splitlines()[-1] == "imported: 1 new, 0 merged, 0 unchanged, 0 rejected", out
    warning = Warning.objects.get()
    assert (warning.source, warning.fraud_type) == ("operator", "impersonate_authority")
    assert warning.warned_at == dt.datetime(2026, 11, 28, 9, 5, tzinfo=CHINA)


def test_it_reads_such_a_header_when_the_export_trimmed_the_empty_cells_after_the_group_label() -> None:
    text = "姓名,手机号,预警信息\n,,诈骗类型,预警时间\n张三,13800001111,刷单返利,2026-11-28 09:05\n"
    table = read_table(text.encode(), _is_header)
    assert table.header == ["姓名", "手机号", "诈骗类型", "预警时间"]
    assert [number for number, _ in table.rows] == [3]


def test_it_never_takes_a_nearly_empty_data_row_below_the_header_for_its_second_row() -> None:
    """A row with only a note under the last column, or values under a group label's columns, is data."""
    for text in (
        "姓名,手机号,现住址,备注\n,,,已劝阻\n",
        "姓名,手机号,预警信息,\n,,刷单返利,2026-11-28\n",
        "姓名,手机号,现住址,备注\n张三,,江州市,已劝阻\n",
    ):
        table = read_table(text.encode(), _is_header)
        assert table.header_row == 1 and [number for number, _ in table.rows] == [2], text


# ── rows an Excel filter hid ─────────────────────────────────────────────────


def _filtered_xlsx(hide: tuple[int, ...]) -> bytes:
    """Three warnings below a title, an auto-filter on the header, the rows ``hide`` hidden by it."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "预警清单"
    sheet.append(["青溪县反诈中心预警推送清单"])
    sheet.append(HEADER)
    for n in (1, 2, 3):
        sheet.append(row(n))
    sheet.auto_filter.ref = "A2:K5"
    for number in hide:
        sheet.row_dimensions[number].hidden = True
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_it_reads_the_rows_a_filter_hid_and_names_them(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A filter is how someone last looked at the list, not a cut of it: the hidden rows are people
    warned like the others. They are read, and the rows named, so whoever imports can check them."""
    data = _filtered_xlsx(hide=(3, 5))
    table = read_table(data, _is_header)
    assert [number for number, _ in table.rows] == [3, 4, 5]
    assert table.notes == ["第 3、5 行在表格中是隐藏的（被筛选或隐藏），已照常读取，请核实是否属于这份名单"]
    file = tmp_path / "list.xlsx"
    file.write_bytes(data)
    out, code = command("warnings", "import", str(file))
    assert code == 0 and out.splitlines()[-1] == "imported: 3 new, 0 merged, 0 unchanged, 0 rejected", out
    assert "第 3、5 行在表格中是隐藏的" in out
    assert Warning.objects.count() == 3


def test_it_says_nothing_of_hidden_rows_when_the_filter_hides_none() -> None:
    table = read_table(_filtered_xlsx(hide=()), _is_header)
    assert [number for number, _ in table.rows] == [3, 4, 5] and table.notes == []


def test_it_finds_the_hidden_rows_of_the_sheet_it_reads_not_of_another() -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    notes = workbook.active
    notes.title = "填表说明"
    notes.append(["说明"])
    notes.append(["隐藏的说明"])
    notes.row_dimensions[2].hidden = True
    sheet = workbook.create_sheet("清单")
    sheet.append(HEADER)
    sheet.append(row(1))
    sheet.append(row(2))
    sheet.row_dimensions[3].hidden = True
    buffer = io.BytesIO()
    workbook.save(buffer)
    table = read_table(buffer.getvalue(), _is_header)
    assert [number for number, _ in table.rows] == [2, 3]
    assert any(note.startswith("第 3 行在表格中是隐藏的") for note in table.notes), table.notes
