"""Warning lists as XLSX workbooks a county centre's staff and its partners' systems really make them:
`fanzha warnings import FILE` on files built with openpyxl (and, where Excel stores what openpyxl
cannot, its XML as Excel writes it), checked in the stored warnings, not only in the summary line."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable
from typing import Any

import pytest
from openpyxl import Workbook

from fanzha.warnings.models import Warning
from tests.personas import id_number
from tests.warnings.test_cli import command

HEADER = [
    "序号",
    "预警编号",
    "姓名",
    "身份证号",
    "手机号",
    "现住址",
    "诈骗类型",
    "预警来源",
    "预警时间",
    "涉案金额",
]


def row(n: int, **changed: Any) -> list[Any]:
    values = {
        "序号": n,
        "预警编号": f"YJ{n}",
        "姓名": f"王{n}英",
        "身份证号": id_number("331102", f"{1956 + n}0101", f"{n:03d}"),
        "手机号": f"137123400{n:02d}",
        "现住址": f"江州市青溪县城关镇城东社区幸福路{n}号",
        "诈骗类型": "刷单返利",
        "预警来源": "上级推送",
        "预警时间": "2026-11-28 09:30",
        "涉案金额": "5000",
        **changed,
    }
    return list(values.values())


def saved(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def sheet_xml_changed(data: bytes, change: Callable[[bytes], bytes]) -> bytes:
    """The workbook with its first worksheet's XML changed (to write cells as Excel stores them)."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            part = source.read(item.filename)
            target.writestr(item, change(part) if item.filename == "xl/worksheets/sheet1.xml" else part)
    return out.getvalue()


def run(tmp_path: Any, data: bytes) -> tuple[str, int]:
    file = tmp_path / "list.xlsx"
    file.write_bytes(data)
    return command("warnings", "import", str(file))


# ── formulas without a computed value ───────────────────────────────────────


def program_written_list() -> bytes:
    """A list a program wrote with formulas (openpyxl stores a formula without its result)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    sheet.append(row(1, 预警编号='="YJ"&ROW()', 涉案金额="=2*2500"))
    sheet.append(row(2, 姓名="=C2", 预警时间="=DATE(2026,11,28)+TIME(9,30,0)"))
    return saved(workbook)


def test_formulas_without_a_result_refuse_the_file_naming_the_cells(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    out, code = run(tmp_path, program_written_list())
    assert code == 1, out
    assert "文件中有公式没有计算结果" in out, out
    for part in ("“预警编号”列第 2 行", "“姓名”列第 3 行", "“预警时间”列第 3 行", "“涉案金额”列第 2 行"):
        assert part in out, out
    assert "请用 Excel 或 WPS 打开文件、保存后重新导入" in out
    assert "ROW()" not in out and "DATE(" not in out  # a formula is never quoted
    assert not Warning.objects.exists()


def test_a_formula_without_a_result_in_a_column_not_read_changes_nothing(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    sheet.append(row(1, 序号="=ROW()-1"))
    sheet.append(row(2, 序号="=ROW()-1"))
    out, code = run(tmp_path, saved(workbook))
    assert code == 0 and out.splitlines()[-1] == "imported: 2 new, 0 merged, 0 unchanged, 0 rejected", out


def test_formulas_excel_computed_are_read_as_their_results(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    sheet.append(row(1, 预警编号="FORMULA", 涉案金额="AMOUNT", 现住址="EMPTY"))

    def as_excel_stores_them(xml: bytes) -> bytes:
        cells = {
            b"FORMULA": b'<c r="B2" t="str"><f>"YJ"&amp;ROW()</f><v>YJ2</v></c>',
            b"AMOUNT": b'<c r="J2"><f>2*2500</f><v>5000</v></c>',
            b"EMPTY": b'<c r="F2" t="str"><f>IF(1,"","")</f><v></v></c>',  # an empty text result
        }
        for text, cell in cells.items():
            column = cell[6:8]
            xml = xml.replace(b'<c r="' + column + b'" t="inlineStr"><is><t>' + text + b"</t></is></c>", cell)
        return xml

    out, code = run(tmp_path, sheet_xml_changed(saved(workbook), as_excel_stores_them))
    assert code == 0 and out.splitlines()[-1] == "imported: 1 new, 0 merged, 0 unchanged, 0 rejected", out
    warning = Warning.objects.get()
    assert (warning.source_id, warning.amount, warning.person.name) == ("YJ2", 5000, "王1英")


# ── an amount typed in 万 with a number format that shows 万元 ─────────────────


@pytest.mark.parametrize(
    ("header", "cell", "number_format", "amount"),
    [
        ("涉案金额", 2.5, '0.00"万元"', 25000),  # typed 2.5, shown 2.50万元
        ("涉案金额", 12, '#,##0"万"', 120000),
        ("涉案金额", 3.5, 'G/通用格式"万元"', 35000),  # Chinese Excel's General with a unit after it
        ("涉案金额", 1.2, '0.0"亿元"', 120000000),
        ("涉案金额", 3, "0\\万\\元", 30000),  # the 万 escaped, not quoted
        ("涉案金额（万元）", 2.5, '0.00"万元"', 25000),  # the header says so too: not twice
        ("涉案金额", 25000, '0!.0000"万元"', 25000),  # yuan shown as 2.5000万元: the dot is a literal
        ("涉案金额", 25000, '0"."0000"万"', 25000),
        ("涉案金额", 25000, "[$¥-804]#,##0.00", 25000),
        ("涉案金额", 25000, '#,##0.00"元"', 25000),
    ],
)
def test_an_amount_is_read_in_the_unit_its_number_format_shows(  # type: ignore[no-untyped-def]
    world, tmp_path, header, cell, number_format, amount
) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append([*HEADER[:-1], header])
    sheet.append(row(1, 涉案金额=cell))
    sheet.cell(row=2, column=len(HEADER)).number_format = number_format
    out, code = run(tmp_path, saved(workbook))
    assert code == 0 and out.splitlines()[-1] == "imported: 1 new, 0 merged, 0 unchanged, 0 rejected", out
    assert Warning.objects.get().amount == amount, out


# ── values merged down a block of rows ──────────────────────────────────────


def merged_block_list(*below: list[Any], merged: str) -> bytes:
    """A titled list of three warnings whose 预警来源 (运营商) is written once and merged down, rows
    ``below`` after them."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["青溪县反诈中心预警清单（11月28日）"])
    sheet.merge_cells("A1:J1")
    sheet.append(HEADER)
    for n in (1, 2, 3):
        sheet.append(row(n, 预警来源="运营商" if n == 1 else None, 诈骗类型="冒充公检法" if n == 1 else None))
    for cells in below:
        sheet.append(cells)
    sheet.merge_cells("G3:G5")  # 诈骗类型 over the three rows
    sheet.merge_cells(merged)
    return saved(workbook)


def assert_three_from_the_operator(out: str, code: int) -> None:
    assert code == 0 and out.splitlines()[-1] == "imported: 3 new, 0 merged, 0 unchanged, 0 rejected", out
    warnings = Warning.objects.order_by("source_id")
    assert [(w.source_id, w.source, w.fraud_type) for w in warnings] == [
        (f"YJ{n}", "operator", "impersonate_authority") for n in (1, 2, 3)
    ]


def test_a_value_merged_down_a_block_applies_to_each_row(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    out, code = run(tmp_path, merged_block_list(merged="H3:H5"))
    assert_three_from_the_operator(out, code)


def test_a_value_merged_over_empty_rows_below_the_data_makes_them_no_rows(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    empty: list[Any] = []
    data = merged_block_list(empty, empty, empty, empty, ["制表人：李四"], merged="H3:H9")
    out, code = run(tmp_path, data)
    assert_three_from_the_operator(out, code)
    assert "第 10 行是表尾的“制表人”行，已跳过" in out and "第 6 行" not in out, out


def test_a_value_merged_into_the_total_line_leaves_it_a_footer(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    data = merged_block_list(["合计", None, None, None, None, None, None, None, None, 15000], merged="H3:H6")
    out, code = run(tmp_path, data)
    assert_three_from_the_operator(out, code)
    assert "第 6 行是表尾的“合计”行，已跳过" in out, out


def test_a_value_merged_over_a_numbered_templates_empty_lines_makes_them_no_rows(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    data = merged_block_list([4], [5], [6], merged="H3:H8")
    out, code = run(tmp_path, data)
    assert_three_from_the_operator(out, code)
    for number in (6, 7, 8):
        assert f"第 {number} 行只有“序号”列有内容，不是数据行，已跳过" in out, out


# ── lines Excel adds itself: a table's total row, 分类汇总 ─────────────────────


def list_with(*lines: tuple[int, list[Any]]) -> bytes:
    """Three warnings (two from the operator, one from a bank) with ``lines`` inserted after the data
    row of each given index (0: after the header)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    rows = [row(1, 预警来源="运营商"), row(2, 预警来源="运营商"), row(3, 预警来源="银行")]
    for index in range(len(rows) + 1):
        if index:
            sheet.append(rows[index - 1])
        for after, cells in lines:
            if after == index:
                sheet.append(cells)
    return saved(workbook)


def test_an_excel_tables_total_row_is_a_footer(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    out, code = run(tmp_path, list_with((3, ["汇总", None, None, None, None, None, None, None, None, 15000])))
    assert code == 0 and out.splitlines()[-1] == "imported: 3 new, 0 merged, 0 unchanged, 0 rejected", out
    assert "第 5 行是表尾的“汇总”行，已跳过" in out


def test_the_lines_excel_subtotals_insert_are_footers(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    blank = [None] * 7
    data = list_with(
        (2, [*blank, "运营商 汇总", None, 10000]),
        (3, [*blank, "银行 汇总", None, 5000]),
        (3, [*blank, "总计", None, 15000]),
    )
    out, code = run(tmp_path, data)
    assert code == 0 and out.splitlines()[-1] == "imported: 3 new, 0 merged, 0 unchanged, 0 rejected", out
    for number, word in ((4, "汇总"), (6, "汇总"), (7, "总计")):
        assert f"第 {number} 行是表尾的“{word}”行，已跳过" in out, out
    counted = list_with((2, [*blank, "运营商 计数", None, 2]), (3, [*blank, "总计数", None, 3]))
    out, code = run(tmp_path, counted)
    assert code == 0 and "0 rejected" in out.splitlines()[-1], out
    assert "第 4 行是表尾的“计数”行，已跳过" in out and "第 6 行是表尾的“计数”行，已跳过" in out, out


# ── a form's 栏次 row under the header ────────────────────────────────────────


@pytest.mark.parametrize(
    "numbers",
    [
        list(range(1, len(HEADER) + 1)),
        [f"（{n}）" for n in range(1, len(HEADER) + 1)],
        ["栏次", *range(1, len(HEADER))],
        ["①", "②", "③", "④", "⑤", "⑥", "⑦", "⑧", "⑨", "⑩"],
    ],
    ids=["digits", "brackets", "label", "circled"],
)
def test_a_row_numbering_the_columns_under_the_header_is_no_warning(world, tmp_path, numbers) -> None:  # type: ignore[no-untyped-def]
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    sheet.append(numbers)
    sheet.append(row(1))
    sheet.append(row(2))
    out, code = run(tmp_path, saved(workbook))
    assert code == 0 and out.splitlines()[-1] == "imported: 2 new, 0 merged, 0 unchanged, 0 rejected", out
    assert "第 2 行是栏次行（各列的编号 1、2、3…），已跳过" in out, out
    assert sorted(Warning.objects.values_list("source_id", flat=True)) == ["YJ1", "YJ2"]


# ── a header of two rows whose required columns are all under a group label ─


UPPER = ["序号", "预警编号", "当事人信息", None, None, "现住址", "预警信息", None, None, "涉案金额"]
LOWER = [None, None, "姓名", "身份证号", "手机号", None, "诈骗类型", "预警来源", "预警时间", None]


def two_row_header_list(*above: list[Any]) -> bytes:
    """当事人信息 merged across 姓名 / 身份证号 / 手机号, 预警信息 across 诈骗类型 / 预警来源 / 预警时间; the
    other names only in the upper row (merged across, not down), lines ``above`` it."""
    workbook = Workbook()
    sheet = workbook.active
    for cells in above:
        sheet.append(cells)
    top = len(above) + 1
    sheet.append(UPPER)
    sheet.append(LOWER)
    sheet.merge_cells(f"C{top}:E{top}")
    sheet.merge_cells(f"G{top}:I{top}")
    sheet.append(row(1))
    sheet.append(row(2))
    return saved(workbook)


@pytest.mark.parametrize(
    "above",
    [
        [],
        [["青溪县反诈中心预警清单"]],
        [["填报单位：青溪县反诈中心", None, None, None, None, "日期：2026年11月28日"]],
    ],
    ids=["alone", "title", "unit-and-day"],
)
def test_the_names_beside_the_group_labels_are_read(world, tmp_path, above) -> None:  # type: ignore[no-untyped-def]
    out, code = run(tmp_path, two_row_header_list(*above))
    assert code == 0 and out.splitlines()[-1] == "imported: 2 new, 0 merged, 0 unchanged, 0 rejected", out
    warnings = Warning.objects.order_by("source_id")
    assert [(w.source_id, w.amount, w.quality_flags) for w in warnings] == [
        ("YJ1", 5000, []),
        ("YJ2", 5000, []),
    ]
    assert all(w.person.address.endswith(f"幸福路{n}号") for n, w in enumerate(warnings, start=1))


def test_such_a_header_is_read_in_a_csv_too(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerows([["" if cell is None else cell for cell in line] for line in (UPPER, LOWER)])
    writer.writerows([row(1), row(2)])
    file = tmp_path / "list.csv"
    file.write_text(buffer.getvalue(), encoding="utf-8")
    out, code = command("warnings", "import", str(file))
    assert code == 0 and out.splitlines()[-1] == "imported: 2 new, 0 merged, 0 unchanged, 0 rejected", out
    assert sorted(Warning.objects.values_list("source_id", "amount")) == [("YJ1", 5000), ("YJ2", 5000)]
