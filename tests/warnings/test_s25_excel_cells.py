"""Warning lists as Excel really stores them and as systems encode them: `fanzha warnings import FILE`
on XLSX files with number, date and time cells and on CSV/text files in the usual encodings, checked in
the stored warnings, not only in the summary line."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from typing import Any

import pytest
from openpyxl import Workbook

from fanzha.warnings.models import Warning
from tests.imports.files import xlsx_bytes
from tests.personas import id_number
from tests.warnings.test_cli import command

ID_NUMBER = id_number("331102", "19560101", "001")
PHONE = "13712340001"
ROW: dict[str, Any] = {
    "预警编号": "YJ1",
    "姓名": "王秀英",
    "身份证号": ID_NUMBER,
    "手机号": PHONE,
    "现住址": "江州市青溪县城关镇城东社区幸福路1号",
    "诈骗类型": "刷单返利",
    "预警来源": "上级推送",
    "预警时间": "2026-11-28 09:30",
    "涉案金额": "5000",
    "嫌疑号码": "17012345678",
    "备注": "",
}
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
AT_0930 = dt.datetime(2026, 11, 28, 1, 30, tzinfo=dt.UTC)  # 09:30 China time


def workbook(header: list[str], *rows: list[Any]) -> bytes:
    return xlsx_bytes(header, list(rows))


def one_row(**changed: Any) -> bytes:
    """The list of one warning, cells as given (a number, a datetime …), written by openpyxl."""
    values = {**ROW, **changed}
    return workbook(list(values), list(values.values()))


def imported(tmp_path: Any, data: bytes, name: str = "list.xlsx", again: bytes = b"") -> tuple[str, Any]:
    """Import the file, check that importing it again changes nothing — the same bytes, or ``again``: the
    same list in other bytes, read row by row, not recognised by its hash — and give the first run's
    output and its one warning."""
    file = tmp_path / name
    file.write_bytes(data)
    out, code = command("warnings", "import", str(file))
    assert code == 0, out
    assert out.splitlines()[-1] == "imported: 1 new, 0 merged, 0 unchanged, 0 rejected", out
    copy = tmp_path / ("again-" + name)
    copy.write_bytes(again or data)
    out_again, code = command("warnings", "import", str(copy))
    assert code == 0 and out_again.splitlines()[-1] == "imported: 0 new, 0 merged, 1 unchanged, 0 rejected"
    return out, Warning.objects.get()


# ── times with an offset or a zone after them ────────────────────────────────


@pytest.mark.parametrize(
    "written",
    [
        "2026/11/28 09:30 +0800",
        "2026/11/28 09:30:00 +08:00",
        "2026/11/28 09:30 UTC+8",
        "2026/11/28 09:30:00 GMT+8",
        "2026/11/28 09:30 (UTC+08:00)",
        "2026/11/28 01:30 UTC",
        "2026-11-28 01:30:00 GMT",
        "2026/11/28 01:30Z",
        "2026/11/28 11:30 +1000",
        "2026/11/27 20:30 UTC-5",
        "2026年11月28日 09:30 +0800",
        "2026/11/28 09:30 北京时间",
        "2026-11-28 09:30:00 CST",
    ],
)
def test_a_time_with_an_offset_after_it_is_read_at_that_offset(world, tmp_path, written: str) -> None:  # type: ignore[no-untyped-def]
    out, warning = imported(tmp_path, one_row(预警时间=written))
    assert warning.warned_at == AT_0930, out
    assert warning.quality_flags == []


def test_a_span_of_time_is_not_read_as_an_offset(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """09:30-10:00 is a span, not 09:30 at UTC−10: flagged as unreadable, as before."""
    out, warning = imported(tmp_path, one_row(预警时间="2026/11/28 09:30-10:00"))
    assert warning.quality_flags == ["time_invalid"], out


# ── a 填表说明 sheet in front ─────────────────────────────────────────────────


def with_notes_sheet(*lines: list[str]) -> bytes:
    """A workbook whose first sheet is a 填表说明 (the lines given) and whose second is the list."""
    book = Workbook()
    notes = book.active
    notes.title = "填表说明"
    for line in lines:
        notes.append(line)
    sheet = book.create_sheet("预警清单")
    sheet.append(list(ROW))
    sheet.append(list(ROW.values()))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "lines",
    [
        [["填表说明"], ["1. 姓名、身份证号、手机号必填"], ["2. 预警时间格式：2026-11-28 09:30"]],
        [["字段", "说明"], ["姓名", "必填"], ["身份证号", "18位，设为文本格式"], ["手机号", "11位"]],
        [["字段名", "是否必填", "说明"], ["姓名", "是", "当事人姓名"], ["身份证号", "否", "18位"]],
    ],
    ids=["sentences", "field-and-note", "field-required-note"],
)
def test_a_notes_sheet_in_front_naming_the_columns_is_passed_over(world, tmp_path, lines) -> None:  # type: ignore[no-untyped-def]
    out, warning = imported(tmp_path, with_notes_sheet(*lines))
    assert "已读取工作表“预警清单”" in out
    assert "填表说明" not in out  # not named as a sheet of data left out
    assert warning.source_id == "YJ1" and warning.person.id_number == ID_NUMBER


def test_a_second_sheet_of_the_same_list_is_still_named_and_left_out(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    book = Workbook()
    for title, n in (("11月28日", "YJ1"), ("11月29日", "YJ2")):
        sheet = book.active if n == "YJ1" else book.create_sheet()
        sheet.title = title
        sheet.append(list(ROW))
        sheet.append(list({**ROW, "预警编号": n}.values()))
    buffer = io.BytesIO()
    book.save(buffer)
    out, warning = imported(tmp_path, buffer.getvalue())
    assert "工作表“11月29日”也有数据（表头相同），未导入" in out
    assert warning.source_id == "YJ1"


# ── numbers a tool that read a spreadsheet sends as JSON floats ───────────────


def test_a_phone_sent_to_the_api_as_a_float_is_the_phone(world, client) -> None:  # type: ignore[no-untyped-def]
    from tests.personas import login

    login(client, world.users["analyst"])
    body = {"source_id": "API-1", "name": "孙七", "phone": 13905717777.0, "amount": 5000.0}
    body |= {"address": ROW["现住址"], "fraud_type": "刷单返利"}
    response = client.post("/api/warnings", json.dumps(body), content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["notices"] == []
    warning = Warning.objects.get()
    assert warning.person.phone == "13905717777" and warning.quality_flags == []
    assert warning.amount == 5000
    again = client.post("/api/warnings", json.dumps(body), content_type="application/json")
    assert again.json()["outcome"] == "unchanged"


# ── suspect numbers and accounts in number cells ─────────────────────────────


def test_a_suspect_account_the_spreadsheet_stored_as_a_number_is_kept_with_a_notice(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Excel keeps 15 digits of a card number typed into a general cell (6.22202020011223E+18): the
    row is received, the account kept as the cell shows it, and the row says the digits are lost."""
    data = one_row(嫌疑号码=17012345678.0, 嫌疑账号=6.222020200112234e18)
    out, warning = imported(tmp_path, data)
    assert "第 2 行 嫌疑账号（提示）：嫌疑账号被表格软件存成了数字，末几位已丢失" in out
    assert "嫌疑号码（提示）" not in out  # an 11-digit number is whole in a number cell
    assert warning.suspect_numbers == "17012345678"
    assert warning.suspect_accounts == "6.222020200112234e+18"


# ── a day and a time of day in two columns, as Excel keeps them ──────────────


def two_columns(day: Any, moment: Any) -> bytes:
    values = {**ROW}
    del values["预警时间"]
    values |= {"预警日期": day, "预警时间": moment}
    return workbook(list(values), list(values.values()))


@pytest.mark.parametrize(
    ("day", "moment"),
    [
        (dt.date(2026, 11, 28), dt.time(9, 30)),  # a date cell and a time cell
        (dt.datetime(2026, 11, 28), "09:30"),
        ("2026-11-28", dt.time(9, 30)),
        (46354, 0.3958333333),  # the serial numbers themselves, the cells formatted 常规 (General)
        ("46354", "0.3958333333"),  # … or written as text by an export
    ],
    ids=["date-time-cells", "datetime-text", "text-time-cell", "serials", "serials-as-text"],
)
def test_a_day_and_a_time_of_day_in_two_columns_are_one_moment(world, tmp_path, day, moment) -> None:  # type: ignore[no-untyped-def]
    out, warning = imported(tmp_path, two_columns(day, moment))
    assert warning.warned_at == AT_0930, out
    assert warning.quality_flags == []


# ── a landline in a number cell ──────────────────────────────────────────────


@pytest.mark.parametrize("cell", [57188888888, 57188888888.0, "57188888888", "571-88888888"])
def test_a_landline_that_lost_its_leading_zero_is_completed_with_a_notice(world, tmp_path, cell) -> None:  # type: ignore[no-untyped-def]
    """A number cell drops the 0 of 0571-88888888: the landline is stored as any other landline is
    (057188888888: one number, one person), and the row says so."""
    out, warning = imported(tmp_path, one_row(手机号=cell))
    assert warning.person.phone == "057188888888"
    assert warning.quality_flags == []
    assert "第 2 行 手机号（提示）：固定电话缺少区号前的 0" in out
    assert "88888888" not in out  # the number is not quoted


# ── English headers as partners write them ───────────────────────────────────

ENGLISH = ["Warning ID", "Name", "ID Number", "Mobile", "Address", "Fraud Type", "Source", "Warning Time"]
ENGLISH += ["Amount", "Suspect Number", "Suspect Account", "Remarks"]
ENGLISH_VARIANTS = ["Warning Number", "Full Name", "Identity Card Number", "Mobile Phone", "Home Address"]
ENGLISH_VARIANTS += ["Fraud Category", "Warning Source", "Alert Time", "Amount (CNY)", "Suspect No."]
ENGLISH_VARIANTS += ["Suspect Acct", "Comments"]


@pytest.mark.parametrize(
    "header",
    [
        ENGLISH,
        [text.upper() for text in ENGLISH],
        [text.lower().replace(" ", "_") for text in ENGLISH],
        [text.replace(" ", "") for text in ENGLISH],
        ENGLISH_VARIANTS,
    ],
    ids=["title-case", "upper-case", "snake-case", "no-spaces", "variants"],
)
def test_an_english_list_is_read_column_by_column(world, tmp_path, header) -> None:  # type: ignore[no-untyped-def]
    values = [*list(ROW.values())[:10], "6222020200112233445", "已劝阻"]
    out, warning = imported(tmp_path, workbook(header, values))
    assert "未使用的列" not in out, out
    assert (warning.source_id, warning.person.name, warning.person.id_number) == ("YJ1", "王秀英", ID_NUMBER)
    assert (warning.person.phone, warning.person.address) == (PHONE, ROW["现住址"])
    assert (warning.fraud_type, warning.source) == ("fake_order_rebate", "superior")
    assert warning.warned_at == AT_0930
    assert (warning.amount, warning.suspect_numbers) == (5000, "17012345678")
    assert (warning.suspect_accounts, warning.notes) == ("6222020200112233445", "已劝阻")
    assert warning.quality_flags == []


# ── text files in the encodings systems write ────────────────────────────────


def text_file(encoding: str, delimiter: str = ",", end: str = "", **changed: str) -> bytes:
    """The list of one warning as text (``end``: what follows its lines, a blank line saved again)."""
    values = {**ROW, **changed}
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(values)
    writer.writerow(values.values())
    return (buffer.getvalue() + end).encode(encoding)


@pytest.mark.parametrize(
    ("encoding", "delimiter", "name"),
    [
        ("gbk", ",", "list.csv"),
        ("gb18030", ",", "list.csv"),
        ("utf-8-sig", ",", "list.csv"),
        ("utf-16", "\t", "list.txt"),  # Excel's "Unicode 文本": a BOM, tabs
        ("gbk", "\t", "list.txt"),  # Excel's "文本文件（制表符分隔）" on a Chinese Windows
        ("utf-16-le", "\t", "list.txt"),  # a system's "Unicode" export without the BOM
        ("utf-16-be", "\t", "list.txt"),
    ],
)
def test_a_text_list_in_each_usual_encoding_is_read(world, tmp_path, encoding, delimiter, name) -> None:  # type: ignore[no-untyped-def]
    rare = "" if encoding == "gbk" else "（䶮）"  # a character GB18030 and Unicode have, GBK not
    said = {"姓名": "买买提·艾力", "现住址": ROW["现住址"] + rare}
    again = text_file(encoding, delimiter, "\r\n", **said)
    out, warning = imported(tmp_path, text_file(encoding, delimiter, **said), name, again)
    assert warning.person.name == "买买提·艾力" and warning.person.id_number == ID_NUMBER
    assert warning.person.address == said["现住址"] and warning.warned_at == AT_0930


def test_a_text_list_with_a_broken_character_names_its_line(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A GBK list with one byte gone wrong (a system cut a name in the middle of a character) is refused
    as a whole, naming the line to look at, not read with a wrong name."""
    other = {"预警编号": "YJ2", "姓名": "李四", "手机号": "13712340002"}
    second = text_file("gbk", **other).split(b"\r\n")[1]
    broken = text_file("gbk") + second.replace("李四".encode("gbk"), "李".encode("gbk") + b"\xff") + b"\r\n"
    file = tmp_path / "list.csv"
    file.write_bytes(broken)
    out, code = command("warnings", "import", str(file))
    assert code == 1
    assert "无法识别文件的文字编码：第 3 行有既不是 UTF-8 也不是 GBK 的字符" in out, out
    assert not Warning.objects.exists()


# ── cells as Excel stores them (these were read right already: kept so) ────


@pytest.mark.parametrize(
    "changed",
    [
        {"手机号": int(PHONE)},
        {"手机号": float(PHONE)},  # 13712340001.0
        {"预警时间": dt.datetime(2026, 11, 28, 9, 30)},
        {"预警时间": 46354.3958333333},  # the serial of a cell formatted 常规
        {"涉案金额": 4999.999999999999},  # a formula's float
        {"预警编号": " YJ1\u00a0", "姓名": "\u00a0王秀英 ", "身份证号": f"\u200b{ID_NUMBER} "},
        {"手机号": "１３７ １２３４ ０００１", "身份证号": ID_NUMBER.translate(FULL_WIDTH)},
    ],
    ids=["phone-int", "phone-float", "datetime", "serial", "amount-float", "spaces", "full-width"],
)
def test_cells_as_excel_stores_them_are_read_as_shown(world, tmp_path, changed) -> None:  # type: ignore[no-untyped-def]
    out, warning = imported(tmp_path, one_row(**changed))
    assert (warning.source_id, warning.person.name) == ("YJ1", "王秀英")
    assert (warning.person.id_number, warning.person.phone) == (ID_NUMBER, PHONE)
    assert warning.warned_at == AT_0930 and warning.amount == 5000 and warning.quality_flags == [], out


@pytest.mark.parametrize("cell", [float(ID_NUMBER), "3.31102E+17"])
def test_an_id_number_the_spreadsheet_stored_as_a_number_is_flagged_and_the_phone_carries_the_row(
    world, tmp_path, cell
) -> None:  # type: ignore[no-untyped-def]
    out, warning = imported(tmp_path, one_row(身份证号=cell))
    assert "第 2 行 身份证号（提示）：身份证号被表格软件存成了数字，末几位已丢失" in out
    assert warning.quality_flags == ["id_invalid"] and warning.person.phone == PHONE
    assert ID_NUMBER not in out
