"""Probe s19: account numbers and serials as banks' spreadsheets hold them (numbers, quotes, 6.2E+18)."""

import datetime as dt

import openpyxl
import pytest

from fanzha.tracing.columnar import import_statement_csv
from fanzha.tracing.statements import read_statement
from fanzha.tracing.text import CellError, parse_identifier

PAYEE = "6222021001122334455"
HEADER = ["交易时间", "借贷标志", "交易金额", "余额", "对方账号", "对方户名", "摘要", "交易流水号"]


@pytest.mark.parametrize(
    ("cell", "text"),
    [
        (20261120001.0, "20261120001"),  # a number cell: no ".0"
        (6228480012345, "6228480012345"),
        ("'6217001234567890123", "6217001234567890123"),  # Excel's text prefix
        ("\t6217001234567890123", "6217001234567890123"),
        ('="1000050001"', "1000050001"),  # the CSV formula trick
        ("6228480012345678.0", "6228480012345678"),
        ("", ""),
        (None, ""),
        ("财付通-1000050001", "财付通-1000050001"),
    ],
)
def test_it_reads_identifiers_as_the_bank_wrote_them(cell, text):
    assert parse_identifier(cell, "对方账号") == text


@pytest.mark.parametrize("cell", [6.217001234567891e18, 6228480012345678.0, "6.21700123456789E+18", "6.2E18"])
def test_it_refuses_identifiers_whose_digits_excel_lost(cell):
    with pytest.raises(CellError) as exc:
        parse_identifier(cell, "对方账号")
    assert "对方账号" in str(exc.value) and "文本" in str(exc.value)
    assert "62170012" not in str(exc.value)  # the (partial) number is not echoed into stored errors


def test_an_xlsx_with_numeric_account_cells_keeps_its_digits_or_says_they_are_lost(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["中国工商银行 账户历史明细"])
    sheet.append([f"账号：{PAYEE}"])
    sheet.append(HEADER)
    sheet.append(
        [dt.datetime(2026, 11, 20, 10, 0, 3), "贷", 50000, 50000, 6.217e18, "王秀英", "转账", 20261120001]
    )
    sheet.append(
        [dt.datetime(2026, 11, 20, 10, 15), "借", 30000, 20000, 622848001234567, "李某", "转账", "A2"]
    )
    path = tmp_path / "icbc.xlsx"
    book.save(path)
    parsed = read_statement(path)
    assert [t.counterparty_account for t in parsed.transactions] == ["622848001234567"]
    assert [(e.row, e.message[:4]) for e in parsed.errors] == [(4, "对方账号")]


def test_both_paths_read_quoted_and_scientific_identifiers_alike(tmp_path):
    text = (
        "中国农业银行 个人账户明细\n客户姓名：李某,账号：'6228480012345678901\n"
        "交易时间,交易金额,余额,收支标志,对方账号,对方户名,交易摘要,交易流水号\n"
        '2026-11-20 10:15:00,"30,000.00",30000.00,收,\t6222021001122334455,张某某,转账,\'S1\n'
        '2026-11-20 11:00:00,"20,000.00",10000.00,支,\'6217001234567890123,赵某,转账,S2\n'
        '2026-11-20 11:05:00,"5,000.00",5000.00,支,="1000050001",财付通,财付通-提现,="S3"\n'
        '2026-11-20 11:06:00,"1,000.00",4000.00,支,6.21700123456789E+18,某,转账,S4\n'
    )
    path = tmp_path / "abc.csv"
    path.write_bytes(text.encode("gbk"))
    rows = read_statement(path)
    columns = import_statement_csv(path)
    expected = ["6222021001122334455", "6217001234567890123", "1000050001"]
    assert [t.counterparty_account for t in rows.transactions] == expected
    assert columns.counterparty_account.tolist() == expected
    assert [t.serial for t in rows.transactions] == ["S1", "S2", "S3"] == columns.serial.tolist()
    assert {t.account for t in rows.transactions} == {"6228480012345678901"} == set(columns.account.tolist())
    assert [e.row for e in rows.errors] == [7] and [line for _, line, _ in columns.error_lines] == [7]
    assert rows.errors[0].message == columns.error_lines[0][2]


def test_an_account_whose_label_and_number_sit_in_two_cells_above_the_header_is_read(tmp_path):
    """A bank's export writes "查询账号" in one cell and the number in the next: both paths find it."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["中国建设银行 账户交易明细"])
    sheet.append(["查询账号", None, PAYEE, None, "户名", "王某"])
    sheet.append(HEADER)
    sheet.append(
        [dt.datetime(2026, 11, 20, 10, 0, 3), "贷", 50000, 50000, "6228480012345", "王秀英", "转账", "S1"]
    )
    path = tmp_path / "ccb.xlsx"
    book.save(path)
    assert {t.account for t in read_statement(path).transactions} == {PAYEE}
    text = (
        f"中国建设银行 账户交易明细\n账号：,'{PAYEE}\n"
        + ",".join(HEADER)
        + "\n2026-11-20 10:00:03,贷,50000,50000,6228480012345,王秀英,转账,S1\n"
    )
    csv_path = tmp_path / "ccb.csv"
    csv_path.write_bytes(text.encode("gbk"))
    assert set(import_statement_csv(csv_path).account.tolist()) == {PAYEE}
