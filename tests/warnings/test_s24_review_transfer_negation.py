"""Notes that deny a transfer ("不准备转账", "并未准备汇款", "没在转账中") do not mark it in progress:
the words of a transfer under way read after a negation said the opposite, and such a row was graded
紧急 by the 正在转账 rule."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from fanzha.warnings.intake import WarningInput, clean_warning

NOW = timezone.make_aware(dt.datetime(2026, 11, 28, 12, 0))


def _transfer(notes: str) -> bool:
    data = WarningInput(phone="13905710001", notes=notes)
    return bool(clean_warning(data, now=NOW).facts["transfer"])


@pytest.mark.parametrize(
    "notes",
    [
        "当事人称不准备转账",
        "没有准备转账",
        "称其并未准备汇款",
        "暂不打算付款",
        "已劝阻，不再准备转账",
        "未在转账中",
        "没在转账中",
        "已停止转账中",
    ],
)
def test_a_denied_transfer_is_not_one_in_progress(notes: str) -> None:
    assert not _transfer(notes)


@pytest.mark.parametrize(
    "notes",
    [
        "不准备报警，正在转账",  # the negation is another clause's
        "不准备汇款，但正在向对方转账",  # a later mention is not denied
        "还没挂电话正在转账",  # a negation further back is not the transfer's
    ],
)
def test_a_transfer_under_way_beside_a_negation_still_counts(notes: str) -> None:
    assert _transfer(notes)
