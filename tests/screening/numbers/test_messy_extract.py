"""A messy operator extract and hand-made features files: named time zones, IP dialling before a
trunk 0, and node ids written with leading zeros."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from fanzha.screening.numbers import features as F
from fanzha.screening.numbers import inputs
from fanzha.screening.numbers.cli import _apply_split, main
from fanzha.screening.numbers.features import FEATURE_NAMES
from fanzha.screening.numbers.model import load_table
from tests.screening.numbers.conftest import build_features, sql_value, victims_argv, write_csv

CALLS = ["phone_no_m", "opposite_no_m", "calltype_id", "start_datetime", "call_dur"]


def _time(raw: str) -> str | None:
    got = sql_value(inputs.TIME_SQL.format(x="x"), raw)
    return None if got is None else got.strftime("%Y-%m-%d %H:%M:%S")


@pytest.mark.parametrize(
    ("raw", "china_time"),
    [("2026-11-03 00:05:00 UTC", "2026-11-03 08:05:00"),
     ("2026-11-03T00:05:00 utc", "2026-11-03 08:05:00"),
     ("2026-11-03 00:05:00 GMT", "2026-11-03 08:05:00"),
     ("2026-11-03 08:05:00 GMT+08:00", "2026-11-03 08:05:00"),
     ("2026-11-03 03:05:00 GMT+3", "2026-11-03 08:05:00"),
     ("2026-11-02 19:05:00 UTC-05:00", "2026-11-03 08:05:00"),
     ("2026-11-03 08:05:00 CST", "2026-11-03 08:05:00"),
     ("2026-11-03 08:05:00 Asia/Shanghai", "2026-11-03 08:05:00")],
)  # fmt: skip
def test_a_time_with_a_named_zone_is_read_in_china_time(raw: str, china_time: str) -> None:
    assert _time(raw) == china_time


@pytest.mark.parametrize("raw", ["2026-11-03 00:05:00 America/New_York", "2026-11-03 00:05:00 PST"])
def test_a_time_in_a_zone_not_understood_is_a_bad_time_not_china_time(raw: str) -> None:
    assert _time(raw) is None  # counted as bad_time and named by its line, never 8 hours off unsaid


def test_an_extract_in_utc_counts_the_china_hour(tmp_path: Path) -> None:
    calls = write_csv(tmp_path / "c.csv", CALLS, [
        ["13800000001", "13900000001", 1, "2026-11-03 01:00:00 UTC", 5],
        ["13800000001", "13900000002", 1, "2026-11-03 09:10:00", 5],
        ["13800000001", "13900000003", 1, "2026-11-03 02:00:00 PST", 5],
    ])  # fmt: skip
    report, rows = build_features(calls=[calls])
    a = rows["13800000001"]
    assert (a["voc_hour_mode"], a["voc_hour_mode_count"], a["voc_hour_nunique"]) == (9, 2, 1)
    assert report["calls"]["bad_time"] == 1
    assert any("行号 4" in note and "PST" in note for note in report["notes"])


@pytest.mark.parametrize(
    ("raw", "number"),
    [("17951013800138000", "13800138000"), ("17951-0-13800138000", "13800138000"),
     ("1795113800138000", "13800138000"), ("1259302812345678", "02812345678")],
)  # fmt: skip
def test_an_ip_prefix_and_a_trunk_zero_before_a_mobile_are_dropped(raw: str, number: str) -> None:
    assert sql_value(F._number_sql("x"), raw) == number


def _features(path: Path, ids: list[str], phones: list[str]) -> Path:
    return write_csv(path, ["node_id", "phone_no_m"], [[i, p] for i, p in zip(ids, phones, strict=True)])


def test_victims_match_scores_of_a_features_file_with_zero_padded_ids(tmp_path: Path) -> None:
    calls = write_csv(tmp_path / "c.csv", ["caller", "callee", "start_time", "duration"],
                      [["13900000001", "13700000001", "2024-03-05 10:00:00", 400]])  # fmt: skip
    features = _features(tmp_path / "f.csv", ["007", "008"], ["13900000001", "13700000001"])
    # as `score` writes the ids of an integer features file: 007 is 7
    scores = write_csv(tmp_path / "s.csv", ["node_id", "score", "is_fraud"], [[7, 0.9, 1], [8, 0.01, 0]])
    out = tmp_path / "v.csv"
    assert main(victims_argv(calls, scores, features, out)) == 0
    with out.open(encoding="utf-8") as fh:
        assert [r["phone"] for r in csv.DictReader(fh)] == ["13700000001"]


def test_a_split_file_with_zero_padded_ids_keeps_the_labels(tmp_path: Path) -> None:
    header = ["node_id", "phone_no_m", *FEATURE_NAMES, "label"]
    rows = [[node, phone, *[1] * len(FEATURE_NAMES), label] for node, phone, label in
            [("001", "a", 1), ("002", "b", 0), ("003", "c", 1)]]  # fmt: skip
    features = write_csv(tmp_path / "f.csv", header, rows)
    split = write_csv(
        tmp_path / "split.csv", ["node_id", "split"], [["001", "train"], ["02", "val"], ["3", "test"]]
    )
    table = load_table(features)
    names = _apply_split(table, str(split))
    assert list(names) == ["train", "val", "test"]
    assert list(table.label[:2]) == [1.0, 0.0]
