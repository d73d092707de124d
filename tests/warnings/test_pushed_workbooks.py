"""Pushed warning lists as centres really receive them, through `fanzha warnings import FILE`: workbooks
whose first sheet is the sender's template and whose list is on a later sheet."""

from __future__ import annotations

import io
from typing import Any

import pytest
from openpyxl import Workbook

from fanzha.warnings.models import Warning
from tests.warnings.files import HEADER, row
from tests.warnings.test_cli import command

EXAMPLE = ["示例", "张三", "330102199001011234", "13800000000", "某县某镇某村1号", "刷单返利", "上级推送"]


def book(*sheets: tuple[str, list[list[Any]]]) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets:
        sheet = workbook.create_sheet(title)
        for cells in rows:
            sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def run(tmp_path: Any, data: bytes) -> tuple[str, int]:
    file = tmp_path / "list.xlsx"
    file.write_bytes(data)
    return command("warnings", "import", str(file))


@pytest.mark.parametrize(
    "template",
    [[HEADER], [HEADER, EXAMPLE], [HEADER, ["必填", "必填", "选填"]], [HEADER, ["1"], ["2"], ["3"]]],
    ids=["header-only", "example-row", "hint-row", "numbered-lines"],
)
def test_a_template_sheet_in_front_gives_way_to_the_sheet_with_the_list(world, tmp_path, template) -> None:  # type: ignore[no-untyped-def]
    """The template's sheet (its header, an example, hints, pre-numbered lines) was read as the list:
    "只有表头" and 0 new, the list named as a sheet "也有数据" and not imported."""
    out, code = run(tmp_path, book(("模板", template), ("11月3日", [HEADER, row(1), row(2)])))
    assert code == 0, out
    assert out.splitlines()[-1] == "imported: 2 new, 0 merged, 0 unchanged, 0 rejected", out
    assert "已读取工作表“11月3日”（它前面的工作表“模板”中没有数据行）" in out
    assert "也有数据" not in out and "只有表头" not in out
    assert sorted(Warning.objects.values_list("source_id", flat=True)) == ["YJ000001", "YJ000002"]


def test_two_sheets_with_rows_still_read_the_first_and_name_the_other(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    sheets = [("模板", [HEADER]), ("11月3日", [HEADER, row(1)]), ("11月4日", [HEADER, row(2)])]
    out, code = run(tmp_path, book(*sheets))
    assert code == 0 and out.splitlines()[-1] == "imported: 1 new, 0 merged, 0 unchanged, 0 rejected", out
    assert "工作表“11月4日”也有数据（表头相同），未导入" in out
    assert "“模板”也有数据" not in out


def test_a_workbook_of_templates_only_is_still_a_header_without_rows(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    out, code = run(tmp_path, book(("模板", [HEADER, EXAMPLE]), ("Sheet2", [HEADER])))
    assert code == 0 and out.splitlines()[-1] == "imported: 0 new, 0 merged, 0 unchanged, 0 rejected", out
    assert "只有表头" in out
