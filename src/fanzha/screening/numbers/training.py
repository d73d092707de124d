"""Training, threshold choice and validation for the number model.

Threshold: pooled out-of-fold scores of repeated stratified 5-fold CV over the labelled rows; the
threshold maximising macro-F1 (median of the thresholds within 0.002 of the best, on a 0.01 grid).
Inside every CV fold the label-neighbour features of the held-out rows are computed from the
training folds' labels only, and those of the training rows out of fold, as at real scoring time.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from typing import Any

import numpy as np

from fanzha.screening.numbers import sources
from fanzha.screening.numbers.model import (
    N_FOLDS,
    SEED,
    Ensemble,
    Model,
    Table,
    auc,
    base_matrix,
    best_threshold,
    fit_ensemble,
    fit_pair,
    folds_for,
    macro_f1,
    score_matrix,
)


def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def hide_labels(table: Table, keep: np.ndarray) -> Table:
    """A copy of ``table`` whose labels outside ``keep`` are unknown."""
    label = np.where(keep, table.label, np.nan)
    return replace(table, label=label)


def fit_predict(
    table: Table, base: np.ndarray, names: list[str], train_rows: np.ndarray, seed: int
) -> dict[str, np.ndarray]:
    """Train on ``train_rows`` (only their labels visible) and score every row both ways."""
    visible = np.zeros(len(table.label), dtype=bool)
    visible[train_rows] = True
    seen = hide_labels(table, visible)
    boosters = fit_pair(seen, base, names, train_rows, seed)
    return {
        "with_labels": boosters["with_labels"].predict(score_matrix(seen, base, visible)),
        "no_labels": boosters["no_labels"].predict(base),
    }  # (both kinds are always evaluated, so the report shows what the labelled neighbours add)


def oof_scores(
    table: Table, base: np.ndarray, names: list[str], rows: np.ndarray, seed: int
) -> dict[str, np.ndarray]:
    """Out-of-fold scores for ``rows`` (stratified 5-fold)."""
    folds = folds_for(table.label[rows], seed)
    out = {"with_labels": np.zeros(len(rows)), "no_labels": np.zeros(len(rows))}
    for fold in range(int(folds.max()) + 1):
        test = folds == fold
        pred = fit_predict(table, base, names, rows[~test], seed + fold)
        for kind in out:
            out[kind][test] = pred[kind][rows[test]]
    return out


def repeated_cv(table: Table, rows: np.ndarray, repeats: int = 3, seed: int = SEED) -> dict[str, Any]:
    """Repeated 5-fold CV on ``rows``: per-repeat AUC / macro-F1 and the pooled best threshold."""
    base, names = base_matrix(table)
    y = table.label[rows]
    result: dict[str, Any] = {}
    pooled: dict[str, list[np.ndarray]] = {"with_labels": [], "no_labels": []}
    for r in range(repeats):
        scores = oof_scores(table, base, names, rows, seed + 100 * r)
        for kind, s in scores.items():
            pooled[kind].append(s)
        _log(f"CV 第 {r + 1}/{repeats} 轮完成")
    for kind, runs in pooled.items():
        threshold = best_threshold(np.tile(y, repeats), np.concatenate(runs))
        result[kind] = {
            "threshold": threshold,
            "auc": [round(auc(y, s), 4) for s in runs],
            "macro_f1": [round(macro_f1(y, (s >= threshold).astype(int)), 4) for s in runs],
        }
    return result


def paper_protocol(
    table: Table, train_rows: np.ndarray, val_rows: np.ndarray, seed: int = SEED
) -> dict[str, Any]:
    """Train on ``train`` (threshold by CV inside train), evaluate on ``val``."""
    base, names = base_matrix(table)
    y_train = table.label[train_rows]
    oof = oof_scores(hide_labels(table, _mask(table, train_rows)), base, names, train_rows, seed)
    pred = fit_predict(table, base, names, train_rows, seed)
    y_val = table.label[val_rows]
    out = {}
    for kind in pred:
        t = best_threshold(y_train, oof[kind])
        s = pred[kind][val_rows]
        out[kind] = {
            "threshold": t,
            "auc": round(auc(y_val, s), 4),
            "macro_f1": round(macro_f1(y_val, (s >= t).astype(int)), 4),
            "macro_f1_at_0.5": round(macro_f1(y_val, (s >= 0.5).astype(int)), 4),
        }
    return out


def _mask(table: Table, rows: np.ndarray) -> np.ndarray:
    m = np.zeros(len(table.label), dtype=bool)
    m[rows] = True
    return m


def train_model(table: Table, *, repeats: int = 3, seed: int = SEED) -> Model:
    """Train on every labelled row; threshold from repeated CV on the same rows."""
    rows = np.flatnonzero(table.labelled)
    if len(rows) < 20 or len(np.unique(table.label[rows])) < 2:
        raise ValueError("标注行太少或只有一类，无法训练（至少 20 行且包含诈骗和正常两类）")
    cv = repeated_cv(table, rows, repeats=repeats, seed=seed)
    # keep the label-neighbour ensemble only if it beat the plain one in CV (it needs labels at scoring time)
    gain = float(np.mean(cv["with_labels"]["auc"]) - np.mean(cv["no_labels"]["auc"]))
    kinds = ("with_labels", "no_labels") if gain > 0.001 else ("no_labels",)
    _log(f"标注邻居特征的 CV AUC 增益 {gain:+.4f}，保留：{', '.join(kinds)}")
    base, names = base_matrix(table)
    boosters = fit_pair(table, base, names, rows, seed, kinds)
    thresholds = {kind: cv[kind]["threshold"] for kind in kinds}
    _log("缺少部分数据来源时用的模型（partial）：交叉验证选阈值 …")
    boosters[sources.PARTIAL], thresholds[sources.PARTIAL], partial_cv = train_partial(table, rows, seed)
    info = {
        "cv": cv,
        "partial_cv": partial_cv,
        "rows": int(len(rows)),
        "fraud": int(table.label[rows].sum()),
        "seed": seed,
        "label_gain": gain,
    }
    return Model(
        thresholds=thresholds,
        boosters=boosters,
        feature_names={kind: b.feature_name() for kind, b in boosters.items()},
        info=info,
    )


PARTIAL_SEEDS = 2  # its trees are larger (15 × the rows): two seeds keep the model file under 5 MB


def train_partial(table: Table, rows: np.ndarray, seed: int = SEED) -> tuple[Ensemble, float, dict[str, Any]]:
    """The ``partial`` ensemble (see :mod:`sources`) on copies of ``rows``; threshold from 5-fold CV.

    The copies of one row share its fold, so no row is scored by a booster that saw it without some source.
    """
    X, y, copy_of, names = sources.training_copies(table, rows)
    folds = folds_for(table.label[rows], seed + 3)[copy_of]
    oof = np.zeros(len(y))
    for fold in range(N_FOLDS):
        test = folds == fold
        oof[test] = fit_ensemble(X[~test], y[~test], names, seed + fold, PARTIAL_SEEDS).predict(X[test])
    threshold = best_threshold(y, oof)
    report: dict[str, Any] = {"threshold": threshold}
    for k, removed in enumerate(sources.TRAINING_SETS):
        part = slice(k * len(rows), (k + 1) * len(rows))
        label = "无" + sources.describe(removed)
        report[label] = {
            "auc": round(auc(y[part], oof[part]), 4),
            "macro_f1": round(macro_f1(y[part], (oof[part] >= threshold).astype(int)), 4),
        }
    _log(f"partial：阈值 {threshold}，{report}")
    return fit_ensemble(X, y, names, seed, PARTIAL_SEEDS), threshold, report
