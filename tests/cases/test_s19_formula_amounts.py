"""Amounts an Excel formula computed (0.1 + 0.2 = 0.30000000000000004) in the case list and in a
statement uploaded on a case: the fen they stand for, not a 金额精度超过分 row error; 0.305 still is one."""

import io

import openpyxl

from fanzha.cases.models import Case, Payment, Transaction
from fanzha.imports.pipeline import import_run
from tests.cases.helpers import PAYEE, make_case, upload
from tests.cases.test_importer import HEADER, ROWS

# Floats a formula leaves a hair off the fen that survive openpyxl's 16 significant digits.
LOSS = 999.9999999999998 * 3  # 2999.999999999999
PAID = 4.35 * 100  # 434.99999999999994, written 434.9999999999999


def _book(rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _case_row(ref: str, loss: float, amount: float) -> list[object]:
    row = list(ROWS[0])
    row[0], row[8], row[11] = ref, loss, amount
    return row


def test_the_case_list_reads_formula_amounts_as_whole_fen(world):
    data = _book([HEADER, _case_row("A3311990101", LOSS, PAID)])
    result = import_run(actor=world.users["analyst"], importer="cases", file_name="案件.xlsx", data=data)
    assert result.ok, result.errors
    case = Case.objects.get(source_ref="A3311990101")
    assert case.loss_fen == 300_000
    assert list(Payment.objects.filter(case=case).values_list("amount_fen", flat=True)) == [43_500]


def test_the_case_list_still_refuses_a_fraction_of_a_fen(world):
    data = _book([HEADER, _case_row("A3311990102", 3000.0, 0.305)])
    result = import_run(actor=world.users["analyst"], importer="cases", file_name="案件.xlsx", data=data)
    assert not result.ok and Case.objects.count() == 0
    assert {(e["row"], e["column"]) for e in result.errors} == {(2, "转账金额")}


def test_a_statement_uploaded_on_a_case_reads_formula_amounts(world):
    case = make_case(world)
    rows = [
        ["工商银行个人账户交易明细"],
        [f"账号：{PAYEE}"],
        ["交易时间", "借方发生额", "贷方发生额", "余额", "对方账号", "对方户名", "摘要", "交易流水号"],
        ["2026-11-20 10:00:02", None, LOSS, LOSS, "6217000000000000001", "王某", "转账", "F1"],
        ["2026-11-20 10:15:00", 0.1 + 0.7, None, LOSS - 0.8, "6228480012345678901", "李某", "转账", "F2"],
        ["2026-11-20 10:30:00", 0.305, None, 2998.895, "6228480012345678901", "李某", "转账", "F3"],
    ]
    statement, _ = upload(case, world.users["police_cg"], _book(rows), name="payee.xlsx")
    amounts = Transaction.objects.filter(statement=statement).order_by("time")
    assert [t.amount_fen for t in amounts] == [300_000, -80]
    assert [t.balance_fen for t in amounts] == [300_000, 299_920]
    assert statement.rows_added == 2 and [e["row"] for e in statement.errors] == [6]
    assert statement.balance_break is None
