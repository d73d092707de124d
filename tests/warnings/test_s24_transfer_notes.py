"""A pushed list that says in its notes that the money is leaving now ("受害人正在向对方转账") is graded
by the 正在转账 rule (紧急), as a 正在转账 column saying 是 is. Before, only the column counted, so
such a row from a list without that column was graded by its amount or type alone."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from fanzha.warnings.intake import WarningInput, clean_warning
from fanzha.warnings.models import Grade
from tests.warnings.helpers import make_warning

NOW = timezone.make_aware(dt.datetime(2026, 11, 28, 12, 0))


def _transfer(notes: str, said: str | bool = "") -> bool:
    data = WarningInput(phone="13905710001", notes=notes, transfer_in_progress=said)
    return bool(clean_warning(data, now=NOW).facts["transfer"])


@pytest.mark.parametrize(
    "notes",
    [
        "受害人正在向对方转账",
        "正在向“客服”提供的账户汇款，已转出两笔",
        "准备转账5万元",
        "当事人即将付款",
        "银行反馈：转账中。",
        "正在网银操作打款",
    ],
)
def test_notes_saying_the_money_is_leaving_now_mark_a_transfer(notes: str) -> None:
    assert _transfer(notes)


@pytest.mark.parametrize(
    "notes",
    [
        "",
        "已转账3万元",
        "劝阻其停止转账",
        "在转账中被骗5万元",
        "对方要求转账，当事人未理会",
        "正在劝阻",
    ],
)
def test_other_notes_do_not(notes: str) -> None:
    assert not _transfer(notes)


def test_a_column_saying_no_outweighs_the_notes() -> None:
    assert not _transfer("正在转账", said="否")
    assert _transfer("", said="是")
    assert _transfer("正在向对方转账", said=False)  # the API's default: nothing said


@pytest.mark.django_db
def test_the_warning_is_graded_urgent_with_the_reason(world) -> None:  # type: ignore[no-untyped-def]
    warning = make_warning(name="孙某", phone="13905710002", notes="受害人正在向对方转账，请速劝阻")
    assert warning.grade == Grade.URGENT
    assert "正在转账" in warning.grade_reasons


def test_words_of_a_stop_between_do_not() -> None:
    assert not _transfer("正在劝阻其停止转账")
    assert not _transfer("正在核实，未转账")
