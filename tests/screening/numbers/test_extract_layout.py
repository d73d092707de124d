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


# ── totals lines (合计) ─────────────────────────────────────────────────────

CALLS = [
    ["13800138000", "13900139000", "主叫", AT, "60"],
    ["13800138000", "13900139001", "被叫", AT, "30"],
]
BAD_COUNTERS = (
    "bad_time",
    "missing_time",
    "bad_duration",
    "long_duration",
    "bad_call_type",
    "unusable_number",
    "missing_number",
    "missing_opposite",
    "bad_lines",
)


def _no_bad_records(counts: dict[str, int]) -> None:
    for counter in BAD_COUNTERS:
        assert counts.get(counter, 0) == 0, counter


def test_a_totals_line_at_the_bottom_is_a_footer_not_a_bad_record(tmp_path: Path) -> None:
    rows = [*CALLS, ["合计", "", "", "", "90"]]
    report, features = build_features(calls=[write_csv(tmp_path / "voc.csv", HEADER, rows)])
    calls = report["calls"]
    _no_bad_records(calls)  # was: missing time, call type, number and counterpart, unusable number
    assert (calls["records"], calls["footer_lines"]) == (2, 1)
    assert features["13800138000"]["opposite_count"] == 2
    assert "合计、小计等汇总行 1 条（不是记录，未计入）：行号 4" in " ".join(report["notes"])
    kept, _, skipped = report["message"].partition("已跳过的记录")
    assert "footer_lines" not in kept and "footer_lines=1" in skipped


@pytest.mark.parametrize(
    ("header", "footer"),
    [
        (["序号", *HEADER], ["合计", "", "", "", "", "90"]),  # the label in a column the engine does not read
        (HEADER, ["合 计", "", "", "", "90"]),
        (HEADER, ["", "", "", "总计：", "90"]),  # the label beside the sums
        (HEADER, ["本页小计", "2 个号码", "", "", "1分30秒"]),
        (HEADER, ["Total", "", "", "", "90"]),
    ],
)
def test_totals_lines_as_operators_write_them(tmp_path: Path, header: list[str], footer: list[str]) -> None:
    numbered = header[0] == "序号"
    rows = [[str(n), *row] if numbered else row for n, row in enumerate(CALLS, start=1)]
    report, _ = build_features(calls=[write_csv(tmp_path / "voc.csv", header, [*rows, footer])])
    _no_bad_records(report["calls"])
    assert (report["calls"]["records"], report["calls"]["footer_lines"]) == (2, 1)


def test_a_subtotal_between_pages_is_named_by_its_line(tmp_path: Path) -> None:
    rows = [CALLS[0], ["小计", "", "", "", "60"], CALLS[1], ["合计", "", "", "", "90"]]
    report, _ = build_features(calls=[write_csv(tmp_path / "voc.csv", HEADER, rows)])
    assert (report["calls"]["records"], report["calls"]["footer_lines"]) == (2, 2)
    assert "汇总行 2 条（不是记录，未计入）：行号 3，行号 5" in " ".join(report["notes"])


def test_a_line_with_a_number_is_never_taken_for_a_totals_line(tmp_path: Path) -> None:
    rows = [
        *CALLS,
        ["13800138000", "", "", "合计", "90"],  # a subscriber's subtotal: its number is there, so it stays
        ["合计", "13900139002", "主叫", AT, "90"],  # a counterpart: a record whose number was lost
    ]
    report, _ = build_features(calls=[write_csv(tmp_path / "voc.csv", HEADER, rows)])
    calls = report["calls"]
    assert (calls["records"], calls["footer_lines"]) == (4, 0)
    assert calls["missing_opposite"] == 1 and calls["unusable_number"] == 1


def test_a_totals_line_of_sms_sender_receiver_and_spending_files(tmp_path: Path) -> None:
    sms = write_csv(
        tmp_path / "sms.csv",
        ["发送号码", "接收号码", "发送时间"],
        [["13800138000", "13900139000", AT], ["合计", "", "1 条"]],
    )
    spending = write_csv(
        tmp_path / "user.csv",
        ["phone", "month", "arpu"],
        [["13800138000", "2026-11", "58"], ["总计", "", "58"]],
    )
    calls = write_csv(tmp_path / "voc.csv", HEADER, CALLS)
    report, _ = build_features(calls=[calls], sms=[sms], spending=[spending])
    for kind in ("sms", "spending"):
        _no_bad_records(report[kind])
        assert report[kind]["footer_lines"] == 1, (
            kind
        )  # one line, though a sender/receiver record is two rows
    assert (report["sms"]["records"], report["spending"]["records"]) == (1, 1)  # lines, not rows


def test_a_totals_line_cut_short_is_a_footer_not_a_malformed_line(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "voc.csv", HEADER, CALLS)
    with path.open("a", encoding="utf-8") as fh:
        fh.write("13800138000,13900139002,主叫\n")  # a record cut short: malformed, whatever its text
        fh.write("合计：2 条，共 90 秒\n")  # the totals in one cell, the other columns left out
    report, _ = build_features(calls=[path])
    calls = report["calls"]
    assert (calls["records"], calls["bad_lines"], calls["footer_lines"]) == (2, 1, 1)
    notes = " ".join(report["notes"])
    assert "格式错误的行（列数不符或引号错误），行号 4" in notes
    assert "合计、小计等汇总行 1 条（不是记录，未计入）：行号 5" in notes
