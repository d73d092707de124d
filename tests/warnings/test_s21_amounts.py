"""The amount of a pushed warning list as banks, upper-level centres and operators write it (session 21):
元正 as the written variant of 元整, lowercase Chinese numerals read by the capital-numeral rules (两万元,
三千五百元; 一万二 refused as 贰万伍 is), separators only where thousands are grouped, units going down
(1千2万 refused), and an approximate sum (约2万元, 2万余元) read with a notice saying it is one."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from fanzha.imports.pipeline import import_run
from fanzha.warnings import intake
from fanzha.warnings.intake import WarningInput, clean_warning, parse_amount
from fanzha.warnings.models import Warning
from tests.warnings.files import row, warning_csv

NOW = timezone.make_aware(dt.datetime(2026, 11, 28, 12, 0))
PERSON = {"name": "王秀英", "phone": "13905710001"}


def _cleaned(written: str):  # type: ignore[no-untyped-def]
    return clean_warning(WarningInput(**PERSON, amount=written), now=NOW)


def _amount_notices(written: str) -> list[str]:
    return [message for column, message in _cleaned(written).notices if column == "涉案金额"]


# ── read ─────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("written", "amount"),
    [
        # 元正: the common written variant of 元整
        ("贰万元正", "20000"),
        ("人民币壹拾万元正", "100000"),
        ("叁仟圆正", "3000"),
        ("20000元正", "20000"),
        # lowercase Chinese numerals, read by the same rules as capitals
        ("两万元", "20000"),
        ("三千五百元", "3500"),
        ("一万二千", "12000"),
        ("五千", "5000"),
        ("十万", "100000"),
        ("十五万元", "150000"),
        ("一百二十元", "120"),
        ("一万零五百元", "10500"),
        ("两千零五元", "2005"),
        ("一万〇五百元", "10500"),
        ("三百元五角", "300.50"),
        ("人民币两万元整", "20000"),
        ("一亿二千万元", "120000000"),
        ("贰万五千元", "25000"),  # capitals and lowercase mixed: one sum
        # Arabic digits with units
        ("2万", "20000"),
        ("1.5万元", "15000"),
        ("3千元", "3000"),
        ("5k", "5000"),
        ("5K", "5000"),
        ("2万5千", "25000"),
        ("1亿2000万", "120000000"),
        ("5百元", "500"),
        ("2万块", "20000"),
        ("3000块钱", "3000"),
        # currency marks, full-width digits, thousands separators, 元 / 圆
        ("人民币20000元", "20000"),
        ("RMB20,000.00", "20000"),
        ("￥20000", "20000"),
        ("¥20,000", "20000"),
        ("２００００", "20000"),
        ("２０，０００．００元", "20000"),
        ("20,000.00", "20000"),
        ("20，000", "20000"),
        ("1,200,000", "1200000"),
        ("20 000", "20000"),
        ("20000圆", "20000"),
        ("20000元", "20000"),
    ],
)
def test_it_reads_the_amount_as_lists_write_it(written: str, amount: str) -> None:
    assert parse_amount(written) == Decimal(amount)
    clean = _cleaned(written)
    assert clean.amount == Decimal(amount) and "amount_invalid" not in clean.flags
    assert _amount_notices(written) == []  # an exact sum: nothing to check


# ── refused: no one sum ──────────────────────────────────────────────────────


@pytest.mark.parametrize(
    "written",
    [
        "一万二",  # 10,002 or 12,000? (贰万伍 is refused for the same reason)
        "两万五",
        "三百五",
        "一二三",  # digits without units
        "二〇〇〇〇",  # 〇 after a digit with no unit (伍零 is refused)
        "一十一百",  # units out of order
        "2万五千",  # Arabic and Chinese digits in one sum
        "五k",
        "2万5",  # 20,005 or 25,000?
        "1千2万",  # units not going down: no one sum
        "5千3千",
        "2万12千",
        "1.5万2千",  # a fraction before another unit
        "20,00",  # a comma where no thousands are grouped
        "2,0000",
        "3000 5000",  # two numbers in one cell
        "百元",
    ],
)
def test_it_refuses_a_text_that_is_no_one_sum(written: str) -> None:
    with pytest.raises(ValueError):
        parse_amount(written)
    clean = _cleaned(written)
    assert clean.amount is None and clean.flags == ["amount_invalid"]


@pytest.mark.parametrize(
    ("written", "reason"),
    [
        ("一万二", intake.UNIT_MISSING),
        ("贰万伍", intake.UNIT_MISSING),
        ("2万5", intake.UNIT_MISSING),
        ("1千2万", intake.UNITS_OUT_OF_ORDER),
        ("1.5万2千", intake.UNITS_OUT_OF_ORDER),
        ("20,00", intake.NOT_GROUPED),
        ("3000 5000", intake.NOT_GROUPED),
        ("2万五千", intake.MIXED_NUMERALS),
        ("3000元 5000元", intake.TWO_SUMS),
        ("3000元，5000元", intake.TWO_SUMS),
        ("3000元\n5000元", intake.TWO_SUMS),
        ("RMB3000 RMB5000", intake.TWO_SUMS),
        ("￥3000 ￥5000", intake.TWO_SUMS),
        ("2元3元", intake.TWO_SUMS),
    ],
)
def test_the_notice_says_why_a_text_is_no_one_sum(written: str, reason: str) -> None:
    """The sender is told what to correct, without the cell being quoted."""
    assert _amount_notices(written) == [f"涉案金额无法识别：{reason}"]


def test_other_unreadable_amounts_keep_the_plain_notice() -> None:
    assert _amount_notices("很多") == _amount_notices("$1,000") == ["涉案金额无法识别"]


# ── approximate sums ─────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("written", "amount", "word"),
    [
        ("约2万元", "20000", "约"),
        ("大约2万", "20000", "大约"),
        ("2万元左右", "20000", "左右"),
        ("2万余元", "20000", "余"),
        ("2万多元", "20000", "多"),
        ("两万多元", "20000", "多"),
        ("一百多元", "100", "多"),
        ("约两万元", "20000", "约"),
        ("贰万余元", "20000", "余"),
        ("3000余元", "3000", "余"),
        ("8万余元（已止付）", "80000", "余"),
        ("共计约2万元", "20000", "约"),
        ("2万元（约）", "20000", "约"),
        ("2万元(约数)", "20000", "约"),
        ("5万元（估算）", "50000", "估算"),
    ],
)
def test_an_approximate_sum_is_read_with_a_notice_saying_so(written: str, amount: str, word: str) -> None:
    assert parse_amount(written) == Decimal(amount)
    clean = _cleaned(written)
    assert clean.amount == Decimal(amount) and "amount_invalid" not in clean.flags
    notices = _amount_notices(written)
    assert notices == [
        f"涉案金额为约数（“{word}”），按 {Decimal(amount):.2f} 元接收，请向推送单位核实实际金额"
    ]


def test_a_total_is_no_approximation() -> None:
    assert _amount_notices("共计2万元") == [] and _amount_notices("合计20,000.00") == []


def test_an_imported_row_with_an_approximate_amount_carries_the_notice(world) -> None:  # type: ignore[no-untyped-def]
    data = warning_csv([row(1, amount="2万余元"), row(2, amount="两万元"), row(3, amount="一万二")])
    result = import_run(actor=None, importer="warnings", file_name="list.csv", data=data)
    assert result.ok and result.batch.rows_new == 3
    amounts = dict(Warning.objects.values_list("source_id", "amount"))
    assert amounts == {"YJ000001": Decimal("20000.00"), "YJ000002": Decimal("20000.00"), "YJ000003": None}
    by_row = {n["row"]: n["message"] for n in result.batch.notices}
    assert set(by_row) == {2, 4} and "约数" in by_row[2] and "无法识别" in by_row[4]


@pytest.mark.parametrize(("written", "amount"), [("三百元五角", "300.50"), ("壹佰元伍角叁分", "100.53")])
def test_yuan_before_jiao_or_fen_is_one_sum(written: str, amount: str) -> None:
    assert parse_amount(written) == Decimal(amount)


@pytest.mark.parametrize("written", ["13905710001", "139 0571 0001", "139-0571-0001", "13905710001.0"])
def test_a_mobile_number_in_the_amount_column_is_flagged_not_read_as_billions(written: str) -> None:
    """A shifted column puts the phone under 涉案金额: it read as 139 亿元 and graded the row for it."""
    clean = _cleaned(written)
    assert clean.amount is None
    assert "amount_invalid" in clean.flags
    notice = " ".join(_amount_notices(written))
    assert "像是手机号码" in notice and "13905710001" not in notice


@pytest.mark.parametrize(
    ("written", "yuan"), [("139057100", "139057100.00"), ("1390571000.5", "1390571000.50")]
)
def test_large_amounts_that_are_no_mobile_number_are_still_read(written: str, yuan: str) -> None:
    assert _cleaned(written).amount == Decimal(yuan)
