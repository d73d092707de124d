"""Capital numerals (大写金额) that do not read as one sum are flagged, never read as another sum:
units out of order (壹拾壹佰, 伍佰伍仟, 壹佰壹佰) and a 零 after a digit with no unit (伍零, 贰拾伍零)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from fanzha.warnings.intake import parse_amount


@pytest.mark.parametrize(
    "text", ["壹拾壹佰", "伍佰伍仟", "壹佰壹佰", "伍仟伍仟元", "伍零", "贰拾伍零元", "壹万伍零"]
)
def test_a_capital_sum_that_reads_as_no_one_amount_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_amount(text)


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("壹拾万", "100000"),
        ("拾伍万", "150000"),
        ("贰仟零伍元", "2005"),
        ("壹万元零伍角", "10000.50"),
        ("贰仟元零伍分", "2000.05"),
        ("伍拾零", "50"),
        ("伍万零", "50000"),
        ("零伍角", "0.50"),
        ("壹仟零伍拾万", "10500000"),
        ("伍亿伍仟万", "550000000"),
        ("壹佰贰拾叁元肆角伍分", "123.45"),
    ],
)
def test_well_formed_capital_sums_still_read(text: str, amount: str) -> None:
    assert parse_amount(text) == Decimal(amount)
