"""Probe s23: a transfer whose description reads 合计 is a row, on both paths; real footers are not."""

from fanzha.tracing.columnar import import_statement_csv
from fanzha.tracing.statements import read_statement

CSV = (
    "中国工商银行 账户历史明细\n"
    "账号：6222021001122334455\n"
    "交易时间,交易金额,借贷标志,对方账号,摘要,交易流水号\n"
    "2026-11-20 10:00:02,50000.00,贷,6217000000000000001,转账,A1\n"
    "2026-11-20 10:15:00,30000.00,借,6228480012345678901,货款合计,A2\n"
    "2026-11-20 10:20:00,8000.00,借,6228480012345678902,本月房租小计,A3\n"
    "合计,88000.00,,,,\n"
    "共3笔,,,,,\n"
)


def test_the_row_parser_keeps_transfers_that_mention_a_total_and_skips_the_footers(tmp_path):
    path = tmp_path / "icbc.csv"
    path.write_bytes(CSV.encode("gbk"))
    parsed = read_statement(path)
    assert [t.serial for t in parsed.transactions] == ["A1", "A2", "A3"]
    assert parsed.errors == [] and parsed.rows_read == 3


def test_the_columnar_path_does_the_same(tmp_path):
    path = tmp_path / "icbc.csv"
    path.write_bytes(CSV.encode("gbk"))
    columns = import_statement_csv(path)
    assert sorted(columns.serial.tolist()) == ["A1", "A2", "A3"]
    assert columns.errors == 0 and columns.rows_read == 3
