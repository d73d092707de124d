"""A statement uploaded on a case whose file ends in a 说明 sheet says in the case's history that the
sheet was left out (the reader skipped it silently, as it skips a cover sheet)."""

import io

import openpyxl

from fanzha.cases.models import CaseEvent, EventKind
from tests.cases.helpers import PAYEE, make_case, upload

HEADER = ["交易时间", "借方发生额", "贷方发生额", "余额", "对方账号", "对方户名", "摘要", "交易流水号"]


def statement_with_notes_sheet(sheet_name: str = "填表说明") -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "明细"
    sheet.append([f"账号：{PAYEE}"])
    sheet.append(HEADER)
    sheet.append(["2026-11-20 10:00:02", None, 3000, 3000, "6217000000000000001", "王某", "转账", "F1"])
    notes = book.create_sheet(sheet_name)
    notes.append(["1. 借方表示支出，贷方表示收入"])
    notes.append(["2. 金额单位：元"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_the_case_history_names_the_sheet_left_out(world):
    case = make_case(world)
    statement, _ = upload(case, world.users["police_cg"], statement_with_notes_sheet(), name="payee.xlsx")
    assert statement.rows_added == 1 and statement.errors == []
    event = CaseEvent.objects.filter(case=case, kind=EventKind.STATEMENT).latest("id")
    assert event.message.startswith("导入流水 1 笔（重复 0 笔）")
    assert "工作表“填表说明”" in event.message and "已跳过" in event.message
