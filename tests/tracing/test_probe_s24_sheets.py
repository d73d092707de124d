"""Probe s24: a trailing 说明 / 备注 sheet of free text is skipped with one note naming it, not read as
continuation rows; a sheet continuing the columns without a header is still read."""

import datetime as dt

import openpyxl

from fanzha.tracing.statements import read_statement

HEADER = ["交易时间", "交易金额", "借贷标志", "对方账号", "摘要", "交易流水号"]
PAYEE = "6222021001122334455"


def _row(minute, amount, flag, serial):
    return [dt.datetime(2026, 11, 20, 10, minute), amount, flag, "6228480012345678901", "转账", serial]


def _statement(book):
    book.active.title = "明细"
    book.active.append([f"账号：{PAYEE}"])
    book.active.append(HEADER)
    book.active.append(_row(0, 50000, "贷", "A1"))
    book.active.append(_row(15, 30000, "借", "A2"))


def test_a_trailing_notes_sheet_is_skipped_with_one_note_naming_it(tmp_path):
    """Was: each line of 说明 a row error (工作表“说明”缺少交易时间 …), counted as rows read."""
    book = openpyxl.Workbook()
    _statement(book)
    notes = book.create_sheet("说明")
    notes.append(["填表说明"])
    notes.append(["1. 借贷标志：借表示支出，贷表示收入"])
    notes.append(["2. 金额单位：元", "", "本明细仅供公安机关办案使用"])
    notes.append(["序号", "字段", "含义"])
    notes.append([1, "交易时间", "交易发生的时间"])
    notes.append([2, "交易金额", "人民币元，保留两位小数"])
    book.save(tmp_path / "icbc.xlsx")
    parsed = read_statement(tmp_path / "icbc.xlsx")
    assert [(t.serial, t.account) for t in parsed.transactions] == [("A1", PAYEE), ("A2", PAYEE)]
    assert parsed.errors == [] and parsed.rows_read == 2
    assert len(parsed.notes) == 1 and "说明" in parsed.notes[0] and "已跳过" in parsed.notes[0]


def test_a_remarks_sheet_after_a_continuation_is_skipped_and_the_continuation_kept(tmp_path):
    book = openpyxl.Workbook()
    _statement(book)
    more = book.create_sheet("明细2")
    more.append(_row(20, 8000, "借", "A3"))
    more.append(_row(25, "八千", "借", "A4"))  # a bad row of a continuation stays an error
    remarks = book.create_sheet("备注")
    remarks.append(["备注：", "账户已于2026年12月1日销户"])
    book.save(tmp_path / "icbc.xlsx")
    parsed = read_statement(tmp_path / "icbc.xlsx")
    assert [t.serial for t in parsed.transactions] == ["A1", "A2", "A3"]
    assert [(e.row, e.message[:10]) for e in parsed.errors] == [(2, "工作表“明细2”金额")]
    assert len(parsed.notes) == 1 and "备注" in parsed.notes[0]


def test_a_statement_without_notes_has_none(tmp_path):
    book = openpyxl.Workbook()
    _statement(book)
    book.save(tmp_path / "icbc.xlsx")
    parsed = read_statement(tmp_path / "icbc.xlsx")
    assert parsed.notes == [] and len(parsed.transactions) == 2
