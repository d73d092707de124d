"""Large CSV statements take the columnar path; it stores what the row path stores, once."""

import pytest

from fanzha.cases import bulk, statements
from fanzha.cases.models import Transaction
from tests.cases.helpers import PAYEE, SECOND, make_case, payee_statement, statement_csv, upload

MIXED = statement_csv(
    PAYEE,
    [
        '20261121,090000,,"1,000.00",16000.00,6217000000000000001,王某,,转账,\n',
        '20261121,090000,,"1,000.00",17000.00,6217000000000000001,王某,,转账,\n',  # same, no serial: twice
        "20261121,091000,500.00,,16500.00,,财付通,,快捷支付,\n",
        "20261121,092000,200.00,,16300.00,,,,退款,R9\n",
        "20261121,093000,坏,,16300.00,,,,转账,R10\n",
    ],
)


def _stored(case):
    rows = Transaction.objects.filter(case=case)
    return sorted(
        (
            r.account,
            r.time,
            r.amount_fen,
            r.balance_fen,
            r.counterparty,
            r.counterparty_name,
            r.serial,
            r.category,
            r.platform,
            r.key_hash,
        )
        for r in rows
    )


@pytest.fixture
def columnar(monkeypatch):
    monkeypatch.setattr(statements, "LARGE_BYTES", 0)


def test_it_stores_the_same_rows_as_the_row_path(world, monkeypatch):
    officer = world.users["police_cg"]
    by_rows, by_columns = make_case(world), make_case(world, person="shiqiao", area=world.area("城东社区"))
    for data in (payee_statement(), MIXED):
        upload(by_rows, officer, data)
    monkeypatch.setattr(statements, "LARGE_BYTES", 0)
    for data in (payee_statement(), MIXED):
        statement, _ = upload(by_columns, officer, data)
    assert statement.rows_added == 4 and statement.errors == [{"row": 8, "message": "交易金额无法识别"}]
    assert [row[:-1] for row in _stored(by_rows)] == [row[:-1] for row in _stored(by_columns)]
    assert {row[-1] for row in _stored(by_rows)} == {row[-1] for row in _stored(by_columns)}


def test_it_counts_rows_the_row_path_stored_once(world, columnar, monkeypatch):
    officer = world.users["police_cg"]
    case = make_case(world)
    monkeypatch.setattr(statements, "LARGE_BYTES", 10**9)
    upload(case, officer, payee_statement())
    monkeypatch.setattr(statements, "LARGE_BYTES", 0)
    overlap = statement_csv(
        PAYEE, [f"20261120,101500,30000.00,,20000.00,{SECOND},李某,农业银行,网银转账,A2\n"]
    )
    statement, _ = upload(case, officer, overlap, name="again.csv")
    assert statement.rows_added == 0 and statement.duplicates == 1
    assert Transaction.objects.filter(case=case).count() == 3


def test_it_keeps_accounts_encrypted_and_flags_balance_breaks(world, columnar):
    officer = world.users["police_cg"]
    case = make_case(world)
    broken = statement_csv(
        PAYEE,
        [
            "20261120,100002,,50000.00,50000.00,X1,王某,,转账,C1\n",
            "20261120,101500,30000.00,,25000.00,X2,李某,,转账,C2\n",
        ],
    )
    statement, _ = upload(case, officer, broken)
    assert statement.balance_break == {"row": 5}
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT account, counterparty, counterparty_name FROM cases_transaction")
        stored = " ".join(" ".join(r) for r in cursor.fetchall())
    assert PAYEE not in stored and "王某" not in stored
    assert bulk.row_key("a", "", 1, "t", "c") != bulk.row_key("a", "s", 1, "t", "c")
