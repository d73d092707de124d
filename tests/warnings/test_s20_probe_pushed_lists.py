"""Warning lists shaped as senders produce them (round 20): a superior centre's styled XLSX whose 合计
line writes its total as 约…万, a bank's list with its 预警原因 and its debits written negative or as
…元整, and a list with English headers whose senders and times are written in English."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest

from fanzha.imports.pipeline import import_run
from fanzha.imports.readers import footer_word
from fanzha.warnings.intake import parse_amount, parse_time, resolve_source
from fanzha.warnings.models import Warning
from tests.imports.files import csv_bytes
from tests.warnings.files import row

CHINA = dt.timezone(dt.timedelta(hours=8))
ADDRESS = "江州市青溪县城关镇城东社区幸福路{}号"


def _imported(data: bytes, file_name: str) -> Any:
    result = import_run(actor=None, importer="warnings", file_name=file_name, data=data)
    assert result.ok, (result.batch.message, result.batch.errors)
    return result.batch


# ── a superior centre's pushed list ──────────────────────────────────────────


def _superior_xlsx(title: str = "××市反诈中心预警信息推送表（2026年11月29日）") -> bytes:
    """A merged title, group labels merged across above the header (序号 and 备注 merged down), a
    styled header, a 合计 line whose total is written 约…万, a sign-off, a 说明 sheet behind."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "预警信息"
    sheet.append([title])
    sheet.merge_cells("A1:I1")
    sheet["A1"].font, sheet["A1"].alignment = Font(bold=True, size=16), Alignment(horizontal="center")
    sheet.append(["序号", "受害人信息", None, None, "预警信息", None, None, None, "备注"])
    sheet.append([None, "姓名", "身份证号", "手机号", "诈骗类型", "预警时间", "涉案金额", "现住址", None])
    for cells in ("A2:A3", "I2:I3", "B2:D2", "E2:H2"):
        sheet.merge_cells(cells)
    for cell in (*sheet[2], *sheet[3]):
        cell.font, cell.fill = Font(bold=True), PatternFill("solid", fgColor="DDDDDD")
    sheet.append(
        [1, "张三", row(1)[2] + " ", "138 1234 5678", "冒充公检法", dt.datetime(2026, 11, 28, 9, 30)]
        + ["5,000.00元", ADDRESS.format(1), None]
    )
    sheet.append(
        [2, "李四", "'" + row(2)[2], "+86 13812345679", "刷单返利", "46354.39", "5千", ADDRESS.format(2)]
    )
    sheet.append(
        [3, "王五", row(3)[2], "13812345670/13912345678", "杀猪盘", 46354.5, "约2万", ADDRESS.format(3)]
    )
    sheet["F4"].number_format = "yyyy/m/d h:mm"
    sheet.append(["合计", None, None, None, None, None, "约3万", None, None])
    sheet.append(["制表人：张警官", None, None, "审核人：李警官", None, None, "制表日期：2026年11月29日"])
    notes = workbook.create_sheet("说明")
    notes.append(["说明：1. 本表为预警信息推送表，请各单位及时劝阻。"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_it_skips_a_total_line_that_writes_its_sum_as_about_so_much() -> None:
    """The 合计 line was read as a person and rejected the whole list as unidentifiable."""
    assert footer_word(["合计", "", "约3万"]) == "合计"
    assert footer_word(["合计", "8万余元", "12人"]) == "合计"
    assert footer_word(["合计", "张三"]) == ""


def test_it_imports_a_superior_centres_styled_list_and_the_same_list_saved_again(world) -> None:  # type: ignore[no-untyped-def]
    batch = _imported(_superior_xlsx(), "push.xlsx")
    assert (batch.rows_new, batch.rows_rejected) == (3, 0)
    assert "第 7 行是表尾的“合计”行，已跳过" in batch.message and "第 8 行是表尾的“制表人”行" in batch.message
    warnings = list(Warning.objects.select_related("person").order_by("pk"))
    assert [(w.person.name, w.person.phone, str(w.amount)) for w in warnings] == [
        ("张三", "13812345678", "5000.00"),
        ("李四", "13812345679", "5000.00"),
        ("王五", "13812345670", "20000.00"),
    ]
    assert [w.person.id_number for w in warnings] == [row(n)[2] for n in (1, 2, 3)]
    assert [w.warned_at for w in warnings] == [
        dt.datetime(2026, 11, 28, 9, 30, tzinfo=CHINA),
        dt.datetime(2026, 11, 28, 9, 21, 36, tzinfo=CHINA),
        dt.datetime(2026, 11, 28, 12, 0, tzinfo=CHINA),
    ]
    assert [w.fraud_type for w in warnings] == [
        "impersonate_authority",
        "fake_order_rebate",
        "fake_investment",
    ]
    assert [(n["row"], n["column"]) for n in batch.notices] == [(6, "手机号"), (6, "涉案金额")]
    assert "138****5670" in batch.notices[0]["message"] and "13912345678" not in batch.notices[0]["message"]
    again = _imported(_superior_xlsx(title="××市反诈中心预警信息推送表（补发）"), "push-2.xlsx")
    assert (again.rows_new, again.rows_updated, again.rows_unchanged) == (0, 0, 3)


# ── a bank's list ────────────────────────────────────────────────────────────

BANK_HEADER = ["客户姓名", "证件号码", "账号/卡号", "对方账号", "交易金额", "交易时间", "预警原因"]


def _bank_row(n: int, amount: str, reason: str) -> list[str]:
    return [f"客户{n}", row(n)[2], f"62220212345678901{n:02d}", f"62170012345678{n:02d}", amount]


def test_it_reads_a_banks_reason_column_as_the_fraud_type_or_in_the_notes(world) -> None:  # type: ignore[no-untyped-def]
    """预警原因 was an unknown column: what the bank saw in the transfer was dropped."""
    rows = [
        [*_bank_row(1, "50,000.00", ""), "2026-11-28 09:30:00", "疑似刷单返利诈骗"],
        [*_bank_row(2, "20000.00", ""), "2026-11-28 10:15:00", "资金快进快出"],
        [*_bank_row(3, "3000.00", ""), "2026-11-28 11:00:00", "冒充客服"],
    ]
    batch = _imported(csv_bytes(BANK_HEADER, rows, encoding="gbk"), "bank.csv")
    assert batch.unknown_columns == ["账号/卡号"]
    warnings = {w.person.name: w for w in Warning.objects.select_related("person")}
    assert warnings["客户1"].fraud_type == "fake_order_rebate"
    assert warnings["客户2"].fraud_type == "" and warnings["客户2"].notes == "预警原因：资金快进快出"
    assert warnings["客户3"].fraud_type == "fake_customer_service"
    assert "诈骗类型" not in {n["column"] for n in batch.notices}


def test_a_named_fraud_type_wins_over_the_banks_reason(world) -> None:  # type: ignore[no-untyped-def]
    header = ["客户姓名", "证件号码", "诈骗类型", "预警原因"]
    _imported(csv_bytes(header, [["张三", row(1)[2], "虚假贷款", "疑似刷单"]]), "bank.csv")
    warning = Warning.objects.get()
    assert (warning.fraud_type, warning.notes) == ("fake_loan", "预警原因：疑似刷单")


def test_it_joins_a_banks_transaction_date_and_time_columns(world) -> None:  # type: ignore[no-untyped-def]
    """交易日期 was an unknown column: 交易时间 alone (101500) did not read and the receipt time stood in."""
    header = ["客户姓名", "证件类型", "证件号码", "交易日期", "交易时间", "交易金额", "对方账号"]
    rows = [["张三", "身份证", row(1)[2], "20261128", "101500", "-50,000.00", "6217001234567890"]]
    batch = _imported(csv_bytes(header, rows, encoding="gbk"), "bank.csv")
    assert batch.unknown_columns == ["证件类型"] and "预警时间" not in {n["column"] for n in batch.notices}
    warning = Warning.objects.get()
    assert (warning.warned_at, str(warning.amount)) == (
        dt.datetime(2026, 11, 28, 10, 15, tzinfo=CHINA),
        "50000.00",
    )


@pytest.mark.parametrize(
    ("text", "amount"),
    [("-50,000.00", "50000.00"), ("¥-3,000", "3000.00"), ("2万元整", "20000.00"), ("人民币伍仟", "5000.00")],
)
def test_it_reads_a_banks_debit_written_negative_or_with_zheng(text: str, amount: str | None) -> None:
    """A debit a bank's system writes with a minus, and the 整 of a written sum, left the amount
    unread (the warning graded as if no money moved)."""
    if amount is None:
        with pytest.raises(ValueError):
            parse_amount(text)
    else:
        assert str(parse_amount(text)) == amount


# ── a list with English headers ──────────────────────────────────────────────


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Superior push", "superior"),
        ("Provincial Anti-Fraud Center", "superior"),
        ("China Mobile", "operator"),
        ("ICBC Jiangzhou Branch", "bank"),
        ("Bank of China", "bank"),
        ("Someone", "Someone"),
    ],
)
def test_it_knows_senders_named_in_english(text: str, code: str) -> None:
    assert resolve_source(text)[0] == code


@pytest.mark.parametrize(
    "text",
    ["28 Nov 2026 09:30", "28-Nov-2026 09:30", "Nov 28, 2026 09:30", "November 28 2026 9:30"],
)
def test_it_reads_times_written_with_english_month_names(text: str) -> None:
    now = dt.datetime(2026, 11, 30, tzinfo=CHINA)
    assert parse_time(text, now) == dt.datetime(2026, 11, 28, 9, 30, tzinfo=CHINA)


def test_it_imports_a_list_with_english_headers(world) -> None:  # type: ignore[no-untyped-def]
    header = ["Warning ID", "Name", "ID Number", "Mobile", "Address", "Fraud Type", "Source", "Warning Time"]
    rows = [
        ["W001", "张三", row(1)[2], "13905710001", ADDRESS.format(1), "Impersonating police", "Superior push"]
        + ["28 Nov 2026 09:30"],
        ["W002", "李四", row(2)[2], "13905710002", ADDRESS.format(2), "Pig butchering", "China Mobile"]
        + ["2026-11-28 10:00"],
    ]
    batch = _imported(csv_bytes(header + ["Amount"], [[*r, "RMB 20,000"] for r in rows]), "en.csv")
    assert batch.notices == [] and batch.unknown_columns == []
    warnings = list(Warning.objects.order_by("source_id"))
    assert [(w.source, w.source_id, w.fraud_type) for w in warnings] == [
        ("superior", "W001", "impersonate_authority"),
        ("operator", "W002", "fake_investment"),
    ]
    assert warnings[0].warned_at == dt.datetime(2026, 11, 28, 9, 30, tzinfo=CHINA)
