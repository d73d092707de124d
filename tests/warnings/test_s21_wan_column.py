"""An amount column in 万元 (涉案金额（万元）): the cell's figure is in 万 wherever the words around it
stand, and a cell that names its own unit is read as written."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from fanzha.imports.importers.warnings import warning_input
from fanzha.warnings.intake import clean_warning

NOW = timezone.make_aware(dt.datetime(2026, 11, 28, 10, 0))


def _amount(cell: str) -> Decimal | None:
    data = warning_input({"name": "王秀英", "phone": "13905710001", "amount_wan": cell})
    return clean_warning(data, now=NOW).amount


@pytest.mark.parametrize(
    ("cell", "yuan"),
    [
        ("1.5", "15000.00"),
        ("约3", "30000.00"),
        ("3余", "30000.00"),
        ("3左右", "30000.00"),
        ("两", "20000.00"),
        ("五", "50000.00"),
        ("伍", "50000.00"),
        ("三十", "300000.00"),
        ("１．５", "15000.00"),
        ("3000元", "3000.00"),
        ("2.5万", "25000.00"),
        ("一百五十", "1500000.00"),
        ("壹佰伍拾", "1500000.00"),
        ("两千", "20000000.00"),
        ("3（5月2日止付）", "30000.00"),
        ("3(2笔)", "30000.00"),
        ("5（转入百度钱包）", "50000.00"),
    ],
)
def test_a_cell_in_wan_is_read_in_wan(cell: str, yuan: str) -> None:
    assert _amount(cell) == Decimal(yuan)
