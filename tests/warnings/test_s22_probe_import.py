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


