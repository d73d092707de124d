"""An account number pasted into an amount column (19 digits, 16 for a card) is far above any amount:
the row is refused with an error naming the column, on the row path and the DuckDB path alike, instead
of read as a huge amount (which a 64-bit fen column cannot even hold). The ceiling is 1 万亿元."""

import pytest

from fanzha.tracing.columnar import import_statement_csv
from fanzha.tracing.statements import read_statement
from fanzha.tracing.text import AMOUNT_CEILING_FEN, NotAnAmount, parse_amount

ACCOUNT = "6222020000000001"
CARD = "6222021001122334455"
HEADER = ["交易时间", "借方发生额", "贷方发生额", "余额", "对方账号", "对方户名", "摘要", "交易流水号"]


@pytest.mark.parametrize("value", [CARD, "6222021001122334", "622202100112233445.00", int(CARD), "-" + CARD])
def test_an_account_number_is_not_an_amount(value):
    with pytest.raises(NotAnAmount, match="借方发生额超过 1 万亿元，不像金额"):
        parse_amount(value, "借方发生额")


@pytest.mark.parametrize(
    ("value", "fen"),
    [
        ("999,999,999,999.99", AMOUNT_CEILING_FEN - 1),
        ("13905700000", 1_390_570_000_000),
        ("50000.00", 5_000_000),
    ],
)
def test_amounts_below_the_ceiling_are_read(value, fen):
    assert parse_amount(value) == fen


def _csv(path, rows):
    lines = [f"账号：{ACCOUNT}", ",".join(HEADER), *(",".join(map(str, r)) for r in rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


ROWS = [
    ["2024-03-05 09:00:00", "", "500.00", "500.00", "111", "王某", "转账", "S1"],
    ["2024-03-05 09:10:00", CARD, "", "300.00", "222", "李某", "转账", "S2"],
    ["2024-03-05 09:20:00", "", "6222021001122334", "300.00", "333", "赵某", "转账", "S3"],
    ["2024-03-05 09:30:00", "100.00", "", CARD, "444", "钱某", "转账", "S4"],
    ["2024-03-05 09:40:00", "100.00", "", "200.00", "555", "孙某", "转账", "S5"],
]


def test_both_paths_refuse_the_row_and_name_the_column(tmp_path):
    path = _csv(tmp_path / "a.csv", ROWS)
    by_rows = read_statement(path)
    assert [t.amount for t in by_rows.transactions] == [50_000, -10_000]
    assert [(e.row, e.message.split("：")[0]) for e in by_rows.errors] == [
        (4, "借方发生额（支出）超过 1 万亿元，不像金额（是否把账号等填进了该列？）"),
        (5, "贷方发生额（收入）超过 1 万亿元，不像金额（是否把账号等填进了该列？）"),
        (6, "余额超过 1 万亿元，不像金额（是否把账号等填进了该列？）"),
    ]
    columns = import_statement_csv(path)
    assert columns.amount.tolist() == [50_000, -10_000]
    assert [(line, message) for _, line, message in columns.error_lines] == [
        (row, message) for row, message in ((e.row, e.message.split("：")[0]) for e in by_rows.errors)
    ]
