"""``fanzha numbers score`` writes each row's node_id exactly as the features file writes it (``007``,
``12.0``, ``1.38e10``, a 20-digit id), in the file's order — an evaluation joins the scores to its own
copy of the ids as text."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest

from fanzha.screening.numbers.cli import main
from fanzha.screening.numbers.features import FEATURE_NAMES
from tests.screening.numbers.conftest import victims_argv, write_csv

CANONICAL = ["7", "13800000000", "12", "5", "9", "3"]
WRITTEN = ["007", "13800000000", "12.0", "+5", "9e0", " 3"]  # each the same integer as CANONICAL's
LONG = ["89860012345678901234", "89860012345678901235", "89860012345678901236", "12", "5", "9"]


def _features(path: Path, ids: list[str]) -> Path:
    rng = np.random.default_rng(5)
    rows = [[i, f"1380000000{k}", *(round(float(v), 3) for v in rng.uniform(1, 50, len(FEATURE_NAMES)))]
            for k, i in enumerate(ids)]  # fmt: skip
    return write_csv(path, ["node_id", "phone_no_m", *FEATURE_NAMES], rows)


def _edges(path: Path, ids: list[str]) -> Path:
    return write_csv(
        path, ["src", "dst", "weight"], [[ids[0], ids[1], 2], [ids[1], ids[2], 1], [ids[3], ids[0], 1]]
    )


def _score(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], *argv: str
) -> tuple[list[dict[str, str]], str]:
    out = tmp_path / "scores.csv"
    out.unlink(missing_ok=True)
    code = main(["score", *argv, "--output", str(out)])
    err = capsys.readouterr().err
    assert code == 0, err
    raw = out.read_bytes()
    assert raw.startswith(b"node_id,score,is_fraud\r\n")  # no BOM: a plain CSV reader finds node_id
    with out.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh)), err


def test_it_writes_integer_ids_as_the_features_file_writes_them(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    plain = _features(tmp_path / "plain.csv", CANONICAL)
    written = _features(tmp_path / "written.csv", WRITTEN)
    edges = _edges(tmp_path / "e.csv", CANONICAL)
    by_canonical, _ = _score(tmp_path, capsys, "--features", str(plain), "--edges", str(edges))
    explain = tmp_path / "x.jsonl"
    rows, err = _score(
        tmp_path, capsys, "--features", str(written), "--edges", str(edges), "--explain", str(explain)
    )
    assert [r["node_id"] for r in rows] == WRITTEN
    assert [(r["score"], r["is_fraud"]) for r in rows] == [(r["score"], r["is_fraud"]) for r in by_canonical]
    assert "不在特征文件" not in err and "对不上" not in err, err  # the edges still meet 007 as 7
    docs = [json.loads(line) for line in explain.read_text(encoding="utf-8").splitlines()]
    assert sorted(d["node_id"] for d in docs) == sorted(WRITTEN)


def test_a_file_of_plainly_written_integers_is_written_as_before(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    plain = _features(tmp_path / "plain.csv", CANONICAL)
    explain = tmp_path / "x.jsonl"
    rows, _ = _score(tmp_path, capsys, "--features", str(plain), "--explain", str(explain))
    assert [r["node_id"] for r in rows] == CANONICAL
    docs = [json.loads(line) for line in explain.read_text(encoding="utf-8").splitlines()]
    assert sorted(d["node_id"] for d in docs) == sorted(int(i) for i in CANONICAL)  # numbers, as before


def test_it_scores_ids_too_long_for_a_64_bit_integer(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    short = ["1", "2", "3", "12", "5", "9"]
    plain = _features(tmp_path / "plain.csv", short)
    by_short, _ = _score(
        tmp_path, capsys, "--features", str(plain), "--edges", str(_edges(tmp_path / "e.csv", short))
    )
    long = _features(tmp_path / "long.csv", LONG)
    rows, err = _score(
        tmp_path, capsys, "--features", str(long), "--edges", str(_edges(tmp_path / "le.csv", LONG))
    )
    assert [r["node_id"] for r in rows] == LONG
    assert [(r["score"], r["is_fraud"]) for r in rows] == [(r["score"], r["is_fraud"]) for r in by_short]
    assert "不在特征文件" not in err and "对不上" not in err, err


def test_victims_read_scores_of_ids_written_as_the_features_file_writes_them(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    written = _features(tmp_path / "written.csv", WRITTEN)
    rows, _ = _score(tmp_path, capsys, "--features", str(written))
    for k, r in enumerate(rows):  # the row of 007 (phone 13800000000) the only high-risk number
        r["score"], r["is_fraud"] = ("0.9", "1") if k == 0 else ("0.1", "0")
    scores = write_csv(tmp_path / "s.csv", ["node_id", "score", "is_fraud"], [list(r.values()) for r in rows])
    calls = write_csv(tmp_path / "c.csv", ["caller", "callee", "start_time", "duration"],
                      [["13800000000", "13700000001", "2024-03-05 10:00:00", 400]])  # fmt: skip
    out = tmp_path / "v.csv"
    assert main(victims_argv(calls, scores, written, out)) == 0
    with out.open(encoding="utf-8") as fh:
        assert [(r["phone"], r["suspect_numbers"]) for r in csv.DictReader(fh)] == [
            ("13700000001", "13800000000")
        ]


def _parquet_with_float_phones(path: Path) -> Path:
    """A features Parquet file as pandas writes one whose phone column has a gap: phones as doubles."""
    import duckdb

    rng = np.random.default_rng(5)
    values = ", ".join(
        f"{round(float(v), 3)}::DOUBLE AS {n}"
        for n, v in zip(FEATURE_NAMES, rng.uniform(1, 50, len(FEATURE_NAMES)), strict=True)
    )
    con = duckdb.connect()
    con.execute(
        f"COPY (SELECT 7.0::DOUBLE AS node_id, 13800000000.0::DOUBLE AS phone_no_m, {values} "
        f"UNION ALL SELECT 8.0, 13800000008.0, {values}) TO '{path}' (FORMAT parquet)"
    )
    con.close()
    return path


def test_phones_of_a_parquet_float_column_are_the_numbers_not_floats(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    features = _parquet_with_float_phones(tmp_path / "f.parquet")
    explain, proposals = tmp_path / "x.jsonl", tmp_path / "p.jsonl"
    rows, _ = _score(
        tmp_path, capsys, "--features", str(features), "--explain", str(explain),
        "--proposals", str(proposals), "--proposal-threshold", "0",
    )  # fmt: skip
    assert [r["node_id"] for r in rows] == ["7", "8"]
    assert sorted(json.loads(line)["phone"] for line in explain.read_text(encoding="utf-8").splitlines()) == [
        "13800000000",
        "13800000008",
    ]
    assert sorted(
        json.loads(line)["value"] for line in proposals.read_text(encoding="utf-8").splitlines()
    ) == [
        "13800000000",
        "13800000008",
    ]
    scores = tmp_path / "scores.csv"
    calls = write_csv(tmp_path / "c.csv", ["caller", "callee", "start_time", "duration"],
                      [["13800000000", "13700000001", "2024-03-05 10:00:00", 400]])  # fmt: skip
    out = tmp_path / "v.csv"
    assert main([*victims_argv(calls, scores, features, out), "--threshold", "0"]) == 0
    with out.open(encoding="utf-8") as fh:
        assert [(r["phone"], r["suspect_numbers"]) for r in csv.DictReader(fh)] == [
            ("13700000001", "13800000000")
        ]
