"""Operator extracts laid out as people and spreadsheets write them: digit groups of a number apart by
spaces, durations in minutes and seconds with apostrophes, a totals line (合计) at the bottom."""

from __future__ import annotations

from pathlib import Path

import pytest

from fanzha.screening.numbers import features as F
from fanzha.screening.numbers import inputs
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


# ── durations in minutes and seconds ────────────────────────────────────────


@pytest.mark.parametrize(
    ("written", "seconds"),
    [
        ("1'23\"", 83),
        ("1′23″", 83),
        ("1’23”", 83),
        ("1'23''", 83),
        ("１′２３″", 83),
        ("1' 23\"", 83),
        ("12'05", 725),
        ("1'", 60),
        ('83"', 83),
        ("1'23.5\"", 83.5),
        ("1分23秒", 83),
        ("1分23", 83),
        ("83秒", 83),
        ("00:01:23", 83),
    ],
)
def test_minutes_and_seconds_with_marks_are_read(written: str, seconds: float) -> None:
    assert sql_value(inputs.duration_sql("x"), written) == seconds


@pytest.mark.parametrize("written", ["2'75\"", "1\"23'", "1'2'3", "'"])
def test_marked_durations_that_say_no_time_are_not_guessed(written: str) -> None:
    assert sql_value(inputs.duration_sql("x"), written) is None


def test_marked_durations_in_a_file_count_and_the_unreadable_one_is_named(tmp_path: Path) -> None:
    durations = ["1'23\"", "1′23″", "12'05", "1分23秒", "83秒", "00:01:23", "2'75\""]
    rows = [["13800138000", f"139001390{i:02d}", "主叫", AT, d] for i, d in enumerate(durations)]
    report, features = build_features(calls=[write_csv(tmp_path / "voc.csv", HEADER, rows)])
    assert report["calls"]["bad_duration"] == 1  # the first three were bad durations too
    number = features["13800138000"]
    assert (number["call_dur_min"], number["call_dur_max"]) == (83, 725)
    note = next(n for n in report["notes"] if "通话时长无法识别" in n)
    assert "行号 8（2'75\"）" in note


def test_marked_durations_written_unquoted_are_read(tmp_path: Path) -> None:
    path = tmp_path / "voc.csv"
    path.write_text(
        ",".join(HEADER) + "\n"
        f"13800138000,13900139000,主叫,{AT},1'23\"\n"
        f"13800138000,13900139001,主叫,{AT},12'05\n",
        encoding="utf-8",
    )
    report, features = build_features(calls=[path])
    assert report["calls"]["bad_duration"] == report["calls"]["bad_lines"] == 0
    assert features["13800138000"]["call_dur_max"] == 725
