"""An account number pasted into an amount column of the case list or of a statement uploaded on a case
is refused on its row with an error naming the column, its digits masked, instead of stored as a huge
amount (or failing the whole import on the database's 64-bit fen column)."""

from fanzha.cases.models import Case, Payment, Transaction
from fanzha.imports.pipeline import import_run
from tests.cases.helpers import PAYEE, VICTIM_ACCOUNT, make_case, statement_csv, upload
from tests.cases.test_importer import HEADER, ROWS

CARD = "6222021001122334455"


def _csv(rows: list[list[str]]) -> bytes:
    return "\n".join(",".join(f'"{c}"' for c in row) for row in [HEADER, *rows]).encode("utf-8")


def test_the_case_list_refuses_an_account_number_as_the_amount(world):
    row = list(ROWS[0])
    row[0], row[11] = "A3311990201", CARD
    result = import_run(
        actor=world.users["analyst"], importer="cases", file_name="案件.csv", data=_csv([row])
    )
    assert not result.ok and not Case.objects.filter(source_ref="A3311990201").exists()
    assert not Payment.objects.exists()
    [error] = result.errors
    assert error["row"] == 2 and error["column"] == "转账金额"
    assert "转账金额超过 1 万亿元，不像金额" in error["message"]
    assert CARD not in str(result.errors)


def test_the_case_list_refuses_an_account_number_as_the_loss(world):
    row = list(ROWS[0])
    row[0], row[8] = "A3311990202", CARD
    result = import_run(
        actor=world.users["analyst"], importer="cases", file_name="案件.csv", data=_csv([row])
    )
    assert not result.ok and not Case.objects.filter(source_ref="A3311990202").exists()
    assert {(e["row"], e["column"]) for e in result.errors} == {(2, "损失金额")}
    assert "损失金额超过 1 万亿元" in result.errors[0]["message"] and CARD not in str(result.errors)


def test_a_statement_on_a_case_refuses_the_row_and_masks_the_number(world):
    case = make_case(world)
    data = statement_csv(
        PAYEE,
        [
            f"20261120,100002,,50000.00,50000.00,{VICTIM_ACCOUNT},王秀英,农业银行,转账,A1\n",
            f"20261120,101500,{CARD},,20000.00,6228480012345678901,李某,农业银行,网银转账,A2\n",
        ],
    )
    statement, _ = upload(case, world.users["police_cg"], data)
    assert list(Transaction.objects.filter(statement=statement).values_list("amount_fen", flat=True)) == [
        5_000_000
    ]
    [error] = statement.errors
    assert error["row"] == 5 and error["message"].startswith("借方发生额（支出）超过 1 万亿元，不像金额")
    assert CARD not in error["message"] and "4455" in error["message"]
