"""Probe of session 23: raw operator extracts as an analyst receives them — encodings, separators,
Chinese headers, the spellings of times, durations, call types and numbers — checked against what the
records mean, and every problem named by its row."""

from __future__ import annotations

from pathlib import Path

from tests.screening.numbers.conftest import build_features

CN_HEADER = "主叫号码,被叫号码,开始时间,通话时长,呼叫类型\n"
ME, FRIEND, OTHER = "13800138000", "13900139000", "13700137000"


def _calls(path: Path, rows: list[str], header: str = CN_HEADER, encoding: str = "utf-8") -> Path:
    path.write_bytes((header + "".join(r + "\n" for r in rows)).encode(encoding))
    return path


def test_excel_serial_times_are_read_as_the_moment_they_stand_for(tmp_path: Path) -> None:
    """A time column saved from Excel as “General” holds serial days since 1899-12-30: 46329.3369444 is
    2026-11-03 08:05:12 (was a bad_time: the calls lost their hours and days)."""
    path = _calls(tmp_path / "voc.csv", [
        f"{ME},{FRIEND},46329.3369444444,83,主叫",
        f"{ME},{OTHER},46329.3375,30,主叫",
        f"{FRIEND},{ME},46330,20,被叫",  # a whole serial: a date without a time of day
    ])  # fmt: skip
    report, rows = build_features(calls=[path])
    calls = report["calls"]
    assert calls["bad_time"] == 0 and calls["date_only_time"] == 1
    me = rows[ME]
    assert (me["voc_hour_mode"], me["voc_hour_mode_count"], me["voc_hour_nunique"]) == (8, 2, 1)
    assert (me["voc_day_mode"], me["voc_day_mode_count"], me["voc_day_nunique"]) == (3, 2, 2)


def test_a_time_of_day_that_lost_its_leading_zero_beside_a_date_column_is_no_excel_serial(
    tmp_path: Path,
) -> None:
    """通话日期 2026-11-03 + 通话时间 40503 (04:05:03 saved as a number) is 04:05:03 that day, not
    serial day 40503 (2010-11-22)."""
    header = "本机号码,对端号码,通话日期,通话时间,通话时长,呼叫类型\n"
    path = _calls(tmp_path / "voc.csv", [f"{ME},{FRIEND},2026-11-03,40503,83,主叫"], header)
    report, rows = build_features(calls=[path])
    assert report["calls"]["bad_time"] == 0
    assert (rows[ME]["voc_hour_mode"], rows[ME]["voc_day_mode"]) == (4, 3)
