"""Probe s19: statements as Chinese banks export them, imported on a case."""

import datetime as dt
import io

import openpyxl
import pytest
from django.core.exceptions import ValidationError

from fanzha.cases import statements
from fanzha.cases.models import Statement, Transaction
from tests.cases.helpers import PAYEE, SECOND, VICTIM_ACCOUNT, make_case, upload

HEADER = "交易时间,借贷标志,交易金额,余额,对方账号,对方户名,摘要,交易流水号\n"


def _xlsx(rows):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["中国工商银行 账户历史明细"])
    sheet.append([f"账号：{PAYEE}"])
    sheet.append(HEADER.strip().split(","))
    for row in rows:
        sheet.append(row)
    sheet.append(["合计", None, 80000])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_the_same_card_as_xlsx_with_number_cells_and_as_gbk_csv_counts_each_row_once(world):
    officer = world.users["police_cg"]
    case = make_case(world)
    xlsx = _xlsx(
        [
            [
                dt.datetime(2026, 11, 20, 10, 0, 3),
                "贷",
                50000,
                50000,
                VICTIM_ACCOUNT,
                "王秀英",
                "转账",
                20261120001,
            ],
            [46346.42708333, "借", "30,000.00元", 20000, SECOND, "李某", "网银转账", 20261120002],
        ]
    )
    first, _ = upload(case, officer, xlsx, name="icbc.xlsx")
    csv = (
        f"中国工商银行 账户历史明细\n账号：{PAYEE}\n{HEADER}"
        f"2026年11月20日 10:00:03,贷,50000,50000,{VICTIM_ACCOUNT},王秀英,转账,20261120001\n"
        f'2026年11月20日 10:15:00,借,"30,000.00",20000,\'{SECOND},李某,网银转账,20261120002\n'
        "2026年11月20日 10:30:00,借,5000.00,15000,,财付通-微信零钱,快捷支付,20261120003\n"
        ',合计,"85,000.00",,,,,\n'
    ).encode("gbk")
    second, _ = upload(case, officer, csv, name="icbc.csv")
    assert (first.rows_added, second.rows_added, second.duplicates) == (2, 1, 2)
    stored = sorted((r.serial, r.counterparty, r.amount_fen) for r in Transaction.objects.filter(case=case))
    assert stored == [
        ("20261120001", VICTIM_ACCOUNT, 5_000_000),
        ("20261120002", SECOND, -3_000_000),
        ("20261120003", "", -500_000),
    ]


def test_an_xlsx_whose_card_numbers_excel_cut_short_says_so_and_stores_none_of_the_wrong_numbers(world):
    officer = world.users["police_cg"]
    case = make_case(world)
    xlsx = _xlsx(
        [[dt.datetime(2026, 11, 20, 10, 0, 3), "贷", 50000, 50000, 6.217e18, "王秀英", "转账", "A1"]]
    )
    statement, _ = upload(case, officer, xlsx, name="icbc.xlsx")
    assert statement.rows_added == 0 and len(statement.errors) == 1
    assert statement.errors[0]["row"] == 4 and "对方账号" in statement.errors[0]["message"]


NO_ACCOUNT = (
    "个人账户交易明细\n交易日期,交易时间,借方发生额,贷方发生额,余额,对方账号,对方户名,摘要\n"
    f"20261120,100002,,50000.00,50000.00,{VICTIM_ACCOUNT},王秀英,转账\n"
    f"20261120,101500,30000.00,,20000.00,{SECOND},李某,转账\n"
).encode("gbk")


@pytest.mark.parametrize("columnar", [False, True])
def test_a_statement_without_its_account_is_refused_and_can_be_uploaded_again_with_it(
    world, monkeypatch, columnar
):
    if columnar:
        monkeypatch.setattr(statements, "LARGE_BYTES", 0)
    officer = world.users["police_cg"]
    case = make_case(world)
    with pytest.raises(ValidationError) as exc:
        upload(case, officer, NO_ACCOUNT, name="no-account.csv")
    assert "本方账号" in str(exc.value)
    assert not Statement.objects.filter(case=case).exists() and not Transaction.objects.exists()
    statement, new = upload(case, officer, NO_ACCOUNT, name="no-account.csv", account=PAYEE)
    assert new and statement.rows_added == 2 and statement.account == PAYEE
    assert set(Transaction.objects.values_list("account", flat=True)) == {PAYEE}


def test_a_mapped_statement_without_its_account_takes_the_account_of_the_second_upload(world):
    officer = world.users["police_cg"]
    case = make_case(world)
    unknown = f"入账日\t发生额\t对手\n2026-11-20 10:00:02\t50000.00\t{VICTIM_ACCOUNT}\n".encode()
    waiting, _ = upload(case, officer, unknown, name="x.txt")
    choice = {"time": "入账日", "amount": "发生额", "counterparty_account": "对手"}
    with pytest.raises(ValidationError) as exc:
        statements.statement_map(actor=officer, statement=waiting, header_row=0, choice=choice)
    assert "本方账号" in str(exc.value)
    again, new = upload(case, officer, unknown, name="x.txt", account=PAYEE)
    assert not new and again.pk == waiting.pk
    done = statements.statement_map(actor=officer, statement=again, header_row=0, choice=choice)
    assert done.rows_added == 1 and Transaction.objects.get().account == PAYEE
