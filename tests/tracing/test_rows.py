"""The trace index from rows the caller holds equals the one built from the DuckDB store."""

import numpy as np

from fanzha.tracing.columnar import connect, import_statement_csv, index_from_store
from fanzha.tracing.rows import StatementRow, index_from_rows
from fanzha.tracing.trace import trace
from tests.tracing.test_columnar import write

PAYEE = [
    '20240305,090000,,"10,000.00",10000.00,VICTIM,受害人,转账,P1\n',
    "20240305,091500,6000.00,,4000.00,6222000000000022,乙,转账,P2\n",
    "20240305,093000,1000.00,,3000.00,,,ATM取款,P3\n",
    "20240305,094000,500.00,,2500.00,,,转账,P4\n",
]
SECOND = [
    "20240305,091500,,6000.00,6000.00,6222000000000011,甲,转账,Q1\n",
    "20240305,100000,2500.00,,3500.00,,,ATM取款,Q2\n",
    "20240305,101000,1000.00,,2500.00,6222000000000099,丙,转账,Q3\n",
]


def _store(tmp_path):
    database = str(tmp_path / "trace.duckdb")
    import_statement_csv(write(tmp_path / "a.csv", PAYEE, account="6222000000000011"), database=database)
    import_statement_csv(write(tmp_path / "b.csv", SECOND, account="6222000000000022"), database=database)
    return database


def _rows(database):
    con = connect(database)
    try:
        got = con.execute(
            "SELECT account, ts, amount, counterparty_account, category FROM trace_transaction"
        ).fetchall()
    finally:
        con.close()
    return [StatementRow(a, t, int(m), c, int(k)) for a, t, m, c, k in got]


def _edges(index):
    return sorted(
        (index.label(int(s)), index.label(int(d)), int(a), int(t), int(k))
        for s, d, a, t, k in zip(index.src, index.dst, index.amount, index.time, index.kind, strict=True)
    )


def test_it_builds_the_same_transfers_as_the_store(tmp_path):
    database = _store(tmp_path)
    from_rows = index_from_rows(_rows(database))
    assert _edges(from_rows) == _edges(index_from_store(database))
    assert len(_edges(from_rows)) == 6  # the payee→second transfer once, not twice


def test_it_traces_the_same_money(tmp_path):
    index = index_from_rows(_rows(_store(tmp_path)))
    start = int(index.time[0])
    payee = index.account_id("6222000000000011")
    result = trace(index, account=payee, amount=1_000_000, time=start)
    second = result.accounts[index.account_id("6222000000000022")]
    assert second.received == 600_000 and second.cash_out == 250_000
    assert result.accounts[payee].cash_out == 100_000
    assert result.held + result.cash_out + sum(f.sent for f in result.accounts.values()) >= 0
    assert np.all(index.amount > 0)
