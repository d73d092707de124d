"""Evaluation figures with numpy only: precision, recall, F1, ROC-AUC, confusion matrix, per category."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np


def roc_auc(truth: Sequence[int] | np.ndarray, scores: Sequence[float] | np.ndarray) -> float:
    """Area under the ROC curve (Mann-Whitney, ties counted half); nan when one class is missing."""
    y = np.asarray(truth).astype(bool)
    s = np.asarray(scores, dtype=np.float64)
    pos, neg = int(y.sum()), int((~y).sum())
    if pos == 0 or neg == 0:
        return float("nan")
    order = np.argsort(s, kind="mergesort")
    ranks = np.empty(len(s), dtype=np.float64)
    sorted_s = s[order]
    # average ranks over ties
    starts = np.flatnonzero(np.concatenate(([True], sorted_s[1:] != sorted_s[:-1])))
    ends = np.concatenate((starts[1:], [len(s)]))
    avg = (starts + ends - 1) / 2.0 + 1.0
    ranks[order] = np.repeat(avg, ends - starts)
    return float((ranks[y].sum() - pos * (pos + 1) / 2.0) / (pos * neg))


def average_precision(truth: Sequence[bool] | np.ndarray, scores: Sequence[float] | np.ndarray) -> float:
    """Average precision (area under the precision-recall curve, step-wise; tied scores count as one step)."""
    y = np.asarray(truth, dtype=bool)
    s = np.asarray(scores, dtype=np.float64)
    if not y.any():
        return float("nan")
    order = np.argsort(-s, kind="mergesort")
    y, s = y[order], s[order]
    last = np.r_[np.flatnonzero(np.diff(s) != 0), len(s) - 1]  # the end of each group of tied scores
    tp = np.cumsum(y)[last]
    precision = tp / (last + 1)
    recall_step = np.diff(np.r_[0, tp]) / y.sum()
    return float(np.sum(precision * recall_step))


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def binary_report(
    truth: Sequence[int] | np.ndarray, scores: np.ndarray, threshold: float = 0.5
) -> dict[str, float]:
    y = np.asarray(truth).astype(bool)
    pred = np.asarray(scores) >= threshold
    tp, fp = int((pred & y).sum()), int((pred & ~y).sum())
    fn, tn = int((~pred & y).sum()), int((~pred & ~y).sum())
    p, r, f = prf(tp, fp, fn)
    return {
        "precision": p,
        "recall": r,
        "f1": f,
        "auc": roc_auc(y, scores),
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "tn": tn,
    }


def confusion(
    truth: Sequence[str], predicted: Sequence[str], labels: Sequence[str] | None = None
) -> tuple[list[str], np.ndarray]:
    """(labels, matrix) with matrix[i, j] = items of true label i predicted as j."""
    names = list(labels) if labels is not None else sorted(set(truth) | set(predicted))
    index = {n: i for i, n in enumerate(names)}
    mat = np.zeros((len(names), len(names)), dtype=np.int64)
    for t, p in zip(truth, predicted, strict=True):
        if t in index and p in index:
            mat[index[t], index[p]] += 1
    return names, mat


def per_category(
    truth: Sequence[str], predicted: Sequence[str], labels: Sequence[str] | None = None
) -> dict[str, dict[str, float]]:
    names, mat = confusion(truth, predicted, labels)
    out: dict[str, dict[str, float]] = {}
    for i, name in enumerate(names):
        tp = int(mat[i, i])
        p, r, f = prf(tp, int(mat[:, i].sum()) - tp, int(mat[i].sum()) - tp)
        out[name] = {"precision": p, "recall": r, "f1": f, "support": int(mat[i].sum())}
    return out


def macro_f1(truth: Sequence[str], predicted: Sequence[str], labels: Sequence[str] | None = None) -> float:
    names = list(labels) if labels is not None else sorted(set(truth))
    cats = per_category(truth, predicted, names)
    return float(np.mean([cats[n]["f1"] for n in names])) if names else 0.0


def rate_at_least(scores: np.ndarray, threshold: float) -> float:
    s = np.asarray(scores)
    return float((s >= threshold).mean()) if s.size else float("nan")


def evaluate(
    truth_risky: Sequence[int],
    scores: np.ndarray,
    truth_cat: Sequence[str] | None = None,
    predicted_cat: Sequence[str] | None = None,
    threshold: float = 0.5,
) -> dict[str, Any]:
    """All figures for one labelled set: a binary report at ``threshold``, per-category figures if given."""
    out: dict[str, Any] = {"binary": binary_report(truth_risky, scores, threshold)}
    if truth_cat is not None and predicted_cat is not None:
        names, mat = confusion(truth_cat, predicted_cat)
        out["labels"] = names
        out["confusion"] = mat.tolist()
        out["per_category"] = per_category(truth_cat, predicted_cat, names)
        out["macro_f1"] = macro_f1(truth_cat, predicted_cat)
    return out
