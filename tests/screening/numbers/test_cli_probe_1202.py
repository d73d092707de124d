"""Operator extracts handed to ``fanzha numbers features`` and ``score`` as they come (probe 2026-12-02)."""

from __future__ import annotations

from pathlib import Path

import pytest

from fanzha.screening.numbers import features as F
from fanzha.screening.numbers.cli import main
from tests.screening.numbers.conftest import build_features, sql_value, write_csv

CALLER_CALLEE = ["主叫号码", "被叫号码", "开始时间", "通话时长"]


@pytest.mark.parametrize(
    "raw", ["anonymous", "Anonymous", "unknown", "Private", "withheld", "sip:anonymous@anonymous.invalid"]
)
def test_a_hidden_callers_word_is_no_number(raw: str) -> None:
    """What a switch writes for a withheld caller has no digit: it is no one's number (unusable)."""
    assert sql_value(F._number_sql("x"), raw) is None
    v = F.number_pre_sql("x")
    assert sql_value(F.number_issue_sql(v), raw) == 3


@pytest.mark.parametrize("raw", ["a3f9c0d1", "N000123", "672ddbf02a55"])
def test_hashed_ids_with_digits_are_kept(raw: str) -> None:
    assert sql_value(F._number_sql("x"), raw) == raw.lower()


def test_withheld_callers_are_counted_not_made_into_one_number(tmp_path: Path) -> None:
    t = "2026-11-03 14:0{}:00"
    calls = write_csv(
        tmp_path / "话单.csv",
        CALLER_CALLEE,
        [["anonymous", "13800138000", t.format(5), 60], ["anonymous", "13900139000", t.format(6), 60],
         ["unknown", "13700137000", t.format(7), 60], ["13800138000", "13700137000", t.format(8), 60]],
    )  # fmt: skip
    report, rows = build_features(calls=[calls])
    assert set(rows) == {"13800138000", "13900139000", "13700137000"}
    assert report["calls"]["unusable_number"] == 3 and report["calls"]["missing_number"] == 3
    assert report["edges"] == 1  # 13800138000 → 13700137000 only: no hub joining strangers


def test_an_extract_with_no_usable_record_says_what_was_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Records read but none usable: the message counts them, not just 没有任何有效记录."""
    calls = write_csv(
        tmp_path / "c.csv",
        ["本机号码", "对端号码", "呼叫类型", "开始时间", "通话时长"],
        [["", "13900139000", "主叫", "2026-11-03 14:05:00", 60],
         ["", "13900139001", "主叫", "2026-11-03 14:06:00", 60]],
    )  # fmt: skip
    out = tmp_path / "f.csv"
    assert main(["features", "--calls", str(calls), "--output", str(out)]) == 0
    err = capsys.readouterr().err
    assert "没有任何有效记录" in err and "missing_number=2" in err
    assert out.read_text(encoding="utf-8").count("\n") == 1  # the header alone


def test_an_empty_file_still_reads_as_an_empty_extract(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "c.csv"
    empty.write_bytes(b"")
    assert main(["features", "--calls", str(empty), "--output", str(tmp_path / "f.csv")]) == 0
    err = capsys.readouterr().err
    assert "没有任何有效记录" in err and "数据问题" not in err


def test_an_empty_features_file_is_scored_empty_without_blaming_the_edges(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    features = write_csv(tmp_path / "f.csv", ["node_id", *F.FEATURE_NAMES], [])
    edges = write_csv(tmp_path / "e.csv", ["src", "dst", "weight"], [[0, 1, 1], [1, 2, 1]])
    out = tmp_path / "s.csv"
    assert main(["score", "--features", str(features), "--edges", str(edges), "--output", str(out)]) == 0
    err = capsys.readouterr().err
    assert "特征文件为空" in err and "对不上" not in err
    assert out.read_text(encoding="utf-8") == "node_id,score,is_fraud\n"


def test_columns_no_alias_matches_are_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A header such as 基站/城市 matches neither the city nor the cell: its values are not read, and the
    analyst is told so rather than seeing city counts of 0 unexplained. Blank headers are not named."""
    calls = write_csv(
        tmp_path / "话单.csv",
        [*CALLER_CALLEE, "基站/城市", "备注", ""],
        [["13800138000", "13900139000", "2026-11-03 14:05:00", 60, "成都", "x", ""]],
    )
    out = tmp_path / "f.csv"
    assert main(["features", "--calls", str(calls), "--output", str(out)]) == 0
    err = capsys.readouterr().err
    assert err.rstrip().endswith("列名无法识别，其中的值未读取：基站/城市、备注")


def test_a_file_whose_columns_all_read_has_no_unread_note(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    calls = write_csv(
        tmp_path / "话单.csv",
        [*CALLER_CALLEE, "城市", "IMEI"],
        [["13800138000", "13900139000", "2026-11-03 14:05:00", 60, "成都", "861234567890123"]],
    )
    assert main(["features", "--calls", str(calls), "--output", str(tmp_path / "f.csv")]) == 0
    assert "无法识别" not in capsys.readouterr().err
