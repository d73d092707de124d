"""Pushed warning lists as centres receive them: hidden sheets, amount columns in 万元 with a unit note,
amounts written 8万余元, days without a year written 11-28, times with the weekday."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.utils import timezone

from fanzha.imports.columns import match_header
from fanzha.imports.importers.warnings import FIELDS, warning_input
from fanzha.imports.readers import read_table
from fanzha.warnings.intake import WarningInput, clean_warning, parse_amount
from fanzha.warnings.models import Warning
from tests.imports.files import csv_bytes
from tests.warnings.files import HEADER, row
from tests.warnings.test_cli import command

CHINA = dt.timezone(dt.timedelta(hours=8))
NOW = timezone.make_aware(dt.datetime(2026, 11, 29, 12, 0))
NEW_YEAR = timezone.make_aware(dt.datetime(2027, 1, 1, 0, 30))
ADDRESS = "江州市青溪县城关镇城东社区幸福路{}号"


def _xlsx_with_hidden_sheet() -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    old = workbook.active
    old.title = "上周数据"
    old.sheet_state = "hidden"
    old.append(HEADER)
    old.append(row(9))
    today = workbook.create_sheet("11月28日")
    today.append(HEADER)
    today.append(row(1))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_it_passes_over_a_hidden_sheet_in_front_and_says_so(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    data = _xlsx_with_hidden_sheet()
    table = read_table(data, lambda cells: "姓名" in cells)
    assert [values["预警编号"] for _, values in table.rows] == ["YJ000001"]
    assert any("隐藏" in note and "上周数据" in note for note in table.notes), table.notes
    file = tmp_path / "list.xlsx"
    file.write_bytes(data)
    out, code = command("warnings", "import", str(file))
    assert code == 0, out
    assert out.splitlines()[-1] == "imported: 1 new, 0 merged, 0 unchanged, 0 rejected"
    assert list(Warning.objects.values_list("source_id", flat=True)) == ["YJ000001"]


@pytest.mark.parametrize(
    "header", ["涉案金额（单位：万元）", "金额(单位:万元)", "损失金额(万)", "被骗金额（万）"]
)
def test_it_reads_an_amount_column_whose_note_gives_the_unit_in_wan(header: str) -> None:
    columns = match_header(["姓名", "身份证号", header], FIELDS)
    assert columns.columns[header] == "amount_wan"
    data = warning_input({"name": "张三", "phone": "13905710001", "amount_wan": "8.5"})
    assert clean_warning(data, now=NOW).amount == Decimal("85000.00")


def test_it_reads_an_amount_column_in_wan_with_its_unit_note_through_the_command(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    file = tmp_path / "list.csv"
    header = ["预警编号", "姓名", "身份证号", "现住址", "涉案金额（单位：万元）"]
    file.write_bytes(csv_bytes(header, [["W1", "张三", row(1)[2], ADDRESS.format(1), "8.5"]]))
    out, code = command("warnings", "import", str(file))
    assert code == 0 and out.splitlines()[-1] == "imported: 1 new, 0 merged, 0 unchanged, 0 rejected"
    warning = Warning.objects.get()
    assert warning.amount == Decimal("85000.00") and warning.grade == "urgent"


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("8万余元", "80000.00"),
        ("8万多", "80000.00"),
        ("3000余元", "3000.00"),
        ("约1.5万余元", "15000.00"),
        ("3万元（已止付）", "30000.00"),
        ("5000元(未遂)", "5000.00"),
    ],
)
def test_it_reads_amounts_written_as_at_least_or_with_a_note(text: str, amount: str) -> None:
    assert parse_amount(text) == Decimal(amount)


def test_it_still_flags_amounts_it_cannot_read() -> None:
    for text in ("余8万", "8万余元3千", "（已止付）"):
        with pytest.raises(ValueError):
            parse_amount(text)


@pytest.mark.parametrize(
    ("text", "now", "local"),
    [
        ("11-28 09:05", NOW, dt.datetime(2026, 11, 28, 9, 5)),
        ("11/28 09:05", NOW, dt.datetime(2026, 11, 28, 9, 5)),
        ("11-28", NOW, dt.datetime(2026, 11, 28)),
        ("11.28 9:05", NOW, dt.datetime(2026, 11, 28, 9, 5)),
        # read on New Year's night: the day of last December
        ("12-31 23:50", NEW_YEAR, dt.datetime(2026, 12, 31, 23, 50)),
    ],
)
def test_it_reads_a_day_without_a_year_written_with_dashes_or_slashes(
    text: str, now: dt.datetime, local: dt.datetime
) -> None:
    clean = clean_warning(WarningInput(phone="13905710001", warned_at=text), now=now)
    assert clean.warned_at == local.replace(tzinfo=CHINA)
    assert "time_invalid" not in clean.flags


@pytest.mark.parametrize(
    "text",
    [
        "2026-11-28 09:05:00 星期六",
        "2026年11月28日（星期六）09:05",
        "2026-11-28 周六 09:05",
        "2026/11/28(六) 09:05",
    ],
)
def test_it_reads_a_time_written_with_its_weekday(text: str) -> None:
    clean = clean_warning(WarningInput(phone="13905710001", warned_at=text), now=NOW)
    assert clean.warned_at == dt.datetime(2026, 11, 28, 9, 5, tzinfo=CHINA)
    assert "time_invalid" not in clean.flags


def test_it_still_refuses_a_day_without_a_year_that_is_no_date() -> None:
    clean = clean_warning(WarningInput(phone="13905710001", warned_at="13-45 09:05"), now=NOW)
    assert "time_invalid" in clean.flags


def test_it_quotes_a_day_without_a_year_as_written_when_it_is_no_date() -> None:
    for text in ("13-45 09:05", "11月31日 09:05"):
        clean = clean_warning(WarningInput(phone="13905710001", warned_at=text), now=NOW)
        assert clean.notices == [("预警时间", f"时间无法识别：{text}，按接收时间计")]


def test_it_skips_the_header_of_a_second_list_appended_with_its_byte_order_mark(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Two UTF-8 (BOM) lists joined into one file (copy /b, cat): the second header is no person."""
    from fanzha.core.models import Person

    first, second = (csv_bytes(HEADER, [row(n)]).decode() for n in (1, 2))
    file = tmp_path / "list.csv"
    file.write_bytes(("\ufeff" + first + "\ufeff" + second).encode())
    people = Person.objects.count()
    out, code = command("warnings", "import", str(file))
    assert code == 0, out
    assert out.splitlines()[-1] == "imported: 2 new, 0 merged, 0 unchanged, 0 rejected"
    assert "第 3 行与表头相同（重复的表头），已跳过" in out
    assert sorted(Warning.objects.values_list("source_id", flat=True)) == ["YJ000001", "YJ000002"]
    assert Person.objects.count() == people + 2  # nobody called 姓名


def test_it_drops_invisible_characters_copied_along_with_a_cell(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    header = ["预警编号", "姓名", "身份证号", "手机号", "现住址"]
    rows = [
        ["Z1", "张三\u200b", "\u200b" + row(1)[2], "\u200e13800001111", ADDRESS.format(1)],
        ["Z2", "李四\ufeff", row(2)[2] + "\u2060", "\u200b", ADDRESS.format(2)],
    ]
    file = tmp_path / "list.csv"
    file.write_bytes(csv_bytes(header, rows))
    out, code = command("warnings", "import", str(file))
    assert code == 0 and out.splitlines()[-1] == "imported: 2 new, 0 merged, 0 unchanged, 0 rejected", out
    first, second = Warning.objects.order_by("source_id")
    assert (first.person.name, second.person.name) == ("张三", "李四")
    assert first.quality_flags == [] and second.quality_flags == []


@pytest.mark.parametrize(
    ("footer", "word"),
    [
        ("以下空白", "以下空白"),
        ("以下无数据", "以下无数据"),
        ("导出时间：2026-11-28 10:00:00", "导出时间"),
        ("打印日期：2026年11月28日", "打印日期"),
        ("数据截止时间：2026-11-28 08:00", "数据截止时间"),
        ("联系电话：0571-88886666", "联系电话"),
        ("经办民警：李四", "经办民警"),
        ("第1页 共1页", "第1页"),
        ("共 3 条记录", "共3条记录"),
        ("总数：3", "总数"),
    ],
)
def test_it_skips_the_footer_lines_exports_and_forms_end_with(world, tmp_path, footer, word) -> None:  # type: ignore[no-untyped-def]
    file = tmp_path / "list.csv"
    file.write_bytes(csv_bytes(["序号", *HEADER], [["1", *row(1)], ["2", *row(2)], [footer]]))
    out, code = command("warnings", "import", str(file))
    assert code == 0, out
    assert out.splitlines()[-1] == "imported: 2 new, 0 merged, 0 unchanged, 0 rejected"
    assert f"第 4 行是表尾的“{word}”行，已跳过" in out


@pytest.mark.parametrize(
    "cells", [["第五伟", "", "13800001111"], ["以琳", "", "13800001111"], ["总7号", "", ""]]
)
def test_it_keeps_rows_that_only_start_like_such_footers(cells: list[str]) -> None:
    from fanzha.imports.readers import footer_word

    assert footer_word(cells) == ""


@pytest.mark.parametrize(
    ("text", "local"),
    [
        ("2026年11月28日9时30分许", dt.datetime(2026, 11, 28, 9, 30)),
        ("2026年11月28日9时许", dt.datetime(2026, 11, 28, 9, 0)),
        ("2026年11月28日9点", dt.datetime(2026, 11, 28, 9, 0)),
        ("2026年11月28日9点半", dt.datetime(2026, 11, 28, 9, 30)),
        ("2026-11-28 9时", dt.datetime(2026, 11, 28, 9, 0)),
        ("2026年11月28日下午3时许", dt.datetime(2026, 11, 28, 15, 0)),
        ("2026年11月28日晚8时", dt.datetime(2026, 11, 28, 20, 0)),
        ("2026年11月28日 9:30左右", dt.datetime(2026, 11, 28, 9, 30)),
        ("11月28日9时许", dt.datetime(2026, 11, 28, 9, 0)),
    ],
)
def test_it_reads_times_written_the_way_police_reports_write_them(text: str, local: dt.datetime) -> None:
    clean = clean_warning(WarningInput(phone="13905710001", warned_at=text), now=NOW)
    assert clean.warned_at == local.replace(tzinfo=CHINA)
    assert "time_invalid" not in clean.flags


def test_it_reads_a_ditto_mark_as_the_value_of_the_row_above(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    rows = [
        row(1, source="中国移动", fraud_type="冒充公检法", warned_at="2026-11-28 09:05"),
        row(2, source="同上", fraud_type="同上", warned_at="同上", address="同上"),
        row(3, source="〃", fraud_type="“", warned_at="同上", address="同上", source_id="同上"),
    ]
    file = tmp_path / "list.csv"
    file.write_bytes(csv_bytes(HEADER, rows))
    out, code = command("warnings", "import", str(file))
    assert code == 0 and out.splitlines()[-1] == "imported: 3 new, 0 merged, 0 unchanged, 0 rejected", out
    assert "同上" not in out and "〃" not in out
    warnings = list(Warning.objects.order_by("pk"))
    assert {(w.source, w.fraud_type, w.warned_at) for w in warnings} == {
        ("operator", "impersonate_authority", dt.datetime(2026, 11, 28, 9, 5, tzinfo=CHINA))
    }
    assert all(w.quality_flags == [] for w in warnings)
    assert warnings[2].source_id.startswith("row:")  # a 预警编号 is never copied: the row's own is derived


def test_it_keeps_a_ditto_mark_with_nothing_above_it_as_written(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    file = tmp_path / "list.csv"
    file.write_bytes(csv_bytes(HEADER, [row(1, source="同上")]))
    out, code = command("warnings", "import", str(file))
    assert code == 0 and "未知的预警来源“同上”" in out


def test_it_still_reads_a_workbook_whose_only_sheet_with_data_is_hidden() -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.title = "封面"
    hidden = workbook.create_sheet("清单")
    hidden.append(HEADER)
    hidden.append(row(1))
    hidden.sheet_state = "hidden"
    buffer = io.BytesIO()
    workbook.save(buffer)
    table = read_table(buffer.getvalue(), lambda cells: "姓名" in cells)
    assert [values["预警编号"] for _, values in table.rows] == ["YJ000001"]
    assert table.notes == []


def test_it_says_so_when_a_pushed_list_masked_the_numbers(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    header = ["预警编号", "姓名", "身份证号", "手机号", "现住址"]
    rows = [
        ["M1", "张三", "331102********0010", "138****1111", ADDRESS.format(1)],
        ["M2", "李四", "3311**********001X", "139＊＊＊＊2222", ""],
    ]
    file = tmp_path / "list.csv"
    file.write_bytes(csv_bytes(header, rows))
    out, code = command("warnings", "import", str(file))
    assert code == 1 and out.splitlines()[-1] == "imported: 0 new, 0 merged, 0 unchanged, 1 rejected"
    assert "第 3 行" in out and "身份证号已脱敏（含 * 号）" in out and "手机号已脱敏（含 * 号）" in out
    assert "固定电话缺少区号" not in out and "应为18位" not in out
    out, code = command("warnings", "import", str(file), "--skip-rejected")
    assert code == 0 and out.splitlines()[-1] == "imported: 1 new, 0 merged, 0 unchanged, 1 rejected"
    warning = Warning.objects.get()
    assert set(warning.quality_flags) == {"id_invalid", "phone_invalid"}
    assert "第 2 行 手机号（提示）：手机号已脱敏（含 * 号），无法核对，请向推送单位索取完整号码" in out


HINTS = ["必填", "必填", "选填", "必填（11位）", "必填", "选填", "选填", "格式：2026-01-01 09:00", "", "", ""]
EXAMPLE = ["示例", "张三", "110101199003074477", "13800138000", "XX县XX镇XX村", "刷单返利", "上级推送"]


def test_it_skips_a_templates_hint_and_example_rows_below_the_header(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from fanzha.core.models import Person

    file = tmp_path / "list.csv"
    file.write_bytes(csv_bytes(HEADER, [HINTS, EXAMPLE, row(1), row(2)]))
    people = Person.objects.count()
    out, code = command("warnings", "import", str(file))
    assert code == 0, out
    assert out.splitlines()[-1] == "imported: 2 new, 0 merged, 0 unchanged, 0 rejected"
    assert "第 2 行是填写说明（必填/选填），已跳过" in out and "第 3 行是填写示例，已跳过" in out
    assert sorted(Warning.objects.values_list("source_id", flat=True)) == ["YJ000001", "YJ000002"]
    assert Person.objects.count() == people + 2


def test_it_reads_rows_like_a_templates_hints_once_the_data_has_begun() -> None:
    data = csv_bytes(HEADER, [row(1), ["示例", *row(2)[1:]], ["例1", *row(3)[1:]]])
    table = read_table(data, lambda cells: "姓名" in cells)
    assert [number for number, _ in table.rows] == [2, 3, 4] and table.skipped == []


def _xlsx(rows: list[list[object]]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(HEADER)
    for cells in rows:
        workbook.active.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_it_numbers_a_row_itself_when_a_spreadsheet_rounded_its_warning_id(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    rows = [row(1), row(2), row(3)]
    rows[0][0], rows[1][0], rows[2][0] = 20261128000123456789, 20261128000123456790, 1234567890123456
    file = tmp_path / "list.xlsx"
    file.write_bytes(_xlsx(rows))
    out, code = command("warnings", "import", str(file))
    assert code == 0 and out.splitlines()[-1] == "imported: 3 new, 0 merged, 0 unchanged, 0 rejected", out
    ids = list(Warning.objects.values_list("source_id", flat=True))
    assert all(source_id.startswith("row:") for source_id in ids), ids
    assert out.count("预警编号（提示）：预警编号被表格软件存成了数字，末几位已丢失") == 3
    again, code = command("warnings", "import", str(file))
    assert code == 0 and again.splitlines()[-1] == "imported: 0 new, 0 merged, 3 unchanged, 0 rejected"


def test_it_keeps_a_warning_id_a_spreadsheet_stored_as_a_whole_number() -> None:
    from fanzha.imports.readers import cell_text

    assert cell_text(20261128001.0) == "20261128001"  # under 15 digits: exact
    data = warning_input({"source_id": "20261128001", "phone": "13905710001"})
    assert clean_warning(data, now=NOW).source_id == "20261128001"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("96110预警", "superior"),
        ("上级下发", "superior"),
        ("部级推送", "superior"),
        ("省级推送", "superior"),
        ("市级推送", "superior"),
        ("反诈大数据平台", "superior"),
        ("工行", "bank"),
        ("农行江州分行", "bank"),
        ("建行", "bank"),
        ("邮储", "bank"),
        ("中国银联", "bank"),
        ("财付通", "bank"),
        ("中国移动江州分公司", "operator"),
    ],
)
def test_it_knows_the_senders_by_the_short_names_lists_use(text: str, code: str) -> None:
    from fanzha.warnings.intake import resolve_source

    assert resolve_source(text) == (code, True)


@pytest.mark.parametrize("column", [0, 5])
def test_it_skips_the_sign_off_below_a_list(world, tmp_path, column: int) -> None:  # type: ignore[no-untyped-def]
    """落款: the sender's name and the day on lines of their own at the end, in any column."""
    sign_off = [[""] * column + [text] for text in ("江州市公安局反诈中心（盖章）", "2026年11月28日")]
    file = tmp_path / "list.csv"
    file.write_bytes(csv_bytes(["序号", *HEADER], [["1", *row(1)], ["2", *row(2)], *sign_off]))
    out, code = command("warnings", "import", str(file))
    assert code == 0, out
    assert out.splitlines()[-1] == "imported: 2 new, 0 merged, 0 unchanged, 0 rejected"
    assert "第 4 行是表尾的落款（单位或日期），已跳过；第 5 行是表尾的落款（单位或日期），已跳过" in out


def test_it_reads_a_line_like_a_sign_off_that_data_follows() -> None:
    rows = [row(1), ["", "", "", "", "江州市公安局反诈中心"], row(2)]
    table = read_table(csv_bytes(HEADER, rows), lambda cells: "姓名" in cells)
    assert [number for number, _ in table.rows] == [2, 3, 4] and table.skipped == []


def _two_row_header() -> bytes:
    """序号 … 现住址 merged down two rows; 预警信息 merged across its three sub-columns below it."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["江州市反诈中心预警推送清单"])
    sheet.merge_cells("A1:H1")
    sheet.append(["序号", "姓名", "身份证号", "手机号", "现住址", "预警信息", None, None])
    sheet.append([None, None, None, None, None, "诈骗类型", "预警时间", "预警来源"])
    for column in "ABCDE":
        sheet.merge_cells(f"{column}2:{column}3")
    sheet.merge_cells("F2:H2")
    sheet.append(
        [1, "张三", row(1)[2], "13800001111", ADDRESS.format(1), "冒充公检法", "2026-11-28 09:05", "中国移动"]
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_it_reads_a_header_of_two_rows_with_merged_cells(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    table = read_table(_two_row_header(), lambda cells: "姓名" in cells)
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
    assert [number for number, _ in table.rows] == [4]
    file = tmp_path / "list.xlsx"
    file.write_bytes(_two_row_header())
    out, code = command("warnings", "import", str(file))
    assert code == 0 and out.splitlines()[-1] == "imported: 1 new, 0 merged, 0 unchanged, 0 rejected", out
    warning = Warning.objects.get()
    assert (warning.source, warning.fraud_type) == ("operator", "impersonate_authority")
    assert warning.warned_at == dt.datetime(2026, 11, 28, 9, 5, tzinfo=CHINA)


# ── a second phone column ────────────────────────────────────────────────────


def test_it_reads_a_second_phone_column_where_the_first_is_empty(world) -> None:  # type: ignore[no-untyped-def]
    from fanzha.imports.pipeline import import_run

    header = ["预警编号", "姓名", "手机号", "联系电话", "预警来源"]
    rows = [
        ["P-1", "王一", "13905710001", "13905719999", "上级推送"],
        ["P-2", "王二", "", "13905710002", "上级推送"],
    ]
    result = import_run(actor=None, importer="warnings", file_name="a.csv", data=csv_bytes(header, rows))
    assert result.ok and result.batch.rows_new == 2, result.batch.message
    phones = {w.source_id: w.person.phone for w in Warning.objects.select_related("person")}
    assert phones == {"P-1": "13905710001", "P-2": "13905710002"}  # the first column wins where it has one
    assert result.batch.columns[2:4] == [["手机号", "phone"], ["联系电话", "phone"]]
    assert "联系电话" not in result.batch.unknown_columns and not result.batch.unknown_columns


def test_it_still_reports_a_repeated_column_of_a_field_that_takes_no_second() -> None:
    columns = match_header(["姓名", "手机号", "受害人姓名", "联系电话", "电话"], FIELDS)
    assert columns.duplicate == ["受害人姓名", "电话"] and [text for text, _ in columns.seconds] == [
        "联系电话"
    ]
