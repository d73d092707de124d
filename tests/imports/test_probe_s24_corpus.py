"""Warning lists as centres receive them (probe s24, a corpus of real-world-like files): rows that carry
no data (a 序号 left in a pre-numbered template, a section heading 一、溪口街道（2人）), a header
written ``联系电话/手机号``, a second header row in English under the Chinese one."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from django.core.management import call_command
from openpyxl import Workbook

from fanzha.warnings.models import Warning
from tests.warnings.files import row

HEADER = ["预警编号", "姓名", "身份证号", "手机号", "现住址", "诈骗类型", "预警时间"]
ENGLISH = ["Warning ID", "Name", "ID Number", "Phone", "Address", "Fraud Type", "Warning Time"]


def person(n: int) -> list[str]:
    """A row of HEADER's columns for warning ``n`` (a person of 城东社区)."""
    values = row(n)
    return [*values[:6], values[7]]


def command(path: Path) -> tuple[list[str], int]:
    out = io.StringIO()
    try:
        call_command("warnings", "import", str(path), stdout=out, stderr=io.StringIO())
    except SystemExit as exc:
        return out.getvalue().splitlines(), int(exc.code or 0)
    return out.getvalue().splitlines(), 0


def write_csv(path: Path, rows: list[list[str]], encoding: str = "utf-8-sig") -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def write_xlsx(path: Path, rows: list[list[object]], merged: tuple[str, ...] = ()) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    for cells in rows:
        sheet.append(cells)
    for cells in merged:
        sheet.merge_cells(cells)
    workbook.save(path)
    return path


def test_a_numbered_row_left_empty_in_a_template_is_skipped_not_rejected(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    # A pre-numbered template where the line of 序号 2 was left empty: the file was rejected whole
    # ("无法识别或联系当事人" for row 3).
    path = write_xlsx(
        tmp_path / "list.xlsx",
        [["序号", *HEADER], [1, *person(1)], [2], [3, *person(3)]],
    )
    lines, code = command(path)
    assert code == 0, lines
    assert lines[-1] == "imported: 2 new, 0 merged, 0 unchanged, 0 rejected"
    assert "第 3 行只有“序号”列有内容，不是数据行，已跳过" in lines[0]
    assert Warning.objects.count() == 2


def test_section_heading_rows_between_groups_are_skipped(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    # 一、溪口街道（2人）merged across the table above each township's people; as CSV, the township
    # alone in the first column above its people and a 小计 below them.
    merged = write_xlsx(
        tmp_path / "sections.xlsx",
        [
            ["序号", *HEADER],
            ["一、城关镇（2人）"],
            [1, *person(1)],
            [2, *person(2)],
            ["二、龙泉乡（1人）"],
            [3, *person(3)],
        ],
        merged=("A2:H2", "A5:H5"),
    )
    lines, code = command(merged)
    assert code == 0, lines
    assert lines[-1] == "imported: 3 new, 0 merged, 0 unchanged, 0 rejected"
    assert "第 2 行是分组标题行，已跳过；第 5 行是分组标题行，已跳过" in lines[0]
    plain = write_csv(
        tmp_path / "sections.csv",
        [
            ["序号", *HEADER],
            ["城关片区", *[""] * 7],
            ["1", *person(4)],
            ["城关片区小计", "", "1人", "", "", "", "", ""],
            ["龙泉乡", *[""] * 7],
            ["2", *person(5)],
        ],
        encoding="gbk",
    )
    lines, code = command(plain)
    assert code == 0, lines
    assert lines[-1] == "imported: 2 new, 0 merged, 0 unchanged, 0 rejected"
    assert "第 2 行只有“序号”列有内容，不是数据行，已跳过" in lines[0]  # in a column not read
    assert "第 4 行是表尾的“小计”行，已跳过；第 5 行是分组标题行，已跳过" in lines[0]


def test_a_heading_row_in_a_column_that_is_read_is_skipped(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    # No 序号 column: the heading sits in the first column, 预警编号 — a heading, not a warning.
    path = write_xlsx(
        tmp_path / "list.xlsx",
        [
            HEADER,
            ["一、城关镇（1人）"],
            person(1),
            ["（二）龙泉乡"],
            person(2),
            ["城东派出所：1人"],
            person(3),
        ],
    )
    lines, code = command(path)
    assert code == 0, lines
    assert lines[-1] == "imported: 3 new, 0 merged, 0 unchanged, 0 rejected"
    assert "第 2 行是分组标题行，已跳过" in lines[0]
    assert "第 4 行是分组标题行，已跳过" in lines[0]
    assert "第 6 行是分组标题行，已跳过" in lines[0]


def test_a_row_with_only_a_name_is_still_refused(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    # A person with nothing to reach them by is no heading: the file is refused, naming the row.
    path = write_csv(tmp_path / "list.csv", [HEADER, person(1), ["", "王秀英", "", "", "", "", ""]])
    lines, code = command(path)
    assert code == 1
    assert any(line.startswith("第 3 行：无法识别或联系当事人") for line in lines), lines


def test_a_header_naming_two_words_for_one_column_is_read(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    # 联系电话/手机号, 身份证号/护照号, 预警时间/推送时间: none was recognised, and every row was refused
    # for want of an ID number or phone.
    header = [
        "序号",
        "预警编号",
        "姓名（受害人）",
        "身份证号/护照号",
        "联系电话/手机号",
        "家庭住址/现住址",
        "诈骗类型、手法",
        "预警时间/推送时间",
        "涉案金额/元",
    ]
    values = row(1)
    cells = ["1", *values[:3], values[3], values[4], "冒充公检法", "2026-11-28 09:30", "5000"]
    lines, code = command(write_csv(tmp_path / "list.csv", [header, cells], encoding="gbk"))
    assert code == 0, lines
    assert lines[-1] == "imported: 1 new, 0 merged, 0 unchanged, 0 rejected"
    assert not any("未使用的列" in line and "手机号" in line for line in lines), lines
    warning = Warning.objects.get()
    assert warning.person.phone == values[3]
    assert warning.fraud_type == "impersonate_authority"
    assert str(warning.amount) == "5000.00"
    assert warning.warned_at.isoformat().startswith("2026-11-28T01:30")


def test_a_second_header_row_in_english_is_not_read_as_a_warning(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    # 预警编号 … over Warning ID …: the English row became a warning of a person named "Name".
    path = write_csv(tmp_path / "list.csv", [HEADER, ENGLISH, person(1), person(2)])
    lines, code = command(path)
    assert code == 0, lines
    assert lines[-1] == "imported: 2 new, 0 merged, 0 unchanged, 0 rejected"
    assert "第 2 行是表头的第二行（同样的列名换一种写法），已跳过" in lines[0]
    assert "Name" not in {warning.person.name for warning in Warning.objects.all()}


def test_a_first_row_naming_a_column_word_in_another_column_is_data(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    # A bank's 证件类型 column says 身份证 (an ID number's header word) in the first data row: still data.
    header = ["客户姓名", "证件类型", "证件号码", "预留手机号", "交易日期", "交易时间"]
    values = row(1)
    cells = [values[1], "身份证", values[2], values[3], "20261128", "101500"]
    lines, code = command(write_csv(tmp_path / "bank.csv", [header, cells], encoding="gbk"))
    assert code == 0, lines
    assert lines[-1] == "imported: 1 new, 0 merged, 0 unchanged, 0 rejected"
