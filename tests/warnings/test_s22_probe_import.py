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


# ── cells ────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize("written", ["0571-88888888-8001", "0571-8888 8888-801", "(0571)88888888-8001"])
def test_it_reads_a_landline_whose_extension_follows_a_dash(written: str) -> None:
    """Flagged as a number that cannot exist (0571888888888001): the switchboard was reachable."""
    clean = clean_warning(WarningInput(name="张三", phone=written, address=ADDRESS.format(1)))
    assert (clean.phone, clean.flags) == ("057188888888", [])
    assert clean.notices == [("手机号", f"已略去分机号（{written.rsplit('-', 1)[1]}），请拨总机后转接")]


@pytest.mark.parametrize("written", ["139-0571-0001", "0571-8888-8888", "13905710001-1"])
def test_it_cuts_no_extension_from_a_number_written_with_dashes(written: str) -> None:
    clean = clean_warning(WarningInput(name="张三", phone=written, address=ADDRESS.format(1)))
    assert not any("分机" in message for _, message in clean.notices)


@pytest.mark.parametrize(
    "written",
    ["累计5000元", "总计5,000.00元", "共5000元", "共计5000元", "损失5000元", "被骗5000元", "已转账5000元"]
    + ["损失金额：5000元", "涉案5000", "共计损失5000元", "累计被骗金额：5000"],
)
def test_it_reads_an_amount_written_as_a_total(written: str) -> None:
    """共计 and 合计 were read; 累计, 总计 and 共 were flagged unreadable, and so were 损失 / 被骗 / 已转账 in
    front of the sum."""
    assert parse_amount(written) == Decimal("5000.00")


@pytest.mark.parametrize("written", ["网络投资理财", "网络投资理财类诈骗", "网络投资理财诈骗"])
def test_it_knows_the_investment_type_written_without_xujia(written: str) -> None:
    assert resolve(written) == "fake_investment"


@pytest.mark.parametrize(
    "written",
    [
        "Sat Nov 28 09:30:00 CST 2026",  # a Java system's Date written as it prints it
        "Sat Nov 28 09:30:00 GMT+08:00 2026",
        "Sat, 28 Nov 2026 09:30:00 +0800",  # a mail's or a web service's date
        "Saturday, November 28, 2026 09:30",
    ],
)
def test_it_reads_a_time_written_with_an_english_weekday_in_front(written: str) -> None:
    """Flagged unreadable: the receipt time stood in."""
    now = dt.datetime(2026, 11, 29, 12, 0, tzinfo=CHINA)
    assert parse_time(written, now) == dt.datetime(2026, 11, 28, 9, 30, tzinfo=CHINA)


def test_it_still_refuses_a_java_time_of_another_zone() -> None:
    """CST is China's on a Chinese system; a GMT or another zone is not read as China time."""
    now = dt.datetime(2026, 11, 29, 12, 0, tzinfo=CHINA)
    with pytest.raises(CellError):
        parse_time("Sat Nov 28 09:30:00 EST 2026", now)


# ── a name's middle dot ──────────────────────────────────────────────────────


@pytest.mark.parametrize(
    "written", ["买买提.艾力", "买买提•艾力", "买买提・艾力", "买买提 · 艾力", "买买提．艾力"]
)
def test_it_writes_the_middle_dot_of_a_name_one_way(written: str) -> None:
    clean = clean_warning(WarningInput(name=written, phone="13905710009"))
    assert clean.name == "买买提·艾力"


def test_it_knows_a_person_whose_name_two_lists_dot_differently(world) -> None:  # type: ignore[no-untyped-def]
    """An operator's list (phone and name, 买买提.艾力 typed in English mode) and a tip line's
    (买买提·艾力) became two people, each with a warning: two names that differ under one phone."""
    operator = csv_bytes(
        ["被叫号码", "机主姓名", "通话时间"], [["13905710009", "买买提.艾力", "2026-11-28 09:30"]]
    )
    tips = csv_bytes(["当事人", "联系电话", "举报时间"], [["买买提·艾力", "13905710009", "2026-11-28 10:00"]])
    _imported(operator, "operator.csv")
    batch = _imported(tips, "tips.csv")
    assert (batch.rows_new, batch.rows_updated) == (0, 1)
    warning = Warning.objects.select_related("person").get()
    assert warning.person.name == "买买提·艾力" and warning.merged_count == 1


# ── call counts ──────────────────────────────────────────────────────────────


def test_it_reads_call_counts_a_data_tool_wrote_as_decimals(world) -> None:  # type: ignore[no-untyped-def]
    """An operator's list written by a data tool (pandas writes a count column with gaps as 5.0, 2.0):
    read as 0 calls, and the warning graded as if the fraud number had never called."""
    header = ["用户号码", "主叫号码", "通话时间", "被叫次数", "回拨次数"]
    rows = [
        ["13905710007", "17012345678", "2026-11-28 09:30", "5.0", "2.0"],
        ["13905710008", "17012345679", "2026-11-28 09:40", "3 次", ""],
    ]
    _imported(csv_bytes(header, rows))
    facts = [w.facts for w in Warning.objects.order_by("pk")]
    assert [(f["calls"], f["callbacks"]) for f in facts] == [(5, 2), (3, 0)]
