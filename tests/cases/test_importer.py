"""Cases from the case-handling system's list, through the one import pipeline."""

import io

import openpyxl

from fanzha.cases.importer import UNKNOWN_TYPE
from fanzha.cases.models import Case, Payment, Status
from fanzha.imports.pipeline import import_run
from fanzha.warnings.type_aliases import fraud_type_alias_save
from tests.personas import id_number

HEADER = [
    "案件编号",
    "报案时间",
    "发案时间",
    "发案地",
    "案件类别",
    "受害人姓名",
    "身份证号",
    "手机号",
    "损失金额",
    "案件状态",
    "转账时间",
    "转账金额",
    "收款账号",
    "收款银行",
]
ROWS = [
    [
        "A3311990001",
        "2026-11-02 09:30",
        "2026-11-01 20:10",
        "城东社区",
        "刷单返利",
        "钱某",
        id_number("331102", "19900101", "031"),
        "13905710031",
        "12,800元",
        "立案",
        "2026-11-01 20:15",
        "8,000",
        "6222021001122334455",
        "工商银行",
    ],
    [
        "A3311990001",
        "2026-11-02 09:30",
        "2026-11-01 20:10",
        "城东社区",
        "刷单返利",
        "钱某",
        id_number("331102", "19900101", "031"),
        "13905710031",
        "12,800元",
        "立案",
        "2026-11-01 20:40",
        "4,800",
        "6222021001122334455",
        "工商银行",
    ],
    [
        "A3311990002",
        "2026/11/05 14:00",
        "",
        "城西社区",
        "冒充公检法",
        "孙某",
        "",
        "13905710032",
        "３０００００",
        "侦查",
        "",
        "",
        "",
        "",
    ],
]


def _xlsx(rows):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_it_imports_cases_with_their_payments_and_states(world):
    result = import_run(
        actor=world.users["analyst"], importer="cases", file_name="案件.xlsx", data=_xlsx(ROWS)
    )
    assert result.ok, result.errors
    first = Case.objects.get(source_ref="A3311990001")
    assert (
        first.status == Status.FILED
        and first.fraud_type == "fake_order_rebate"
        and first.loss_fen == 1_280_000
    )
    assert sorted(Payment.objects.filter(case=first).values_list("amount_fen", flat=True)) == [
        480_000,
        800_000,
    ]
    second = Case.objects.get(source_ref="A3311990002")
    assert second.status == Status.INVESTIGATING and second.loss_fen == 30_000_000
    assert second.organisation == world.orgs["城关派出所"]


def test_it_changes_nothing_when_the_list_comes_again(world):
    import_run(actor=world.users["analyst"], importer="cases", file_name="案件.xlsx", data=_xlsx(ROWS))
    again = import_run(
        actor=world.users["analyst"], importer="cases", file_name="案件2.xlsx", data=_xlsx(ROWS[::-1])
    )
    assert again.ok and again.batch.rows_new == 0
    assert Case.objects.count() == 2 and Payment.objects.count() == 2


def test_it_reports_bad_rows_and_imports_nothing(world):
    bad = [r[:] for r in ROWS]
    bad[0][1] = "昨天"
    bad[2][4] = "不存在的类型"
    bad[1][12] = ""
    result = import_run(actor=world.users["analyst"], importer="cases", file_name="bad.xlsx", data=_xlsx(bad))
    assert not result.ok and Case.objects.count() == 0
    messages = {(e["row"], e["message"]) for e in result.errors}
    assert (2, "时间无法识别") in messages and (4, UNKNOWN_TYPE) in messages
    assert (3, "有转账金额时请填写收款账号") in messages


def test_a_type_code_in_the_centres_table_is_read_as_its_type(world):
    rows = [r[:] for r in ROWS]
    rows[0][4] = rows[1][4] = "0103"  # one case, two payment rows
    failed = import_run(actor=world.users["analyst"], importer="cases", file_name="a.xlsx", data=_xlsx(rows))
    assert not failed.ok and {e["message"] for e in failed.errors} == {UNKNOWN_TYPE}
    fraud_type_alias_save(actor=world.users["leader"], text="0103", fraud_type="impersonate_authority")
    done = import_run(actor=world.users["analyst"], importer="cases", file_name="b.xlsx", data=_xlsx(rows))
    assert done.ok and Case.objects.get(source_ref=rows[0][0]).fraud_type == "impersonate_authority"
