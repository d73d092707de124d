"""The data-quality report counts file lines: a sender/receiver SMS line (read as the sender's row and
the receiver's row) and a caller/callee call line (the callee's row added) are one record each."""

from __future__ import annotations

import re
from pathlib import Path

from fanzha.screening.numbers import features as F
from tests.screening.numbers.conftest import build_features, write_csv

AT = "2026-11-28 09:00:00"
BAD_TIME = "2026-13-45 99:00"


def _nonzero(counts: dict[str, int]) -> dict[str, int]:
    return {k: v for k, v in counts.items() if v}


def _noted(report: dict, label: str) -> int:
    """The lines the notes name under ``label`` (“时间无法识别 1 条”), over all files."""
    return sum(int(n) for n in re.findall(rf"{label} (\d+) 条", " ".join(report["notes"])))


def _agrees_with_its_notes(report: dict, kind: str) -> None:
    for key, (label, _) in {**F.LOCATED[kind], **F._NUMBERS_LOCATED}.items():
        assert report[kind].get(key, 0) == _noted(report, label), key


def _two_files(tmp_path: Path, header: list[str], extra: list[str]) -> tuple[Path, Path]:
    """Two files of the same kind: a bad time, a masked number, an unusable counterpart, a date without
    a time of day, and one line in both files."""
    first = [
        ["13800138000", "13900139000", AT, *extra],
        ["13800138001", "13900139001", BAD_TIME, *extra],
        ["138****8002", "13900139002", "2026-11-28 10:00:00", *extra],
        ["13800138005", "13900139005", "2026-11-28", *extra],
    ]
    second = [
        ["13800138000", "13900139000", AT, *extra],  # the first file's first line again
        ["13800138003", "13900139003", "2026-11-28 11:00:00", *extra],
        ["13800138004", "N/A", "2026-11-28 12:00:00", *extra],
    ]
    return write_csv(tmp_path / "a.csv", header, first), write_csv(tmp_path / "b.csv", header, second)


LINE_COUNTS = {
    "files": 2,
    "records": 7,  # lines read
    "distinct_records": 6,
    "duplicates": 1,
    "bad_time": 1,
    "date_only_time": 1,
    "masked_number": 1,
    "unusable_number": 1,
    "missing_number": 1,  # the masked number
    "missing_opposite": 1,  # the unusable counterpart
}


def test_a_sender_receiver_sms_file_is_counted_by_its_lines(tmp_path: Path) -> None:
    files = _two_files(tmp_path, ["发送号码", "接收号码", "发送时间"], [])
    report, rows = build_features(sms=list(files))
    assert _nonzero(report["sms"]) == LINE_COUNTS  # each was twice as many: two rows a line
    _agrees_with_its_notes(report, "sms")
    assert "1 条短信记录的时间列只有日期" in " ".join(report["notes"])
    assert "sms: duplicates=1, bad_time=1, date_only_time=1, masked_number=1," in report["message"]
    # the features count each side once (unchanged): the repeated line is one SMS
    assert (rows["13800138000"]["sms_count"], rows["13900139000"]["calltype_2"]) == (1, 1)


def test_a_caller_callee_calls_file_is_counted_by_its_lines(tmp_path: Path) -> None:
    files = _two_files(tmp_path, ["主叫号码", "被叫号码", "开始时间", "通话时长"], ["60"])
    report, rows = build_features(calls=list(files))
    assert _nonzero(report["calls"]) == LINE_COUNTS
    _agrees_with_its_notes(report, "calls")
    assert rows["13900139000"]["opposite_count"] == 1  # the callee's side, once


def test_a_subscriber_view_sms_file_is_counted_by_its_lines(tmp_path: Path) -> None:
    files = _two_files(tmp_path, ["本机号码", "对端号码", "发送时间", "短信类型"], ["发送"])
    report, _ = build_features(sms=list(files))
    assert _nonzero(report["sms"]) == LINE_COUNTS
    _agrees_with_its_notes(report, "sms")


def test_an_sms_in_a_sender_receiver_file_and_in_either_side_s_own_file_is_one_line_repeated(
    tmp_path: Path,
) -> None:
    both = write_csv(
        tmp_path / "sr.csv", ["发送号码", "接收号码", "发送时间"], [["13800138000", "13900139000", AT]]
    )
    for own in (["13800138000", "13900139000", "发送", AT], ["13900139000", "13800138000", "接收", AT]):
        mine = write_csv(tmp_path / "own.csv", ["本机号码", "对端号码", "短信类型", "发送时间"], [own])
        report, rows = build_features(sms=[both, mine])
        assert _nonzero(report["sms"]) == {"files": 2, "records": 2, "distinct_records": 1, "duplicates": 1}
        assert rows["13800138000"]["sms_count"] == rows["13900139000"]["sms_count"] == 1
