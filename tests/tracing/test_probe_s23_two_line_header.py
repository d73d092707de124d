"""Probe s23: a header over two lines (发生额 merged over 借方 / 贷方) reads money out as out."""

import datetime as dt

import openpyxl

from fanzha.tracing.columnar import import_statement_csv
from fanzha.tracing.layouts import find_header
from fanzha.tracing.statements import read_statement

PAYEE = "6222021001122334455"


def _workbook(path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["中国农业银行 账户明细"])
    sheet.append(["交易日期", "发生额", None, "余额", "对方账号", "摘要"])
    sheet.append([None, "借方", "贷方", None, None, None])
    sheet.merge_cells("B2:C2")
    sheet.merge_cells("A2:A3")
    sheet.append([dt.datetime(2026, 11, 20, 10, 0, 2), None, 50000, 50000, "6217000000000000001", "转账"])
    sheet.append([dt.datetime(2026, 11, 20, 10, 15, 0), 30000, None, 20000, "6228480012345678901", "转账"])
    book.save(path)


def test_the_xlsx_reads_the_debit_as_money_out_and_the_credit_as_money_in(tmp_path):
    path = tmp_path / "abc.xlsx"
    _workbook(path)
    parsed = read_statement(path, account=PAYEE)
    assert [t.amount for t in parsed.transactions] == [5_000_000, -3_000_000]
    assert parsed.errors == [] and parsed.balance_break is None


def test_the_same_layout_as_csv_reads_alike_on_the_columnar_path(tmp_path):
    path = tmp_path / "abc.csv"
    path.write_text(
        "中国农业银行 账户明细\n交易日期,发生额,,余额,对方账号,摘要\n,借方,贷方,,,\n"
        "2026-11-20 10:00:02,,50000,50000,6217000000000000001,转账\n"
        "2026-11-20 10:15:00,30000,,20000,6228480012345678901,转账\n",
        encoding="gbk",
    )
    assert [t.amount for t in read_statement(path, account=PAYEE).transactions] == [5_000_000, -3_000_000]
    columns = import_statement_csv(path, account=PAYEE)
    assert sorted(columns.amount.tolist()) == [-3_000_000, 5_000_000] and columns.errors == 0


def test_a_header_followed_by_a_data_row_of_flags_stays_one_line():
    rows = [
        ["交易时间", "交易金额", "收支", "摘要"],
        ["2026-11-20 10:00:02", "100.00", "支出", "转账"],
    ]
    found = find_header(rows)
    assert found is not None and found[0] == 0
