"""Warning lists as senders write them (round 22): a CSV whose system wrapped every cell as ="…" to keep
Excel from reading numbers, a bank's 交易流水 headed 账户名 / 客户证件号码 / 交易对方账号, an
operator's 机主证件号码 and 首次通话时间, a tip line's 举报时间 and 举报内容, a landline written with
its extension after a dash, amounts written 累计 / 总计 / 共, and the type 网络投资理财."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from fanzha.imports.columns import match_header
from fanzha.imports.importers.warnings import FIELDS
from fanzha.imports.pipeline import import_run
from fanzha.imports.readers import read_table
from fanzha.tracing.text import CellError
from fanzha.warnings.intake import WarningInput, clean_warning, parse_amount, parse_time
from fanzha.warnings.models import Warning
from fanzha.warnings.typology import resolve
from tests.imports.files import csv_bytes
from tests.warnings.files import HEADER, row
from tests.warnings.test_cli import command

CHINA = dt.timezone(dt.timedelta(hours=8))
ADDRESS = "江州市青溪县城关镇城东社区幸福路{}号"


def _imported(data: bytes, file_name: str = "list.csv") -> Any:
    result = import_run(actor=None, importer="warnings", file_name=file_name, data=data)
    assert result.ok, (result.batch.message, result.batch.errors)
    return result.batch


# ── a CSV whose cells are wrapped ="…" ───────────────────────────────────────


def _wrapped(text: str) -> str:
    return f'="{text}"'


def test_it_reads_a_cell_wrapped_as_a_formula_as_excel_shows_it() -> None:
    data = csv_bytes(["预警编号", "姓名"], [[_wrapped("0012345"), "张三"], ['="a""b"', "=SUM(A1:A2)"]])
    table = read_table(data)
    assert [cells for _, cells in table.rows] == [
        {"预警编号": "0012345", "姓名": "张三"},
        {"预警编号": '="a""b"', "姓名": "=SUM(A1:A2)"},  # anything else is kept as written
    ]


def test_it_imports_a_list_whose_system_wrapped_every_cell_to_keep_it_text(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Only the ID number and phone were unwrapped: the time was flagged unreadable (the receipt time
    stood in), the amount too (graded as if no money moved), and the 预警编号 and suspect numbers were
    kept with the ="…" around them."""
    header = [*HEADER, "嫌疑账号"]
    cells = row(1, source_id="0012345", warned_at="2026-11-28 09:30", amount="12000", suspect="17012345678")
    account = "6217001234567890123"
    file = tmp_path / "push.csv"
    file.write_bytes(csv_bytes(header, [[_wrapped(str(cell)) if cell else "" for cell in cells + [account]]]))
    out, code = command("warnings", "import", str(file))
    assert code == 0 and out.splitlines()[-1] == "imported: 1 new, 0 merged, 0 unchanged, 0 rejected", out
    warning = Warning.objects.get()
    assert warning.source_id == "0012345" and warning.quality_flags == []
    assert warning.warned_at == dt.datetime(2026, 11, 28, 9, 30, tzinfo=CHINA)
    assert warning.amount == Decimal("12000.00")
    assert (warning.suspect_numbers, warning.suspect_accounts) == ("17012345678", account)
    out, code = command("warnings", "import", str(file))
    assert code == 0 and out.splitlines()[-1] == "imported: 0 new, 0 merged, 1 unchanged, 0 rejected", out


# ── the headers banks, operators and tip lines write ─────────────────────────


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("账户名", "name"),
        ("客户名称", "name"),
        ("机主名称", "name"),
        ("受害人证件号码", "id_number"),
        ("机主证件号码", "id_number"),
        ("机主身份证号", "id_number"),
        ("客户证件号码", "id_number"),
        ("开户证件号码", "id_number"),
        ("持卡人证件号码", "id_number"),
        ("客户手机号", "phone"),
        ("开户手机号", "phone"),
        ("绑定手机号", "phone"),
        ("受害人联系方式", "phone"),
        ("举报时间", "other_time"),
        ("接警时间", "other_time"),
        ("报警时间", "other_time"),
        ("首次通话时间", "other_time"),
        ("举报日期", "warned_date"),
        ("损失（元）", "amount"),
        ("交易对方账号", "suspect_accounts"),
        ("交易对方卡号", "suspect_accounts"),
        ("收款方账户", "suspect_accounts"),
        ("举报内容", "notes"),
        ("来电内容", "notes"),
    ],
)
def test_it_knows_the_headers_senders_write(header: str, field: str) -> None:
    assert match_header([header], FIELDS).columns == {header: field}


def test_it_imports_a_banks_statement_headed_as_banks_head_it(world) -> None:  # type: ignore[no-untyped-def]
    """账户名 went unread: the person was received without a name; 交易对方账号 too (where the money went)."""
    header = ["序号", "账户名", "卡号", "客户证件号码", "预留手机号", "交易日期", "交易时间", "交易金额"]
    header += ["交易对方账号", "对手户名", "摘要"]
    cells = ["1", "张三", "6222021234567890123", row(1)[2], "13905710002", "2026-11-28", "09:30:00"]
    cells += ["-50,000.00", "6217001234567890", "李某", "网银转账"]
    batch = _imported(csv_bytes(header, [cells], encoding="gbk"))
    warning = Warning.objects.select_related("person").get()
    assert (warning.person.name, warning.person.id_number) == ("张三", row(1)[2])
    assert warning.amount == Decimal("50000.00") and warning.suspect_accounts == "6217001234567890"
    assert warning.warned_at == dt.datetime(2026, 11, 28, 9, 30, tzinfo=CHINA)
    assert batch.unknown_columns == ["序号", "卡号", "对手户名", "摘要"]


def test_it_imports_a_tip_lines_list_with_the_time_of_the_call(world) -> None:  # type: ignore[no-untyped-def]
    """举报时间 went unread: every tip was received as made at the moment of the import."""
    header = ["序号", "举报时间", "当事人", "联系电话", "现住址", "诈骗类型", "预警来源", "举报内容"]
    cells = ["1", "2026年11月28日 上午9时", "欧阳·娜娜", "13905710002", ADDRESS.format(2), "刷单返利"]
    cells += ["群众举报", "称其母亲正在给陌生人转账"]
    _imported(csv_bytes(header, [cells], encoding="utf-16", delimiter="\t"), "tips.txt")
    warning = Warning.objects.select_related("person").get()
    assert warning.person.name == "欧阳·娜娜" and warning.source == "tip"
    assert warning.warned_at == dt.datetime(2026, 11, 28, 9, 0, tzinfo=CHINA)
    assert warning.notes == "称其母亲正在给陌生人转账"


