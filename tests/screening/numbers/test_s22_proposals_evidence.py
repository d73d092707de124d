"""Indicator proposals carry their evidence (s22): a number scored beyond the explained rows is not
proposed with empty evidence — a person would confirm it with nothing to go on — and the command says
how many were left out and how to include them."""

from __future__ import annotations

import json
from pathlib import Path

from fanzha.screening.numbers.cli import main
from tests.screening.numbers.conftest import add_labels, synthetic_calls


def test_only_explained_numbers_are_proposed_and_the_rest_are_counted(
    fast_model: None, tmp_path: Path, capsys
) -> None:  # noqa: ANN001
    calls, fraud = synthetic_calls(tmp_path / "calls.csv")
    f, e = tmp_path / "f.csv", tmp_path / "e.csv"
    assert main(["features", "--calls", str(calls), "--output", str(f), "--edges-output", str(e)]) == 0
    add_labels(f, fraud, tmp_path / "fl.csv")
    model = tmp_path / "m.json"
    assert main(["train", "--features", str(tmp_path / "fl.csv"), "--edges", str(e), "--output", str(model),
                 "--repeats", "1"]) == 0  # fmt: skip
    argv = ["score", "--features", str(f), "--edges", str(e), "--model", str(model),
            "--output", str(tmp_path / "s.csv"), "--proposal-threshold", "0.0"]  # fmt: skip
    proposals = tmp_path / "p.jsonl"
    capsys.readouterr()
    assert main([*argv, "--proposals", str(proposals), "--explain-limit", "3"]) == 0
    rows = [json.loads(line) for line in proposals.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 3 and all(row["evidence"] for row in rows)
    err = capsys.readouterr().err
    assert "未列入涉诈名单建议" in err and "--explain-limit" in err
    assert main([*argv, "--proposals", str(proposals), "--explain-limit", "0"]) == 0  # all explained
    assert len(proposals.read_text(encoding="utf-8").splitlines()) > 3
    assert "未列入涉诈名单建议" not in capsys.readouterr().err
