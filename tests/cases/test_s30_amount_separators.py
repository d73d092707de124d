"""Amounts in a bank statement (流水) written with other separators: 1.000,00 and 1 000,00 (thousands
with a dot or a space, the decimal a comma) read as what they say; 1.000 alone (1 yuan or 1000?) is
refused on its row, naming the column, not read as either. Row path and DuckDB path agree."""

import pytest

from fanzha.cases import statements
from fanzha.cases.models import Case, Payment, Transaction
from fanzha.imports.pipeline import import_run
from fanzha.tracing.text import CellError, parse_amount
from tests.cases.helpers import PAYEE, make_case, statement_csv
from tests.cases.test_importer import HEADER
from tests.cases.test_importer import ROWS as CASE_ROWS


@pytest.mark.parametrize(
    ("cell", "fen"),
    [
        ("1.000,00", 100_000),
        ("1 000,00", 100_000),
        ("1\u00a0000,00", 100_000),  # a no-break space, as spreadsheets in Europe group
        ("12.345,6", 1_234_560),
        ("1.234.567,89", 123_456_789),
        ("-1.000,50", -100_050),
        ("(2.500,00)", -250_000),
        ("1.000.000", 100_000_000),
        ("1000,5", 100_050),
        ("12,50", 1_250),
        ("¥1,000.00", 100_000),
        ("1,000.00元", 100_000),
        ("CNY 1000", 100_000),
        ("RMB 1,234,567.8", 123_456_780),
        ("0.500", 50),  # no group starts with 0: a decimal point
        ("1000.000", 100_000),  # four figures before the point: not a group of thousands
    ],
)
def test_an_amount_reads_as_its_separators_say(cell, fen):
    assert parse_amount(cell) == fen


@pytest.mark.parametrize("cell", ["1.000", "12.345", "999.500", "-1.000", "¥1.000"])
def test_a_point_before_three_figures_is_refused_as_unclear_naming_the_column(cell):
    with pytest.raises(CellError, match=r"^贷方发生额.*小数点.*：") as refused:
        parse_amount(cell, "贷方发生额")
    assert str(refused.value).endswith(f"：{cell}")


@pytest.mark.parametrize("cell", ["1,2345", "1,234,56", "12.34,56", "1,000,00", "1.000.00", "1.2.3"])
def test_separators_that_group_no_thousands_are_refused(cell):
    with pytest.raises(CellError, match="金额"):
        parse_amount(cell, "交易金额")


@pytest.mark.parametrize("cell", ["$100", "US$1,000.00", "100 USD", "HKD 500", "€20", "100美元"])
def test_an_amount_in_another_currency_is_refused_not_read_as_yuan(cell):
    with pytest.raises(CellError, match="^交易金额不是人民币金额"):
        parse_amount(cell, "交易金额")


def test_a_number_cell_is_never_unclear():
    assert parse_amount(1.5) == 150 and parse_amount(1000) == 100_000
    with pytest.raises(CellError, match="金额精度超过分"):
        parse_amount(12.345)  # a float is a number: its point is a decimal point


ROWS = [
    '20261120,100002,,"1.000,00","1.000,00",6217000000000000001,王秀英,农业银行,转账,E1\n',
    '20261120,101500,"12,50",,"987,50",6228480012345678901,李某,农业银行,网银转账,E2\n',
    "20261120,103000,1.000,,,,,,ATM取款,E3\n",
    '20261120,104000,"1 000,00",,,,,,ATM取款,E4\n',
]


def _stored(case):
    return [t.amount_fen for t in Transaction.objects.filter(case=case).order_by("line")]


@pytest.mark.parametrize("large", [False, True], ids=["rows", "duckdb"])
def test_a_statement_with_european_amounts_stores_them_right_and_refuses_the_unclear_row(
    world, monkeypatch, large
):
    monkeypatch.setattr(statements, "LARGE_BYTES", 0 if large else 10**9)
    case = make_case(world)
    statement, _ = statements.statement_upload(
        actor=world.users["police_cg"], case=case, file_name="流水.csv", data=statement_csv(PAYEE, ROWS)
    )
    assert _stored(case) == [100_000, -1_250, -100_000]
    assert [e["row"] for e in statement.errors] == [6]
    assert "借方发生额" in statement.errors[0]["message"] and "小数点" in statement.errors[0]["message"]


def _case_list(rows):
    return "\n".join(",".join(f'"{c}"' for c in row) for row in [HEADER, *rows]).encode("utf-8")


def test_the_case_list_reads_a_decimal_comma_and_refuses_an_unclear_point_naming_the_column(world):
    first, second = list(CASE_ROWS[0]), list(CASE_ROWS[0])
    first[0], first[8], first[11] = "A3311990301", "12.800,00", "8.000,00"
    second[0], second[8] = "A3311990302", "1.000"
    refused = import_run(
        actor=world.users["analyst"], importer="cases", file_name="案件.csv", data=_case_list([first, second])
    )
    assert not refused.ok and not Case.objects.exists()
    [error] = refused.errors
    assert error["row"] == 3 and error["column"] == "损失金额" and "小数点不明确" in error["message"]
    done = import_run(
        actor=world.users["analyst"], importer="cases", file_name="案件2.csv", data=_case_list([first])
    )
    assert done.ok, done.errors
    assert Case.objects.get(source_ref="A3311990301").loss_fen == 1_280_000
    assert Payment.objects.get().amount_fen == 800_000
