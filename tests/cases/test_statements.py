"""Bank statements on a case: known and unknown layouts, duplicates, bad rows, balance breaks."""

import io

import openpyxl
import pytest
from django.core.exceptions import ValidationError

from fanzha.cases import statements
from fanzha.cases.models import StatementStatus, Transaction
from tests.cases.helpers import PAYEE, SECOND, make_case, payee_statement, statement_csv, upload

UNKNOWN = (
    "入账日\t发生额\t对手\t说明\n"  # not a known layout: goes to the mapping step
    "2026-11-20 10:00:02\t５０，０００．００元\t6217000000000000001\t转入\n"
).encode()


@pytest.fixture
def case(world):
    return make_case(world)


def officer(world):
    return world.users["police_cg"]


def test_it_imports_a_known_layout_with_its_account_from_the_title_lines(world, case):
    statement, new = upload(case, officer(world), payee_statement())
    assert new and statement.status == StatementStatus.IMPORTED and statement.data is None
    assert statement.account == PAYEE and statement.rows_added == 3 and statement.balance_break is None
    rows = list(Transaction.objects.filter(case=case).order_by("time"))
    assert [r.amount_fen for r in rows] == [5_000_000, -3_000_000, -500_000]
    assert [r.category for r in rows] == [0, 0, 1]  # transfer, transfer, cash_out


def test_it_changes_nothing_when_the_same_file_comes_again(world, case):
    upload(case, officer(world), payee_statement())
    again, new = upload(case, officer(world), payee_statement())
    assert not new and Transaction.objects.filter(case=case).count() == 3


def test_it_counts_rows_repeated_across_overlapping_statements_once(world, case):
    upload(case, officer(world), payee_statement())
    overlap = statement_csv(
        PAYEE,
        [
            f"20261120,101500,30000.00,,20000.00,{SECOND},李某,农业银行,网银转账,A2\n",
            "20261120,103000,5000.00,,15000.00,,,,ATM取款,A3\n",
            "20261121,090000,1000.00,,14000.00,,,,ATM取款,A4\n",
        ],
    )
    statement, _ = upload(case, officer(world), overlap, name="overlap.csv")
    assert statement.rows_added == 1 and statement.duplicates == 2
    assert Transaction.objects.filter(case=case).count() == 4


def test_it_flags_a_statement_that_does_not_balance_and_reports_bad_rows(world, case):
    broken = statement_csv(
        PAYEE,
        [
            "20261120,100002,,50000.00,50000.00,6217000000000000001,王某,,转账,C1\n",
            "20261120,101500,30000.00,,25000.00,6228480012345678901,李某,,转账,C2\n",
            "20261120,103000,坏数,,20000.00,,,,转账,C3\n",
        ],
    )
    statement, _ = upload(case, officer(world), broken)
    assert statement.balance_break["row"] == 5
    assert statement.errors == [{"row": 6, "message": "金额无法识别：坏数"}]
    assert statement.rows_added == 2


def test_it_recognises_refunds(world, case):
    refund = statement_csv(
        PAYEE,
        [
            "20261120,100002,2000.00,,48000.00,6228480012345678901,李某,,转账,D1\n",
            "20261120,120000,,2000.00,50000.00,6228480012345678901,李某,,退款,D2\n",
        ],
    )
    upload(case, officer(world), refund)
    assert Transaction.objects.get(serial="D2").refund is True


def test_it_sends_an_unknown_layout_to_the_mapping_step_and_imports_it_with_the_chosen_columns(world, case):
    statement, new = upload(case, officer(world), UNKNOWN, name="x.txt", account=PAYEE)
    assert new and statement.status == StatementStatus.MAPPING and statement.data is not None
    rows = statements.preview_rows(statement)
    assert rows[0] == ["入账日", "发生额", "对手", "说明"]
    with pytest.raises(ValidationError) as exc:
        statements.statement_map(
            actor=officer(world), statement=statement, header_row=0, choice={"time": "入账日"}
        )
    assert "还缺少：交易金额" in str(exc.value)
    choice = {"time": "入账日", "amount": "发生额", "counterparty_account": "对手", "summary": "说明"}
    done = statements.statement_map(actor=officer(world), statement=statement, header_row=0, choice=choice)
    assert done.status == StatementStatus.IMPORTED and done.data is None
    row = Transaction.objects.get(statement=done)
    assert row.amount_fen == 5_000_000 and row.account == PAYEE


def test_it_reads_xlsx_statements(world, case):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["账号", PAYEE])
    sheet.append(["交易时间", "交易金额", "余额", "对方账号", "摘要"])
    sheet.append(["2026-11-20 10:00:02", "50,000.00", "50,000.00", "6217000000000000001", "转入"])
    sheet.append(["2026-11-20 10:15:00", "-30,000.00", "20,000.00", SECOND, "转出"])
    buffer = io.BytesIO()
    book.save(buffer)
    statement, _ = upload(case, officer(world), buffer.getvalue(), name="icbc.xlsx", account=PAYEE)
    assert statement.rows_added == 2 and statement.balance_break is None


def test_it_refuses_other_file_types(world, case):
    with pytest.raises(ValidationError) as exc:
        upload(case, officer(world), b"%PDF-1.4", name="statement.pdf")
    assert "CSV" in str(exc.value)


def test_it_keeps_account_numbers_encrypted(world, case):
    upload(case, officer(world), payee_statement())
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT account, counterparty FROM cases_transaction")
        stored = " ".join(" ".join(r) for r in cursor.fetchall())
    assert PAYEE not in stored and SECOND not in stored
