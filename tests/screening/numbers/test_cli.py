"""``python -m fanzha.screening.numbers.cli`` end to end on tiny files (no Django, no database)."""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from fanzha.screening.numbers.cli import main
from fanzha.screening.numbers.victims import COLUMNS as VICTIM_COLUMNS
from tests.screening.numbers.conftest import add_labels, synthetic_calls, victims_argv, write_csv


def test_it_runs_features_train_score_victims(fast_model: None, tmp_path: Path, capsys) -> None:  # noqa: ANN001
    calls, fraud = synthetic_calls(tmp_path / "calls.csv")
    f, e = tmp_path / "f.csv", tmp_path / "e.csv"
    assert main(["features", "--calls", str(calls), "--output", str(f), "--edges-output", str(e),
                 "--report", str(tmp_path / "r.json")]) == 0  # fmt: skip
    assert json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["numbers"] > 50
    add_labels(f, fraud, tmp_path / "fl.csv")
    model = tmp_path / "m.json"
    assert main(["train", "--features", str(tmp_path / "fl.csv"), "--edges", str(e), "--output", str(model),
                 "--repeats", "1"]) == 0  # fmt: skip
    scores, expl = tmp_path / "s.csv", tmp_path / "x.jsonl"
    argv = ["score", "--features", str(f), "--edges", str(e), "--model", str(model), "--output", str(scores)]
    assert main([*argv, "--explain", str(expl), "--proposals", str(tmp_path / "p.jsonl")]) == 0
    with scores.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    with f.open(encoding="utf-8") as fh:
        assert len(rows) == sum(1 for _ in csv.DictReader(fh))
    assert set(rows[0]) == {"node_id", "score", "is_fraud"} and {r["is_fraud"] for r in rows} == {"0", "1"}
    first = json.loads(expl.read_text(encoding="utf-8").splitlines()[0])
    assert first["reasons"] and all(re.search(r"[\u4e00-\u9fff]", r["text"]) for r in first["reasons"])
    out = tmp_path / "v.csv"
    assert main(["victims", "--calls", str(calls), "--scores", str(scores), "--features", str(f),
                 "--threshold", "0.5", "--output", str(out)]) == 0  # fmt: skip
    with out.open(encoding="utf-8") as fh:
        victims = list(csv.DictReader(fh))
    assert victims[0]["phone"] == "13700000000"  # every fraud number's long call went to this stranger
    assert "潜在受害人" in capsys.readouterr().err


def test_it_reports_missing_columns_as_a_clear_error(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    bad = write_csv(tmp_path / "c.csv", ["caller", "callee"], [["1", "2"]])
    assert main(["features", "--calls", str(bad), "--output", str(tmp_path / "f.csv")]) == 2
    err = capsys.readouterr().err
    assert "缺少必需的列" in err and "start_time" in err and "duration" in err


def test_it_scores_an_empty_features_file(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    empty = write_csv(tmp_path / "c.csv", ["caller", "callee", "start_time", "duration"], [])
    f = tmp_path / "f.csv"
    assert main(["features", "--calls", str(empty), "--output", str(f)]) == 0
    assert "为空" in capsys.readouterr().err
    assert main(["score", "--features", str(f), "--output", str(tmp_path / "s.csv")]) == 0
    assert (tmp_path / "s.csv").read_text(encoding="utf-8").splitlines() == ["node_id,score,is_fraud"]


def test_it_runs_as_a_module_without_django(tmp_path: Path) -> None:
    code = (
        "import sys, runpy; sys.argv=['x', '--help']; "
        "runpy.run_module('fanzha.screening.numbers.cli', run_name='__main__')"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0 and "features" in done.stdout and "victims" in done.stdout


@pytest.mark.parametrize("command", ["features", "train", "score", "victims"])
def test_it_documents_each_command(command: str, capsys) -> None:  # noqa: ANN001
    with pytest.raises(SystemExit):
        main([command, "--help"])
    assert "--output" in capsys.readouterr().out


def test_it_scores_with_an_edges_file_without_edges_or_weights(tmp_path: Path) -> None:
    calls = write_csv(tmp_path / "c.csv", ["caller", "callee", "start_time", "duration"],
                      [["13800000001", "13800000002", "2024-03-05 10:00:00", 30]])  # fmt: skip
    f, e = tmp_path / "f.csv", tmp_path / "e.csv"
    assert main(["features", "--calls", str(calls), "--output", str(f), "--edges-output", str(e)]) == 0
    no_edges = write_csv(tmp_path / "none.csv", ["src", "dst", "weight"], [])
    no_weight = write_csv(tmp_path / "plain.csv", ["src", "dst"], [[0, 1]])
    for edges in (no_edges, no_weight):
        out = tmp_path / f"s-{edges.stem}.csv"
        assert main(["score", "--features", str(f), "--edges", str(edges), "--output", str(out)]) == 0
        assert len(out.read_text(encoding="utf-8").splitlines()) == 3


def test_it_scores_parquet_features(tmp_path: Path) -> None:
    calls, _ = synthetic_calls(tmp_path / "calls.csv")
    f = tmp_path / "f.parquet"
    assert main(["features", "--calls", str(calls), "--output", str(f)]) == 0
    out = tmp_path / "s.csv"
    assert main(["score", "--features", str(f), "--output", str(out)]) == 0
    assert len(out.read_text(encoding="utf-8").splitlines()) > 50
    victims = tmp_path / "v.csv"
    argv = [
        "victims",
        "--calls",
        str(calls),
        "--scores",
        str(out),
        "--features",
        str(f),
        "--output",
        str(victims),
    ]
    assert main(argv) == 0 and victims.read_text(encoding="utf-8").startswith("phone,")


@pytest.mark.parametrize(
    ("rows", "message"),
    [([["n1"], [""]], "1 行的 node_id 为空或是带小数的数字"), ([["7"], ["7.5"]], "这些不是：7.5")],
)
def test_it_refuses_node_ids_it_cannot_use(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], rows: list[list[str]], message: str
) -> None:
    from fanzha.screening.numbers.features import FEATURE_NAMES

    f = write_csv(
        tmp_path / "f.csv", ["node_id", *FEATURE_NAMES], [[*r, *["0"] * len(FEATURE_NAMES)] for r in rows]
    )
    assert main(["score", "--features", str(f), "--output", str(tmp_path / "s.csv")]) == 2
    assert message in capsys.readouterr().err
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    assert main(["score", "--features", str(empty), "--output", str(tmp_path / "s.csv")]) == 2
    assert "空文件" in capsys.readouterr().err


def test_victims_follow_the_scores_is_fraud_by_default(tmp_path: Path) -> None:
    calls = write_csv(tmp_path / "c.csv", ["caller", "callee", "start_time", "duration"],
                      [["13900000001", "13700000001", "2024-03-05 10:00:00", 400]])  # fmt: skip
    f = write_csv(tmp_path / "f.csv", ["node_id", "phone_no_m"], [[0, "13900000001"], [1, "13700000001"]])
    scores = write_csv(tmp_path / "s.csv", ["node_id", "score", "is_fraud"], [[0, 0.41, 1], [1, 0.02, 0]])
    out = tmp_path / "v.csv"
    argv = victims_argv(calls, scores, f, out)
    assert main(argv) == 0
    with out.open(encoding="utf-8") as fh:
        assert [r["phone"] for r in csv.DictReader(fh)] == ["13700000001"]  # 0.41 is below 0.5 but 涉诈
    assert main([*argv, "--threshold", "0.5"]) == 0
    header, *rest = out.read_text(encoding="utf-8").splitlines()
    assert not rest and header.split(",") == VICTIM_COLUMNS  # the same columns when there is none
