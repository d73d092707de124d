"""Score a feature table with a model; explain the scores; propose indicator entries."""

from __future__ import annotations

import csv
import errno
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from fanzha.screening.numbers import sources
from fanzha.screening.numbers.explain import Reason, explain_rows
from fanzha.screening.numbers.model import Model, Table, matrix_for


@dataclass
class Scores:
    node_id: np.ndarray
    phone: list[str]
    score: np.ndarray
    is_fraud: np.ndarray  # 0/1 at the model's threshold
    kind: str  # which booster: with_labels | no_labels | partial
    threshold: float
    reasons: dict[int, list[Reason]] = field(default_factory=dict)  # row position -> reasons
    absent: frozenset[str] = frozenset()  # sources the table lacks (scored by the partial ensemble)
    ids: list[str] | None = None  # each row's node_id as written, when the features file's ids are text

    def id_of(self, i: int) -> int | str:
        """Row ``i``'s node_id for the outputs: as written when text, else the integer."""
        return self.ids[i] if self.ids is not None else int(self.node_id[i])


def score_table(
    model: Model, table: Table, *, explain_top: int = 3, explain_rows_limit: int | None = None
) -> Scores:
    """Scores for every row; reasons for every row, or for the ``explain_rows_limit`` highest scores.

    A table lacking whole sources (:func:`sources.absent`) is scored by the model's ``partial``
    ensemble when it has one; its reasons never name the missing sources or the availability flags.
    """
    absent = sources.absent(table)
    if absent and sources.PARTIAL in model.boosters:
        kind = sources.PARTIAL
        X, names = sources.partial_matrix(table, absent)
        unspoken = sources.unspoken(absent)
    else:
        kind = "with_labels" if table.labelled.any() and "with_labels" in model.boosters else "no_labels"
        X, names = matrix_for(model, table, kind)
        unspoken = set()
    booster = model.boosters[kind]
    if list(booster.feature_name()) != names:
        raise ValueError("模型的特征与输入不一致，请用同一版本的特征重新训练模型")
    score = booster.predict(X) if len(X) else np.zeros(0)
    threshold = float(model.thresholds[kind])
    flagged = (score >= threshold).astype(int)
    out = Scores(table.node_id, table.phone, score, flagged, kind, threshold, absent=absent, ids=table.ids)
    if explain_top and len(X):
        rows = np.arange(len(X)) if explain_rows_limit is None else np.argsort(-score)[:explain_rows_limit]
        contrib = booster.contrib(X[rows])
        contrib[:, [j for j, name in enumerate(names) if name in unspoken]] = 0.0
        values = [_values(table, X, names, int(i)) for i in rows]
        for i, reasons in zip(rows, explain_rows(contrib, names, values, explain_top), strict=True):
            out.reasons[int(i)] = reasons
    return out


def _values(table: Table, X: np.ndarray, names: list[str], i: int) -> dict[str, float]:
    vals = {name: float(X[i, j]) for j, name in enumerate(names)}
    vals.update({name: float(col[i]) for name, col in table.extra.items()})
    return vals


def write_scores(scores: Scores, path: Path) -> None:
    """``node_id,score,is_fraud`` for every row, in input order; the folder is created, and the file
    appears whole or not at all (written beside it, then renamed)."""
    path = Path(path)
    if path.is_dir():
        raise IsADirectoryError(errno.EISDIR, "Is a directory", str(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_name(path.name + ".part")
    try:
        with part.open("w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(["node_id", "score", "is_fraud"])
            ids = scores.ids if scores.ids is not None else (int(n) for n in scores.node_id)
            for nid, s, f in zip(ids, scores.score, scores.is_fraud, strict=True):
                w.writerow([nid, f"{s:.6f}", int(f)])
        part.replace(path)
    finally:
        part.unlink(missing_ok=True)


def write_explanations(scores: Scores, path: Path) -> None:
    """One JSON object per explained row: node_id, phone, score, is_fraud, reasons (Chinese)."""
    with Path(path).open("w", encoding="utf-8") as fh:
        for i in sorted(scores.reasons, key=lambda k: -scores.score[k]):
            doc = {
                "node_id": scores.id_of(i),
                "phone": scores.phone[i],
                "score": round(float(scores.score[i]), 6),
                "is_fraud": int(scores.is_fraud[i]),
                "reasons": [
                    {"feature": r.feature, "contribution": round(r.contribution, 4), "text": r.text}
                    for r in scores.reasons[i]
                ],
            }
            fh.write(json.dumps(doc, ensure_ascii=False) + "\n")


def indicator_proposals(
    scores: Scores, *, threshold: float | None = None, limit: int | None = None
) -> list[dict[str, Any]]:
    """Numbers at or above ``threshold`` (default: the model's), strongest first, with their evidence.

    Each row is a proposal pending a person's confirmation: kind, value, score, reasons (Chinese). Only
    numbers whose score was explained are proposed — a person must not confirm a number with nothing to
    go on; :func:`unexplained_above` counts those left out (scored beyond ``explain_rows_limit``).
    """
    t = scores.threshold if threshold is None else threshold
    rows = [i for i in np.argsort(-scores.score) if scores.score[i] >= t and int(i) in scores.reasons]
    rows = rows[:limit] if limit is not None else rows
    return [
        {
            "kind": "phone_number",
            "value": scores.phone[i],
            "node_id": scores.id_of(int(i)),
            "score": round(float(scores.score[i]), 4),
            "status": "pending_review",
            "evidence": [r.text for r in scores.reasons.get(int(i), [])],
            "source": f"numbers-model:{scores.kind}",
        }
        for i in rows
    ]


def unexplained_above(scores: Scores, *, threshold: float | None = None) -> int:
    """How many numbers at or above ``threshold`` (default: the model's) have no explanation (scored
    beyond the explained rows), so are not proposed by :func:`indicator_proposals`."""
    t = scores.threshold if threshold is None else threshold
    return sum(1 for i in np.flatnonzero(scores.score >= t) if int(i) not in scores.reasons)
