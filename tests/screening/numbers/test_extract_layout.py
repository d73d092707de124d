"""Operator extracts laid out as people and spreadsheets write them: digit groups of a number apart by
spaces, durations in minutes and seconds with apostrophes, a totals line (合计) at the bottom."""

from __future__ import annotations

from pathlib import Path

import pytest

from fanzha.screening.numbers import features as F
from tests.screening.numbers.conftest import build_features, sql_value, write_csv

HEADER = ["本机号码", "对端号码", "呼叫类型", "开始时间", "通话时长"]
AT = "2026-11-28 09:00:00"


# ── numbers written in digit groups ─────────────────────────────────────────


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("138 0013 8000", "13800138000"),
        ("138  0013  8000", "13800138000"),
        ("138 00138000", "13800138000"),
        ("+86 138-0013-8000", "13800138000"),
        ("0086 138 0013 8000", "13800138000"),
        ("0571 8888 8888", "057188888888"),
        ("(0571) 8888 8888", "057188888888"),
        ("010 8888 8888", "01088888888"),
        ("0571 888 8888", "05718888888"),
        ("+86 571 8888 8888", "057188888888"),
        ("400 810 8888", "4008108888"),
        ("12593 13800138000", "13800138000"),
        ("+855 12 345 678", "0085512345678"),
        ("１３８ ００１３ ８０００", "13800138000"),
    ],
)
def test_the_usual_groupings_of_one_number_are_joined(written: str, read: str) -> None:
    assert sql_value(F._number_sql("x"), written) == read


@pytest.mark.parametrize(
    "written",
    ["138    8000", "138 8000", "1380013 8000", "13800138000 13900139000", "+86 138    8000", "0571    8000"],
)
def test_digit_groups_that_make_no_whole_number_are_not_joined(written: str) -> None:
    # 138    8000 (two fields merged by a shifted column) was read as the number 1388000
    assert sql_value(F._number_sql("x"), written) is None


def test_a_number_merged_from_two_fields_is_reported_on_its_line_never_counted(tmp_path: Path) -> None:
    rows = [
        ["13800138000", "138    8000", "主叫", AT, "60"],
        ["138 0013 8000", "0571 8888 8888", "主叫", AT, "30"],
        ["+86 138-0013-8000", "13800138000 13900139000", "被叫", AT, "20"],
    ]
    report, features = build_features(calls=[write_csv(tmp_path / "voc.csv", HEADER, rows)])
    calls = report["calls"]
    assert calls["unusable_number"] == 2 and calls["missing_opposite"] == 2
    assert set(features) == {"13800138000"}  # the three records are its own, written three ways
    assert features["13800138000"]["opposite_unique"] == 1  # the landline; no 1388000 among them
    note = next(n for n in report["notes"] if "号码无法使用" in n)
    assert "行号 2，行号 4" in note and "8000" not in note  # the line, never the number
