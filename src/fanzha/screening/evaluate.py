"""`fanzha screen eval`: how well the engine does on a labelled table.

Labels may be binary (1/0, true/false, 是/否, fraud/normal, spam/ham), the FBS corpus's categories
(FR, IL, AD, Other, or fine ones such as `FR:Phishing(Bank)`), typology codes or their Chinese names.
"Predicted risky" means level medium or high, the level at which the platform acts.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from fanzha.screening.metrics import macro_f1, prf, roc_auc
from fanzha.screening.tables import Table
from fanzha.screening.typology import is_risky, load_typology, top_category

POSITIVE = {"1", "true", "yes", "y", "是", "fraud", "spam", "phishing", "risky", "诈骗", "1.0"}
NEGATIVE = {"0", "false", "no", "n", "否", "normal", "ham", "legitimate", "benign", "正常", "0.0"}
TOP = ("FR", "IL", "AD", "Other")


@dataclass
class Labelled:
    truth: list[bool]  # risky or not
    groups: list[str]  # per-category truth (top category or typology code), "" when binary only
    scores: np.ndarray
    levels: list[str]
    predicted_groups: list[str]


def evaluate_table(table: Table, column: str, label: str, kind: str) -> str:
    from fanzha.screening import default_engine

    engine = default_engine()
    items, labels = [], []
    for row in table.rows:
        items.append(row.cells.get(column, ""))
        labels.append(row.cells.get(label, "").strip())
    results = []
    for start in range(0, len(items), 2000):
        batch = items[start : start + 2000]
        results.extend(engine.screen_texts(batch) if kind == "texts" else engine.screen_urls(batch))
    mode = label_mode(labels)
    labelled = Labelled(
        truth=[label_is_risky(v, mode) for v in labels],
        groups=[label_group(v, mode) for v in labels],
        scores=np.array([r.score for r in results]),
        levels=[r.level for r in results],
        predicted_groups=[predicted_group(r.category, mode) for r in results],
    )
    return report(labelled, mode, unreadable=sum(bool(r.error) for r in results))


def label_mode(labels: Sequence[str]) -> str:
    """binary | top (FBS top categories) | code (typology codes or names)."""
    values = {v.lower() for v in labels if v}
    if values <= POSITIVE | NEGATIVE:
        return "binary"
    if {v.split(":")[0] for v in labels if v} <= set(TOP):
        return "top"
    return "code"


def _code(value: str) -> str:
    typology = load_typology()
    if value in typology.codes():
        return value
    by_name = {typology.get(c).name: c for c in typology.codes()}
    return by_name.get(value, "")


def label_is_risky(value: str, mode: str) -> bool:
    if mode == "binary":
        return value.lower() in POSITIVE
    if mode == "top":
        return value.split(":")[0] in ("FR", "IL")
    code = _code(value)
    return bool(code) and is_risky(code)


def label_group(value: str, mode: str) -> str:
    if mode == "binary":
        return ""
    if mode == "top":
        return value.split(":")[0]
    return _code(value) or value


def predicted_group(category: str, mode: str) -> str:
    return top_category(category) if mode == "top" else category


# ── report ──────────────────────────────────────────────────────────────────


def report(data: Labelled, mode: str, unreadable: int = 0) -> str:
    truth = np.array(data.truth, dtype=bool)
    flagged = np.array([lv in ("medium", "high") for lv in data.levels], dtype=bool)
    tp, fp = int((truth & flagged).sum()), int((~truth & flagged).sum())
    fn, tn = int((truth & ~flagged).sum()), int((~truth & ~flagged).sum())
    precision, recall, f1 = prf(tp, fp, fn)
    lines = [
        f"rows: {len(truth)} (risky {int(truth.sum())}, not risky {int((~truth).sum())},"
        f" unreadable {unreadable})",
        "risky = fraud or illegal promotion; flagged = level medium or high",
        f"precision: {precision:.4f}",
        f"recall: {recall:.4f}",
        f"f1: {f1:.4f}",
        f"auc: {roc_auc(truth, data.scores):.4f}",
        "confusion matrix (rows truth, columns flagged):",
        "              flagged  not flagged",
        f"  risky      {tp:8d} {fn:12d}",
        f"  not risky  {fp:8d} {tn:12d}",
    ]
    if mode != "binary":
        lines += _per_category(data)
    return "\n".join(lines)


def _per_category(data: Labelled) -> list[str]:
    flagged = Counter(g for g, lv in zip(data.groups, data.levels, strict=True) if lv in ("medium", "high"))
    support = Counter(data.groups)
    lines = ["per category: support, share flagged, precision, recall, f1 of the predicted category"]
    for group in sorted(support, key=lambda g: -support[g]):
        pairs = list(zip(data.groups, data.predicted_groups, strict=True))
        tp = sum(t == group and p == group for t, p in pairs)
        fp = sum(t != group and p == group for t, p in pairs)
        fn = sum(t == group and p != group for t, p in pairs)
        p, r, f = prf(tp, fp, fn)
        share = flagged[group] / support[group]
        lines.append(
            f"  {group or '(blank)'}: n={support[group]} flagged={share:.3f} p={p:.3f} r={r:.3f} f1={f:.3f}"
        )
    lines.append(f"macro f1 over categories: {macro_f1(data.groups, data.predicted_groups):.4f}")
    return lines
