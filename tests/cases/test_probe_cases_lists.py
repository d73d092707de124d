"""Probe: case lists (案件清单) as a centre hands them over."""

import csv
import io

import openpyxl

from fanzha.cases.models import Case, Payment
from fanzha.core.services import areas as area_services
from fanzha.imports.pipeline import import_run
from tests.personas import id_number

HEADER = [
    "案件编号",
    "报案时间",
    "发案时间",
    "受害人姓名",
    "身份证号",
    "联系电话",
    "诈骗类型",
    "损失金额",
    "发案地",
]


def _csv(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode("utf-8")


def _row(ref: str, name: str, serial: str, place: str) -> list[str]:
    number = id_number("331102", "19800101", serial)
    return [
        ref,
        "2026-11-20 14:00",
        "2026-11-20 10:00",
        name,
        number,
        "13905710031",
        "刷单",
        "12,800.00",
        place,
    ]


def test_the_row_errors_of_a_place_name_the_lists_column_not_the_people_imports(world):
    """A 发案地 two areas of the jurisdiction bear, and a blank one: the report named 所属区划, a column
    of the people import the list does not have."""
    area_services.area_create(
        actor=None, code="331199200202", name="城东社区", level="village", parent=world.area("龙泉乡")
    )
    data = _csv([HEADER, _row("A1", "钱某", "031", "城东社区"), _row("A2", "孙某", "042", "")])
    result = import_run(actor=world.users["analyst"], importer="cases", file_name="案件.csv", data=data)
    assert not result.ok and not Case.objects.exists()
    found = {(e["row"], e["column"], e["message"]) for e in result.errors}
    assert found == {
        (2, "发案地", "辖区内有多个同名区划，请改填区划代码"),
        (3, "区划代码", "请填写区划代码或发案地"),
    }


def test_a_total_line_counting_the_cases_in_qi_is_a_footer(world):
    """合计 | 3起 | … | 38,400.00 under a case list: its 3起 was not taken for a count, so the line was
    read as a case (报案时间 “3起” unreadable) and the whole list refused."""
    rows = [_row(f"A{i}", name, f"03{i}", "城东社区") for i, name in enumerate(("钱某", "孙某", "李某"), 1)]
    total = ["合计", "3起", "", "", "", "", "", "38,400.00", ""]
    data = _csv([["青溪县反诈中心案件清单"], ["导出时间：2026-12-01 09:00"], HEADER, *rows, total])
    result = import_run(actor=world.users["analyst"], importer="cases", file_name="案件.csv", data=data)
    assert result.ok and result.errors == []
    assert sorted(Case.objects.values_list("source_ref", flat=True)) == ["A1", "A2", "A3"]
    assert "是表尾的“合计”行，已跳过" in result.batch.message


def _xlsx(rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


PAYMENT = ["转账时间", "转账金额", "收款账号", "收款银行"]


def test_an_account_written_with_excels_text_mark_is_the_account(world):
    """'6228… in an XLSX cell (a system writing Excel's text mark into it) was stored with the mark: the
    same list without it then added the payment a second time, and a stop-payment went to '6228…."""
    analyst = world.users["analyst"]
    marked = [
        *_row("A1", "钱某", "031", "城东社区"),
        "2026-11-20 10:05",
        "12,800.00",
        "'6228480012345678901",
        "农业银行",
    ]
    first = import_run(
        actor=analyst, importer="cases", file_name="案件.xlsx", data=_xlsx([HEADER + PAYMENT, marked])
    )
    plain = [*marked[:-2], "6228480012345678901", "农业银行"]
    again = import_run(
        actor=analyst, importer="cases", file_name="案件.csv", data=_csv([HEADER + PAYMENT, plain])
    )
    assert first.ok and again.ok and again.batch.rows_unchanged == 1
    payments = Payment.objects.filter(case__source_ref="A1")
    assert [p.to_account for p in payments] == ["6228480012345678901"]


def test_a_phone_that_cannot_exist_is_named_on_its_row_and_column(world):
    """A victim's 联系电话 1390013 (a mobile cut short) refused the whole list at the commit, on no
    column; it is now the row's error under 手机号, the number masked."""
    row = _row("A1", "钱某", "031", "城关镇")
    row[5] = "1390013"
    data = _csv([HEADER, row])
    result = import_run(actor=world.users["analyst"], importer="cases", file_name="案件.csv", data=data)
    assert not result.ok and not Case.objects.exists()
    [error] = result.errors
    assert (error["row"], error["column"], error["message"]) == (2, "手机号", "手机号码应为11位，现为7位")
    assert "1390013" not in error["value"]
