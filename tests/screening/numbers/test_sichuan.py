"""The committed default model on the real Sichuan set (skipped when ../shared/data is absent)."""

from __future__ import annotations

import csv

import numpy as np
import pytest

from fanzha.screening.numbers.model import DEFAULT_MODEL, Model, auc, load_table, macro_f1
from fanzha.screening.numbers.scoring import score_table
from tests.screening.numbers.conftest import SICHUAN

pytestmark = pytest.mark.skipif(
    not (SICHUAN / "features.csv").exists(),
    reason=f"Sichuan data set not present at {SICHUAN} (public data lives beside the project, not in it)",
)


def test_it_ships_a_small_json_default_model() -> None:
    assert DEFAULT_MODEL.exists() and DEFAULT_MODEL.stat().st_size <= 5 * 2**20
    model = Model.load()
    assert "no_labels" in model.boosters and 0.05 < model.thresholds["no_labels"] < 0.95


def test_it_scores_every_sichuan_row_with_the_default_model() -> None:
    table = load_table(SICHUAN / "features.csv", SICHUAN / "edges.csv")
    scores = score_table(Model.load(), table, explain_top=0)
    assert len(scores.score) == 6106 == len(table.node_id)
    with (SICHUAN / "split.csv").open(encoding="utf-8") as fh:
        split = {int(r["node_id"]): r["split"] for r in csv.DictReader(fh)}
    test_rows = np.array([split[int(n)] == "test" for n in table.node_id])
    labelled = table.labelled
    # in-sample on the labelled rows (the default model was trained on them): a smoke check, not validation
    assert auc(table.label[labelled], scores.score[labelled]) > 0.97
    assert macro_f1(table.label[labelled], scores.is_fraud[labelled]) > 0.9
    share = scores.is_fraud[test_rows].mean()
    assert 0.2 < share < 0.45  # ~32 % of the numbers are fraud
