"""A statement with the date and the time of day in two columns, the time written as a number: Excel
keeps ``080507`` typed into a cell as the number 80507 (the leading zero gone), and CSV exports of such
sheets write ``75959``. That is 08:05:07 and 07:59:59 on the date column's day, not an Excel serial
number of a day in 2120 or 2107."""

import datetime as dt

import openpyxl
import pytest

from fanzha.tracing.statements import read_statement
from fanzha.tracing.text import combine

DAY = dt.datetime(2026, 11, 3)


@pytest.mark.parametrize(
    ("clock", "expected"),
    [
        (80507, dt.time(8, 5, 7)),
        (143000, dt.time(14, 30)),
        (143000.0, dt.time(14, 30)),  # a reader that gives every number as a float
        (235959, dt.time(23, 59, 59)),
        (0, dt.time(0, 0)),  # 000000, the interest run at midnight
        ("75959", dt.time(7, 59, 59)),
        ("080507", dt.time(8, 5, 7)),
    ],
)
def test_a_time_of_day_written_as_a_number_is_on_the_date_columns_day(clock, expected):
    assert combine("20261103", clock) == dt.datetime.combine(DAY.date(), expected)


def test_a_whole_moment_in_the_time_column_is_still_read_whole():
    assert combine("2026-11-03", "2026-11-02 23:59:59") == dt.datetime(2026, 11, 2, 23, 59, 59)
    assert combine(46329, 46329.33686) == dt.datetime(2026, 11, 3, 8, 5, 5)
    assert combine("2026-11-03", "20261103080507") == dt.datetime(2026, 11, 3, 8, 5, 7)


def test_a_workbook_with_numeric_times_reads_the_days_of_its_date_column(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["账号：6222020000000001"])
    sheet.append(["交易日期", "交易时间", "交易金额", "借贷标志", "对方账号", "交易流水号"])
    sheet.append([20261103, 80507, 50000, "贷", "6217000000000000001", "S1"])
    sheet.append([20261103, 143000, 30000, "借", "6228480012345678901", "S2"])
    path = tmp_path / "statement.xlsx"
    book.save(path)
    parsed = read_statement(path)
    assert parsed.errors == []
    assert [t.time for t in parsed.transactions] == [
        dt.datetime(2026, 11, 3, 8, 5, 7),
        dt.datetime(2026, 11, 3, 14, 30),
    ]


def test_a_date_kept_as_a_number_in_a_workbook_is_read(tmp_path):
    """交易日期 20261103 and 交易时间 20261103080507 stored as numbers (a reader gives them as floats)."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["交易时间", "交易金额", "借贷标志", "对方账号"])
    sheet.append([20261103080507, 50000, "贷", "6217000000000000001"])
    sheet.append([20261103, 30000, "借", "6228480012345678901"])
    path = tmp_path / "statement.xlsx"
    book.save(path)
    parsed = read_statement(path, account="6222020000000001")
    assert parsed.errors == []
    assert [t.time for t in parsed.transactions] == [dt.datetime(2026, 11, 3, 8, 5, 7), DAY]
