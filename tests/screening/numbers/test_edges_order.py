"""The edges file is written in one order whatever DuckDB's threads do: by every column, not only by the
first (rows sharing a caller came out in another order run to run, so two runs of one extract differed)."""

from __future__ import annotations

import csv
from pathlib import Path

from fanzha.screening.numbers.cli import main
from tests.screening.numbers.conftest import synthetic_calls


def _edges(tmp_path: Path, calls: Path, name: str) -> list[list[str]]:
    features, edges = tmp_path / f"{name}-f.csv", tmp_path / f"{name}-e.csv"
    assert (
        main(["features", "--calls", str(calls), "--output", str(features), "--edges-output", str(edges)])
        == 0
    )
    with edges.open(encoding="utf-8") as fh:
        return list(csv.reader(fh))


def test_the_edges_file_is_sorted_by_every_column(tmp_path: Path) -> None:
    calls, _fraud = synthetic_calls(tmp_path / "calls.csv")
    header, *rows = _edges(tmp_path, calls, "a")
    assert len({row[0] for row in rows}) < len(rows)  # callers with several counterparts: ties on the first
    width = len(header)
    typed = [tuple(int(v) if v.lstrip("-").isdigit() else v for v in row[:width]) for row in rows]
    assert typed == sorted(typed)
    assert _edges(tmp_path, calls, "b")[1:] == rows
