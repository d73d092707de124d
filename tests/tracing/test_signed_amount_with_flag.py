"""A statement that signs its amounts and also has a 借贷标志 column: ``-3,000.00`` flagged 借 is 3,000
out of the account (the bank said it twice), not 3,000 in. Both import paths read it the same way."""

from fanzha.tracing.columnar import import_statement_csv
from fanzha.tracing.layouts import detect_mapping
from fanzha.tracing.statements import parse_statement

HEADER = ["交易时间", "交易金额", "借贷标志", "余额", "对方账号", "交易流水号"]
ROWS = [
    ["2026-11-03 08:05:07", "+10,000.00", "贷", "10,000.00", "6217000000000000001", "S1"],
    ["2026-11-03 09:00:00", "-3,000.00", "借", "7,000.00", "6228480012345678901", "S2"],
    ["2026-11-03 09:30:00", "2,000.00", "借", "5,000.00", "6228480012345678902", "S3"],
]


def test_a_negative_amount_flagged_out_is_money_out():
    parsed = parse_statement(ROWS, detect_mapping(HEADER), account="6222020000000001")
    assert [t.amount for t in parsed.transactions] == [1_000_000, -300_000, -200_000]
    assert parsed.balanced


def test_the_columnar_path_reads_it_the_same(tmp_path):
    lines = ["账号：6222020000000001", ",".join(HEADER)]
    lines += [",".join(f'"{cell}"' for cell in row) for row in ROWS]
    path = tmp_path / "statement.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    got = import_statement_csv(path)
    assert got.amount.tolist() == [1_000_000, -300_000, -200_000]
    assert got.balance_breaks == []
