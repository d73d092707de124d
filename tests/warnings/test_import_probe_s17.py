"""Pushed warning lists as centres receive them (round 17): a CSV header of two rows, rows an Excel
filter hid, 户籍地址 in place of 现住址, the column names operators' and banks' lists use, and a row
repeated in one file."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from fanzha.imports.models import ImportBatch
from fanzha.imports.pipeline import import_run
from fanzha.imports.readers import read_table
from fanzha.warnings.models import Warning
from tests.imports.files import csv_bytes
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


# ── 户籍地址 ─────────────────────────────────────────────────────────────────

REGISTERED = ["预警编号", "姓名", "身份证号", "户籍地址", "诈骗类型"]


def test_it_places_a_warning_by_its_registered_address_when_the_list_gives_no_current_one(world) -> None:  # type: ignore[no-untyped-def]
    """A list with 户籍地址 only: the person is found by name and address, the warning placed there,
    and the row says the address is the registered one."""
    rows = [
        ["H1", "张三", row(1)[2], ADDRESS.format(1), "刷单返利"],
        ["H2", "李四", "", ADDRESS.format(2), "刷单返利"],  # name and address: still identified
    ]
    batch = _imported(csv_bytes(REGISTERED, rows))
    assert batch.rows_new == 2 and ["户籍地址", "registered_address"] in batch.columns
    assert "户籍地址" not in batch.unknown_columns
    warnings = {w.source_id: w for w in Warning.objects.select_related("area")}
    assert warnings["H1"].address == ADDRESS.format(1)
    assert warnings["H2"].area == world.areas["331199100001"]
    assert "address_unplaced" not in warnings["H2"].quality_flags
    said = [n for n in batch.notices if n["column"] == "现住址"]
    assert [n["row"] for n in said] == [2, 3]
    assert said[0]["message"] == "没有现住址，按户籍地址定位（户籍地不一定是现住地，请核实）"


def test_it_routes_by_the_current_address_and_keeps_the_registered_one_in_the_notes(world) -> None:  # type: ignore[no-untyped-def]
    header = ["预警编号", "姓名", "身份证号", "户籍地址", "现住址"]
    rows = [
        ["H1", "张三", row(1)[2], "外省某县某村", ADDRESS.format(1)],
        ["H2", "李四", row(2)[2], ADDRESS.format(2), "无"],  # a placeholder: as if empty
        ["H3", "王五", row(3)[2], ADDRESS.format(3), "同户籍地址"],  # says so: no notice
    ]
    batch = _imported(csv_bytes(header, rows))
    warnings = {w.source_id: w for w in Warning.objects.all()}
    assert warnings["H1"].address == ADDRESS.format(1) and "户籍地址：外省某县某村" in warnings["H1"].notes
    assert warnings["H2"].address == ADDRESS.format(2) and warnings["H3"].address == ADDRESS.format(3)
    assert [n["row"] for n in batch.notices if n["column"] == "现住址"] == [3]
    assert all(w.quality_flags == [] for w in warnings.values())


# ── operators' and banks' column names ───────────────────────────────────────


def test_it_reads_an_operators_list_whose_person_column_is_the_subscribers_number(world) -> None:  # type: ignore[no-untyped-def]
    """用户号码 (the subscriber warned), 来电号码 (the fraud number), 呼叫时间: the file was refused
    as having no header at all."""
    header = ["序号", "用户号码", "来电号码", "呼叫时间", "被叫次数"]
    batch = _imported(csv_bytes(header, [["1", "13905710001", "16712345678", "2026-11-28 09:30", "3"]]))
    warning = Warning.objects.get()
    assert batch.rows_new == 1 and warning.person.phone == "13905710001"
    assert warning.suspect_numbers == "16712345678"
    assert warning.warned_at == dt.datetime(2026, 11, 28, 9, 30, tzinfo=CHINA)


def test_it_reads_a_banks_list_with_its_amount_time_and_counterparty_account(world) -> None:  # type: ignore[no-untyped-def]
    """交易金额 went unread (a 50,000 transfer graded as if no money moved), 交易时间 too (the time
    of receipt stood in) and the account the money went to."""
    header = ["序号", "持卡人姓名", "证件号码", "预留手机号", "交易金额", "交易时间", "对方账号", "对方户名"]
    account = "6222020000000000001"
    rows = [["1", "张三", row(1)[2], "13905710001", "50,000.00", "2026-11-28 09:30", account, "李某"]]
    batch = _imported(csv_bytes(header, rows))
    warning = Warning.objects.select_related("person").get()
    assert (warning.person.name, warning.person.phone) == ("张三", "13905710001")
    assert str(warning.amount) == "50000.00" and warning.grade in ("urgent", "high")
    assert warning.warned_at == dt.datetime(2026, 11, 28, 9, 30, tzinfo=CHINA)
    assert warning.suspect_accounts == account
    assert batch.unknown_columns == ["序号", "对方户名"]


# ── a row repeated in one file ───────────────────────────────────────────────


def test_it_says_so_on_a_row_that_repeats_an_earlier_one_of_the_same_file(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Received once either way; a repeat that says something else (the amount grew: 50,000 already
    transferred) was counted unchanged without a word, its amount lost from the grade."""
    no_id = {"source_id": "", "warned_at": "2026-11-28 10:00"}
    rows = [
        row(1),
        row(2),
        row(1, amount="50000", notes="已转账"),  # row 4: the same 预警编号, more to say
        row(2),  # row 5: a copy
        row(3, **no_id),
        row(3, **no_id),  # row 7: a copy without a 预警编号
    ]
    file = tmp_path / "list.csv"
    file.write_bytes(csv_bytes(HEADER, rows))
    out, code = command("warnings", "import", str(file))
    assert code == 0 and out.splitlines()[-1] == "imported: 3 new, 0 merged, 3 unchanged, 0 rejected", out
    batch = ImportBatch.objects.get()
    said = {n["row"]: n["message"] for n in batch.notices if n["column"] == "预警编号"}
    assert said == {
        4: "与第 2 行的预警编号相同，按一条接收；本行不同的内容（涉案金额、备注）未采用，"
        "如需更正请在预警中修改",
        5: "与第 3 行重复，按一条接收",
        7: "与第 6 行重复，按一条接收",
    }
    assert "第 4 行 预警编号（提示）：与第 2 行的预警编号相同" in out
    assert Warning.objects.get(source_id="YJ000001").amount is None  # said, not taken


def test_it_says_nothing_of_two_people_who_share_a_warning_id(world) -> None:  # type: ignore[no-untyped-def]
    """A bank numbering each day's list from 1: the second person is received under an id of their
    own (bulk's notice), not as a repeat."""
    batch = _imported(csv_bytes(HEADER, [row(1, source_id="1"), row(2, source_id="1")]))
    assert batch.rows_new == 2
    assert not any("按一条接收" in n["message"] for n in batch.notices)


# ── an ID number a spreadsheet zeroed ────────────────────────────────────────


def test_it_says_an_id_number_ending_in_000_may_have_lost_its_last_digits(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A CSV saved after the column was made a number shown in full: 33110219570101 0163 → …0000 (the
    check digit fails: it was called one mistyped digit) or …1000 (it passes: it was taken without a word)."""
    rows = [
        row(1, id_number="331102195701010000"),
        row(2, id_number="331102195701011000", phone=""),
    ]
    file = tmp_path / "list.csv"
    file.write_bytes(csv_bytes(HEADER, rows))
    out, code = command("warnings", "import", str(file))
    assert code == 0 and out.splitlines()[-1] == "imported: 2 new, 0 merged, 0 unchanged, 0 rejected", out
    first, second = Warning.objects.order_by("source_id")
    assert first.quality_flags == ["id_checksum_wrong"] and second.quality_flags == []
    batch = ImportBatch.objects.get()
    said = {n["row"]: n["message"] for n in batch.notices if n["column"] == "身份证号"}
    assert said[2].startswith("身份证号末三位为 000 且校验码不符：多半是表格软件把该列存成了数字")
    assert said[3].startswith("身份证号末三位为 000：如该列曾被表格软件存成数字")


# ── a tab-separated list with commas in its cells ────────────────────────────


def test_it_reads_a_tab_separated_list_whose_cells_hold_many_commas(world) -> None:  # type: ignore[no-untyped-def]
    """Twelve suspect numbers in one cell, comma-separated: one line had more commas than tabs and
    the file was split at the commas (no header found: the whole list refused)."""
    suspects = ",".join(f"1671234{n:04d}" for n in range(12))
    data = csv_bytes(HEADER, [row(1, suspect=suspects), row(2)], delimiter="\t")
    table = read_table(data, _is_header)
    assert table.header == HEADER and [number for number, _ in table.rows] == [2, 3]
    batch = _imported(data, "list.txt")
    assert batch.rows_new == 2
    assert Warning.objects.get(source_id="YJ000001").suspect_numbers == suspects
