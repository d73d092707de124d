"""Probe of session 22: the command line as an operator's analyst runs it, on small hostile files."""

from __future__ import annotations

from pathlib import Path

import pytest

from fanzha.screening.numbers.cli import main
from tests.screening.numbers.conftest import write_csv

CALLS_HEADER = ["本机号码", "对端号码", "呼叫类型", "开始时间", "通话时长"]
CALLS = [
    ["13800138000", "13900139000", "主叫", "2026-11-28 09:05:03", "65"],
    ["13800138000", "13700137000", "主叫", "2026-11-28 12:00:00", "12"],
    ["13600136000", "13800138000", "主叫", "2026-11-28 13:00:00", "30"],
]


@pytest.fixture
def scored(tmp_path: Path) -> dict[str, Path]:
    calls = write_csv(tmp_path / "calls.csv", CALLS_HEADER, CALLS)
    files = {"calls": calls, "features": tmp_path / "f.csv", "edges": tmp_path / "e.csv"}
    assert main(["features", "--calls", str(calls), "--output", str(files["features"]),
                 "--edges-output", str(files["edges"])]) == 0  # fmt: skip
    files["scores"] = tmp_path / "s.csv"
    assert main(["score", "--features", str(files["features"]), "--edges", str(files["edges"]),
                 "--output", str(files["scores"])]) == 0  # fmt: skip
    return files


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("--explain-limit", "-5"),  # was ZeroDivisionError, exit 1
        ("--explain-top", "-1"),  # was every row explained with no reasons
        ("--explain-top", "0"),  # was an empty explanations file
        ("--proposal-threshold", "nan"),  # was no proposals, silently
        ("--proposal-threshold", "5"),
    ],
)
def test_score_refuses_a_meaningless_option_before_any_work(
    scored: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str], option: str, value: str
) -> None:
    argv = ["score", "--features", str(scored["features"]), "--edges", str(scored["edges"]),
            "--output", str(tmp_path / "s2.csv"), "--explain", str(tmp_path / "x.jsonl"),
            "--proposals", str(tmp_path / "p.jsonl"), option, value]  # fmt: skip
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2 and value in capsys.readouterr().err
    assert not (tmp_path / "s2.csv").exists()


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("--limit", "-1"),  # was a DuckDB BinderException, exit 1
        ("--limit", "0"),  # was “潜在受害人 0 个” where there are two
        ("--threshold", "nan"),  # was “0 个高风险号码（分数 ≥ nan）”
    ],
)
def test_victims_refuses_a_meaningless_option(
    scored: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str], option: str, value: str
) -> None:
    argv = ["victims", "--calls", str(scored["calls"]), "--scores", str(scored["scores"]),
            "--features", str(scored["features"]), "--output", str(tmp_path / "v.csv"),
            option, value]  # fmt: skip
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2 and value in capsys.readouterr().err


def test_train_refuses_zero_repeats_before_reading(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:  # was a ValueError in English after the features were read
        main(["train", "--features", "f.csv", "--output", "m.json", "--repeats", "0"])
    assert exit_.value.code == 2 and "不小于 1" in capsys.readouterr().err


@pytest.mark.parametrize("score", ["", "abc", "nan"])
def test_victims_names_the_line_of_a_score_that_is_no_number(
    scored: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str], score: str
) -> None:
    bad = write_csv(tmp_path / "bad.csv", ["node_id", "score", "is_fraud"], [[0, 0.9, 1], [1, score, 1]])
    argv = ["victims", "--calls", str(scored["calls"]), "--scores", str(bad),
            "--features", str(scored["features"]), "--output", str(tmp_path / "v.csv")]  # fmt: skip
    assert main(argv) == 2  # was “could not convert string to float: ''”
    assert "打分文件第 3 行的 score 不是数字" in capsys.readouterr().err


def test_victims_counts_high_risk_ids_the_features_file_lacks(
    scored: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = write_csv(tmp_path / "other.csv", ["node_id", "score", "is_fraud"], [[1, 0.9, 1], [55, 0.95, 1]])
    argv = ["victims", "--calls", str(scored["calls"]), "--scores", str(other),
            "--features", str(scored["features"]), "--output", str(tmp_path / "v.csv")]  # fmt: skip
    assert main(argv) == 0
    err = capsys.readouterr().err  # the id 55 was dropped without a word
    warning = err.split("警告")[1].splitlines()[0]  # its own line: the output path may hold a 55 (pytest-550)
    assert "1 个高风险号码的 node_id 不在特征文件中" in warning and "55" not in warning


def test_a_file_without_a_header_is_named_as_such_without_its_numbers(
    scored: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Its first record was listed as the “existing columns”: 现有列：13800138000, 13900139000, …"""
    calls = tmp_path / "nohead.csv"
    calls.write_text("\n".join(",".join(row) for row in CALLS) + "\n", encoding="utf-8")
    features = tmp_path / "nohead_f.csv"
    lines = scored["features"].read_text(encoding="utf-8").splitlines()[1:]
    features.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["features", "--calls", str(calls), "--output", str(tmp_path / "x.csv")]) == 2
    assert main(["score", "--features", str(features), "--output", str(tmp_path / "y.csv")]) == 2
    err = capsys.readouterr().err
    assert err.count("第一行像是一条记录而不是表头") == 2
    assert not any(number in err for number in ("13800138000", "13900139000", "13600136000"))


@pytest.mark.parametrize("second", ["opposite_count", "OPPOSITE_COUNT "])
def test_a_column_given_twice_is_said_not_read_silently(
    scored: dict[str, Path], tmp_path: Path, second: str
) -> None:
    from fanzha.screening.numbers.model import load_table

    lines = scored["features"].read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    at = header.index("opposite_count") + 1
    twice = tmp_path / "twice.csv"
    rows = [
        ",".join([*c[:at], second if n == 0 else "999", *c[at:]])
        for n, c in enumerate(line.split(",") for line in lines)
    ]
    twice.write_text("\n".join(rows) + "\n", encoding="utf-8")
    notes = load_table(twice).notes
    assert any("列名重复：opposite_count" in note for note in notes), notes
