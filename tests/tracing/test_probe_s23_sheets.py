"""Probe s23: every sheet of a bank's workbook is read (cover pages skipped, continuations kept)."""

import datetime as dt

import openpyxl

from fanzha.tracing.statements import read_statement

HEADER = ["交易时间", "交易金额", "借贷标志", "对方账号", "摘要", "交易流水号"]
PAYEE = "6222021001122334455"


def _row(minute, amount, flag, serial):
    return [dt.datetime(2026, 11, 20, 10, minute), amount, flag, "6228480012345678901", "转账", serial]


def test_a_second_sheet_with_its_own_header_is_read(tmp_path):
    book = openpyxl.Workbook()
    book.active.append(HEADER)
    book.active.append(_row(0, 50000, "贷", "A1"))
    second = book.create_sheet("Sheet2")
    second.append(HEADER)
    second.append(_row(15, 30000, "借", "A2"))
    second.append(_row(20, "三万", "借", "A3"))
    book.save(tmp_path / "icbc.xlsx")
    parsed = read_statement(tmp_path / "icbc.xlsx", account=PAYEE)
    assert [t.serial for t in parsed.transactions] == ["A1", "A2"]
    assert [(e.row, e.message[:13]) for e in parsed.errors] == [(3, "工作表“Sheet2”金额")]


def test_a_cover_sheet_is_skipped_and_a_continuation_without_header_is_kept(tmp_path):
    book = openpyxl.Workbook()
    book.active.title = "查询说明"
    book.active.append(["本明细由中国工商银行青溪支行出具，仅供公安机关办案使用"])
    data = book.create_sheet("明细1")
    data.append([f"账号：{PAYEE}"])
    data.append(HEADER)
    data.append(_row(0, 50000, "贷", "A1"))
    more = book.create_sheet("明细2")
    more.append(_row(15, 30000, "借", "A2"))
    book.save(tmp_path / "icbc.xlsx")
    parsed = read_statement(tmp_path / "icbc.xlsx")
    assert [(t.serial, t.account, t.amount) for t in parsed.transactions] == [
        ("A1", PAYEE, 5_000_000),
        ("A2", PAYEE, -3_000_000),
    ]
    assert parsed.errors == [] and parsed.rows_read == 2
