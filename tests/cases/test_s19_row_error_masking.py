"""Row errors quote the cell they could not read; a misaligned column puts an account, an ID number or a
phone there. The quoted value is masked (the column and the kind of problem stay), in a statement's
stored errors and in the case list's import batch."""

import importlib
import io
import json

import openpyxl

from fanzha.cases.common import masked_cell, masked_row_error
from fanzha.imports.pipeline import import_run
from tests.cases.helpers import PAYEE, make_case, upload
from tests.cases.test_importer import HEADER, ROWS

CARD = "6222021001122334455"  # Luhn-valid
ACCOUNT = "6228480012345678901"  # an account number that is not Luhn-valid
ID_NUMBER = "330102199001011234"
PHONE = "13812345678"
SECRETS = (CARD, ACCOUNT, ID_NUMBER, PHONE, "6228-4800-1234-5678-901", "0012345678")


def leaks(text: str) -> list[str]:
    return [s for s in SECRETS if s in text]


def test_a_quoted_cell_keeps_no_run_of_six_digits():
    for value in (*SECRETS, f"张三 {ACCOUNT}", "6228 4800 1234 5678 901", "NO.0012345678"):
        masked = masked_cell(value)
        assert not leaks(masked), masked
        assert not any(len(run) >= 6 for run in "".join(c if c.isdigit() else " " for c in masked).split())
    assert masked_cell("坏数") == "坏数" and masked_cell("2024-13-45 10:00") == "2024-13-45 10:00"
    assert masked_cell(CARD) == "6222 **** **** 4455"


def test_the_problem_and_the_column_stay_readable():
    assert masked_row_error(f"金额无法识别：{ACCOUNT}") == "金额无法识别：6228 **** **** 8901"
    assert masked_row_error(f"时间无法识别：{PHONE}") == "时间无法识别：138****5678"
    assert masked_row_error("缺少交易时间") == "缺少交易时间"


HEAD = "交易时间,收付标志,交易金额,余额,对方账号,对方户名,摘要,交易流水号\n"


def test_a_statements_row_errors_are_stored_masked(world, client):
    case = make_case(world)
    rows = [
        f"2026-11-20 10:00:00,收,50000.00,50000.00,{CARD},王某,转账,A1\n",
        f"2026-11-20 10:10:00,支,张三 {ACCOUNT},,,,转账,A2\n",
        f"{ID_NUMBER},支,100.00,,,,转账,A3\n",
        f"2026-11-20 10:30:00,{PHONE},100.00,,,,转账,A4\n",
        "2026-11-20 10:40:00,支,6228-4800-1234-5678-901,,,,转账,A5\n",
    ]
    data = (f"账号：{PAYEE}\n" + HEAD + "".join(rows)).encode()
    statement, _ = upload(case, world.users["police_cg"], data)
    messages = [e["message"] for e in statement.errors]
    assert [m.split("：")[0] for m in messages] == [
        "金额无法识别",
        "时间无法识别",
        "收付标志无法识别",
        "金额无法识别",
    ]
    assert not leaks(json.dumps(statement.errors, ensure_ascii=False)), messages
    assert "6228 **** **** 8901" in messages[0] and "3301**********1234" in messages[1]
    client.force_login(world.users["police_cg"])
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "金额无法识别" in page and not leaks(page.replace(PAYEE, ""))


def test_the_case_lists_row_errors_quote_masked_cells(world):
    row = list(ROWS[0])
    row[1] = PHONE  # 报案时间
    row[9] = ID_NUMBER  # 案件状态
    row[11] = f"{ACCOUNT} 张三"  # 转账金额
    book = openpyxl.Workbook()
    book.active.append(HEADER)
    book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    result = import_run(
        actor=world.users["analyst"], importer="cases", file_name="案件.xlsx", data=buffer.getvalue()
    )
    assert not result.ok
    columns = {e["column"] for e in result.errors}
    assert {"报案时间", "案件状态", "转账金额"} <= columns
    stored = json.dumps(result.batch.errors, ensure_ascii=False)
    assert not leaks(stored), stored
    assert "138****5678" in stored and "6228 **** **** 8901" in stored


def test_the_migration_masks_row_errors_stored_before(world):
    from django.apps import apps

    from fanzha.cases.models import Statement

    migration = importlib.import_module("fanzha.cases.migrations.0004_mask_statement_row_errors")
    case = make_case(world)
    statement, _ = upload(
        case,
        world.users["police_cg"],
        (f"账号：{PAYEE}\n" + HEAD + "2026-11-20 10:00:00,收,1.00,,,,转账,A1\n").encode(),
    )
    old = [{"row": 3, "message": f"金额无法识别：张三 {ACCOUNT}"}, {"row": 4, "message": "缺少交易时间"}]
    Statement.objects.filter(pk=statement.pk).update(errors=old)
    migration.mask_stored_errors(apps, None)
    assert Statement.objects.get(pk=statement.pk).errors == [
        {"row": 3, "message": "金额无法识别：张三 6228 **** **** 8901"},
        {"row": 4, "message": "缺少交易时间"},
    ]
