"""Small hand-made and synthetic operator records for the number-screening tests."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import numpy as np
import pytest

from fanzha.screening.numbers import features as F
from fanzha.screening.numbers import model, training

SICHUAN = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "numbers" / "sichuan"


def build_features(calls=(), sms=(), apps=(), spending=()) -> tuple[dict, dict[str, dict]]:  # noqa: ANN001
    """The quality report and the feature rows by phone of records in files (one thread, 256 MB)."""
    con = F.connect(memory_limit="256MB", threads=1)
    report = F.build(con, F.Sources(list(calls), list(sms), list(apps), list(spending)))
    rel = con.table("features")
    rows = {r[1]: dict(zip(rel.columns, r, strict=True)) for r in rel.fetchall()}
    con.close()
    return report, rows


def sql_value(sql: str, value: object) -> object:
    """One value expression (over ``x``) of the engine's SQL, evaluated by DuckDB on ``value``."""
    con = duckdb.connect()
    try:
        return con.execute(f"SELECT {sql} FROM (SELECT ? AS x)", [value]).fetchall()[0][0]  # noqa: S608
    finally:
        con.close()


def write_csv(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


def victims_argv(calls: Path, scores: Path, features: Path, out: Path) -> list[str]:
    """``numbers victims`` over one calls file, a scores file and its features file."""
    files = {"--calls": calls, "--scores": scores, "--features": features, "--output": out}
    return ["victims", *(part for flag, path in files.items() for part in (flag, str(path)))]


@pytest.fixture
def fast_model(monkeypatch: pytest.MonkeyPatch) -> None:
    """Few trees and one seed: tests check behaviour, not accuracy."""
    monkeypatch.setattr(model, "N_ROUNDS", 25)
    monkeypatch.setattr(model, "N_SEEDS", 1)
    monkeypatch.setattr(training, "PARTIAL_SEEDS", 1)
    monkeypatch.setattr(model, "PARAMS", dict(model.PARAMS, min_data_in_leaf=3))


def synthetic_calls(
    path: Path, n_normal: int = 40, n_fraud: int = 12, seed: int = 3
) -> tuple[Path, set[str]]:
    """caller/callee records: fraud numbers make many short calls to strangers who rarely call back."""
    rng = np.random.default_rng(seed)
    normal = [f"1380000{i:04d}" for i in range(n_normal)]
    fraud = [f"1390000{i:04d}" for i in range(n_fraud)]
    strangers = [f"1370000{i:04d}" for i in range(300)]
    rows: list[list[object]] = []
    for k, a in enumerate(normal):
        friends = [normal[(k + j) % n_normal] for j in (1, 2, 3, 5)]
        for _ in range(int(rng.integers(8, 20))):
            b = friends[int(rng.integers(0, 4))]
            rows.append([a, b, _time(rng), int(rng.lognormal(4.2, 0.8)), "成都", f"H{a}"])
    for a in fraud:
        for _ in range(int(rng.integers(25, 45))):
            b = strangers[int(rng.integers(0, 300))]
            city = ["成都", "绵阳", "广州", "昆明"][int(rng.integers(0, 4))]
            rows.append([a, b, _time(rng), int(rng.exponential(6)), city, f"H{a}-{int(rng.integers(0, 3))}"])
        victim = strangers[0]
        rows.append([a, victim, "2024-03-02 10:00:00", 600, "成都", f"H{a}-0"])
    header = ["caller", "callee", "start_time", "duration", "city", "imei"]
    return write_csv(path, header, rows), set(fraud)


def _time(rng: np.random.Generator) -> str:
    day, hour, minute = int(rng.integers(1, 29)), int(rng.integers(8, 21)), int(rng.integers(0, 60))
    return f"2024-03-{day:02d} {hour:02d}:{minute:02d}:00"


def add_labels(features: Path, fraud: set[str], out: Path) -> Path:
    """Copy a features CSV with a label column for the 'subscriber' numbers (138/139), blank for others."""
    with features.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    with out.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=[*rows[0], "label"])
        w.writeheader()
        for r in rows:
            phone = r["phone_no_m"]
            r["label"] = "1" if phone in fraud else ("0" if phone.startswith("138") else "")
            w.writerow(r)
    return out
