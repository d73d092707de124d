"""The DuckDB import follows the same rules as the row-by-row parser."""

import numpy as np
import pytest

from fanzha.tracing.columnar import import_statement_csv, index_from_store
from fanzha.tracing.kinds import CODE
from fanzha.tracing.statements import UnknownLayout
from fanzha.tracing.trace import trace

HEADER = "交易日期,交易时间,借方发生额,贷方发生额,余额,对方账号,对方户名,摘要,交易流水号\n"
ROWS = [
    '20240305,090000,,"10,000.00",10000.00,111,王某,网银转账,S001\n',
    '20240305,091500,"３,０００.００",,7000.00,222,李某,网银转账,S002\n',
    "20240305,093000,2000.00元,,5000.00,,,ATM取款,S003\n",
    "20240305,100000,1000.00,,4000.00,,财付通,快捷支付,S004\n",
    "20240305,103000,坏,,4000.00,,,转账,S005\n",
]


def write(path, rows, account="6222020000000001", encoding="utf-8"):
    path.write_bytes(
        (f"明细\n账号：{account}\n" + HEADER + "".join(rows) + ",,合计,,,,,,\n").encode(encoding)
    )
    return path


def test_it_parses_classifies_and_flags_like_the_row_parser(tmp_path):
    got = import_statement_csv(write(tmp_path / "a.csv", ROWS, encoding="gbk"))
    assert got.amount.tolist() == [1000000, -300000, -200000, -100000]
    assert got.category.tolist() == [
        CODE["transfer"],
        CODE["transfer"],
        CODE["cash_out"],
        CODE["third_party"],
    ]
    assert got.platform.tolist()[3] == "财付通"
    assert set(got.account.tolist()) == {"6222020000000001"}
    assert got.time[0] == np.datetime64("2024-03-05T09:00:00").astype(np.int64)
    assert got.rows_read == 5 and got.errors == 1 and got.error_lines == [(0, 8, "交易金额无法识别")]
    assert got.balance_breaks == []


def test_it_counts_overlapping_files_once_and_flags_broken_balances(tmp_path):
    first = write(tmp_path / "a.csv", ROWS[:3])
    broken = ROWS[2:4] + ["20240305,110000,,500.00,9999.00,333,赵某,转账,S006\n"]
    second = write(tmp_path / "b.csv", broken)
    got = import_statement_csv([first, second])
    assert len(got) == 5 and got.duplicates == 1
    assert got.balance_breaks == [(1, "6222020000000001", 6)]


def test_it_sends_unknown_layouts_to_the_mapping_step(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("日期时间,钱\n2024-03-05,1\n", encoding="utf-8")
    with pytest.raises(UnknownLayout):
        import_statement_csv(path)


def test_it_stores_statements_and_traces_from_the_store(tmp_path):
    database = str(tmp_path / "trace.duckdb")
    victim_payee = [
        '20240305,090000,,"10,000.00",10000.00,VICTIM,受害人,转账,P1\n',
        "20240305,091500,6000.00,,4000.00,6222000000000022,乙,转账,P2\n",
    ]
    second = [
        "20240305,091500,,6000.00,6000.00,6222000000000011,甲,转账,Q1\n",
        "20240305,100000,2500.00,,3500.00,,,ATM取款,Q2\n",
    ]
    import_statement_csv(
        write(tmp_path / "a.csv", victim_payee, account="6222000000000011"), database=database
    )
    import_statement_csv(write(tmp_path / "b.csv", second, account="6222000000000022"), database=database)
    index = index_from_store(database)
    assert (
        index.src.size == 3
    )  # 6222000000000022's inflow from 6222000000000011 is 6222000000000011's outflow, counted once
    start = index.find_payment(index.account_id("6222000000000011"), 1000000, int(index.time[0]))
    result = trace(
        index,
        account=index.account_id("6222000000000011"),
        amount=1000000,
        time=int(index.time[0]),
        payment=start,
    )
    held = {index.label(f.account): f.remaining for f in result.still_held()}
    assert held == {"6222000000000011": 400000, "6222000000000022": 350000} and result.cash_out == 250000
