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
from tests.screening.numbers.conftest import add_labels, synthetic_calls, write_csv


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
