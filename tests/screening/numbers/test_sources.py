"""Extracts lacking whole sources (SMS, traffic, spending, place, handset): the partial ensemble."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from fanzha.screening.numbers import sources
from fanzha.screening.numbers.cli import main
from fanzha.screening.numbers.model import Model, load_table
from fanzha.screening.numbers.scoring import score_table
from fanzha.screening.numbers.training import train_model
from tests.screening.numbers.conftest import SICHUAN, add_labels, synthetic_calls


@pytest.fixture
def calls_only(tmp_path: Path) -> tuple[Path, Path, set[str]]:
    """Features and edges of a calls-only extract (city and handset, no county, SMS, traffic, spending)."""
    calls, fraud = synthetic_calls(tmp_path / "calls.csv")
    features, edges = tmp_path / "f.csv", tmp_path / "e.csv"
    argv = ["features", "--calls", str(calls), "--output", str(features), "--edges-output", str(edges)]
    assert main(argv) == 0
    return features, edges, fraud


def test_it_knows_which_sources_an_extract_lacks(calls_only: tuple[Path, Path, set[str]]) -> None:
    features, edges, _ = calls_only
    table = load_table(features, edges)
    assert sources.absent(table) == {"sms", "apps", "spending", "county"}
    assert sources.describe(sources.absent(table)) == "短信、上网流量、消费、通话区县"
    masked = sources.without(table, frozenset({"imei"}))
    assert np.isnan(masked.column("imeis")).all() and not np.isnan(table.column("imeis")).all()


def test_it_scores_a_table_lacking_sources_with_the_partial_ensemble(
    fast_model: None, calls_only: tuple[Path, Path, set[str]], tmp_path: Path
) -> None:
    features, edges, fraud = calls_only
    model = train_model(load_table(add_labels(features, fraud, tmp_path / "fl.csv"), edges), repeats=1)
    assert sources.PARTIAL in model.boosters and 0.05 <= model.thresholds[sources.PARTIAL] <= 0.95
    assert model.feature_names[sources.PARTIAL][-len(sources.FLAG_NAMES) :] == sources.FLAG_NAMES
    scores = score_table(model, load_table(features, edges))
    assert scores.kind == sources.PARTIAL and scores.absent == {"sms", "apps", "spending", "county"}
    unspoken = sources.unspoken(scores.absent)
    assert {"arpu_mean", "d_flow_per_arpu", "has_sms", "g_nb_mean_arpu_mean"} <= unspoken
    named = {reason.feature for reasons in scores.reasons.values() for reason in reasons}
    assert named and not named & unspoken


def test_it_keeps_the_full_model_for_a_table_with_every_source() -> None:
    if not (SICHUAN / "features.csv").exists():
        pytest.skip(f"Sichuan data set not present at {SICHUAN}")
    table = load_table(SICHUAN / "features.csv", SICHUAN / "edges.csv")
    assert sources.absent(table) == frozenset()
    assert score_table(Model.load(), table, explain_top=0).kind == "no_labels"


@pytest.mark.parametrize("removed", ["sms apps spending", "sms apps spending imei city county", "spending"])
def test_it_does_not_read_a_missing_source_as_fraud(removed: str) -> None:
    """The labelled normal Sichuan numbers with whole sources taken away are not flagged wholesale.

    (Before the partial ensemble: 200 of 1,608 flagged without spending, 578 with calls alone.)
    """
    if not (SICHUAN / "features.csv").exists():
        pytest.skip(f"Sichuan data set not present at {SICHUAN}")
    table = sources.without(
        load_table(SICHUAN / "features.csv", SICHUAN / "edges.csv"), frozenset(removed.split())
    )
    scores = score_table(Model.load(), table, explain_top=0)
    assert scores.kind == sources.PARTIAL
    normal, fraud = table.label == 0, table.label == 1
    assert scores.is_fraud[normal].mean() < 0.08 and scores.is_fraud[fraud].mean() > 0.6


def test_it_says_which_model_scored_a_table_lacking_sources(
    calls_only: tuple[Path, Path, set[str]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    features, edges, _ = calls_only
    out = tmp_path / "s.csv"
    assert main(["score", "--features", str(features), "--edges", str(edges), "--output", str(out)]) == 0
    assert "特征中没有短信、上网流量、消费、通话区县数据" in capsys.readouterr().err
    with out.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) > 50 and {r["is_fraud"] for r in rows} <= {"0", "1"}
