"""An amount an Excel formula computed is a float a hair off the fen (0.1 + 0.2 = 0.30000000000000004,
3 × 999.9999999999998 = 2999.9999999999995): within 1e-6 元 of a whole number of fen it is that amount;
only a real fraction of a fen (0.305) is a row error. Row path (XLSX, CSV) and DuckDB path agree."""

from decimal import Decimal

import openpyxl
import pytest

from fanzha.tracing.columnar import import_statement_csv
from fanzha.tracing.statements import read_rows, read_statement
from fanzha.tracing.text import CellError, parse_amount

ACCOUNT = "6222020000000001"
HEADER = ["交易时间", "借方发生额", "贷方发生额", "余额", "对方账号", "对方户名", "摘要", "交易流水号"]


@pytest.mark.parametrize(
    ("value", "fen"),
    [
        (0.1 + 0.2, 30),
        (2999.9999999999995, 300_000),
        (999.9999999999998 * 3, 300_000),  # 2999.999999999999
        (4.35 * 100, 43_500),  # 434.99999999999994
        (0.07 * 100, 700),  # 7.000000000000001
        (-(0.1 + 0.2), -30),
        ("0.30000000000000004", 30),  # the same float written out by an export program
        ("2,999.9999999999995元", 300_000),
        (12_345_678.9 * 1, 1_234_567_890),
    ],
)
def test_a_formula_float_is_the_whole_fen_it_stands_for(value, fen):
    assert parse_amount(value) == fen


@pytest.mark.parametrize("value", [0.305, "0.305", 12.345, "1.0001", 0.3000011])
def test_a_real_fraction_of_a_fen_is_still_an_error(value):
    with pytest.raises(CellError, match="金额精度超过分"):
        parse_amount(value)


def _xlsx(path, rows):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append([f"账号：{ACCOUNT}"])
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def _off_the_fen(path) -> list[float]:
    """The money cells as the file holds them that are not a whole number of fen (openpyxl writes 16
    significant digits, so only floats off in the 16th digit reach the reader)."""
    cells = [c for row in read_rows(path) for c in row[1:4] if isinstance(c, float)]
    return [c for c in cells if (Decimal(repr(c)) * 100) % 1]


def test_an_xlsx_statement_with_formula_amounts_has_no_row_errors(tmp_path):
    rows = [
        ["2024-03-05 09:00:00", None, 0.1 + 0.7, 0.1 + 0.7, "111", "王某", "转账", "S1"],
        [
            "2024-03-05 09:10:00",
            None,
            999.9999999999998 * 3,
            2999.999999999999 + 0.8,
            "222",
            "李某",
            "转账",
            "S2",
        ],
        ["2024-03-05 09:20:00", 4.35 * 100, None, 3000.8 - 4.35 * 100, "333", "赵某", "转账", "S3"],
        ["2024-03-05 09:30:00", 0.305, None, 2565.495, "444", "钱某", "转账", "S4"],
    ]
    path = _xlsx(tmp_path / "a.xlsx", rows)
    assert {0.7999999999999999, 2999.999999999999, 434.9999999999999, 0.305} <= set(_off_the_fen(path))
    parsed = read_statement(path)
    assert [t.amount for t in parsed.transactions] == [80, 300_000, -43_500]
    assert [t.balance for t in parsed.transactions] == [80, 300_080, 256_580]
    assert [(e.row, e.message) for e in parsed.errors] == [(6, "金额精度超过分：0.305")]
    assert parsed.balance_break is None


def _csv(path, rows):
    lines = [f"账号：{ACCOUNT}", ",".join(HEADER), *(",".join(map(str, r)) for r in rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_the_duckdb_path_reads_formula_amounts_and_refuses_a_fraction_of_a_fen_like_the_rows(tmp_path):
    rows = [
        ["2024-03-05 09:00:00", "", repr(0.1 + 0.2), "0.30000000000000004", "111", "王某", "转账", "S1"],
        ["2024-03-05 09:10:00", "", "2999.9999999999995", "3000.3", "222", "李某", "转账", "S2"],
        ["2024-03-05 09:20:00", "0.305", "", "2999.995", "444", "钱某", "转账", "S3"],
        ["2024-03-05 09:30:00", "12.3456", "", "", "555", "孙某", "转账", "S4"],
    ]
    path = _csv(tmp_path / "a.csv", rows)
    got = import_statement_csv(path)
    assert got.amount.tolist() == [30, 300_000]
    assert got.balance.tolist() == [30, 300_030]
    assert [(line, message) for _, line, message in got.error_lines] == [
        (5, "交易金额精度超过分"),
        (6, "交易金额精度超过分"),
    ]
    by_rows = read_statement(path)
    assert [t.amount for t in by_rows.transactions] == got.amount.tolist()
    assert [e.row for e in by_rows.errors] == [5, 6]
