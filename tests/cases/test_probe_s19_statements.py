"""Probe s19: statements as Chinese banks export them, imported on a case."""

import datetime as dt
import io

import openpyxl

from fanzha.cases.models import Transaction
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
