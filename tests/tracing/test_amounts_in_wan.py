"""A statement whose amount columns are headed in 万元 (交易金额（万元）, 余额(万元)): 1.5 there is 15,000
yuan, not 1.50 — on both import paths, and when a person maps the columns."""

import pytest

from fanzha.tracing.columnar import import_statement_csv
from fanzha.tracing.layouts import Mapping, detect_mapping
from fanzha.tracing.statements import parse_statement
from fanzha.tracing.text import CellError, parse_amount

HEADER = ["交易时间", "交易金额（万元）", "借贷标志", "余额(单位:万元)", "对方账号", "交易流水号"]
ROWS = [
    ["2026-11-03 08:05:07", "5", "贷", "5.0000", "6217000000000000001", "S1"],
    ["2026-11-03 09:00:00", "1.23456", "借", "3.76544", "6228480012345678901", "S2"],
]
FEN = [5_000_000, -1_234_560]


def test_the_row_parser_reads_wan():
    parsed = parse_statement(ROWS, detect_mapping(HEADER), account="6222020000000001")
    assert parsed.errors == []
    assert [t.amount for t in parsed.transactions] == FEN
    assert [t.balance for t in parsed.transactions] == [5_000_000, 3_765_440]
    assert parsed.balanced


def test_a_mapped_layout_reads_wan():
    header = ["时间", "发生额(万元)", "方向"]
    mapping = Mapping.from_choice(header, {"time": "时间", "amount": "发生额(万元)", "direction": "方向"})
    parsed = parse_statement([["2026-11-03 08:05:07", "2.5", "贷"]], mapping, account="6222020000000001")
    assert [t.amount for t in parsed.transactions] == [2_500_000]


def test_the_columnar_path_reads_wan(tmp_path):
    lines = ["账号：6222020000000001", ",".join(HEADER)] + [",".join(row) for row in ROWS]
    path = tmp_path / "statement.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    got = import_statement_csv(path)
    assert got.errors == 0
    assert got.amount.tolist() == FEN
    assert got.balance_breaks == []


def test_a_fraction_of_a_fen_in_wan_is_still_refused():
    assert parse_amount("1.234567", scale=10_000) == 1_234_567
    with pytest.raises(CellError):
        parse_amount("1.2345678", scale=10_000)
