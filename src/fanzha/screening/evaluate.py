"""`fanzha screen eval`: how well the engine does on a labelled table.

Labels may be binary (1/0, true/false, 是/否, fraud/normal, spam/ham), the FBS corpus's categories
(FR, IL, AD, Other, or fine ones such as `FR:Phishing(Bank)`), typology codes or their Chinese names.
"Predicted risky" means level medium or high, the level at which the platform acts.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from fanzha.screening.metrics import prf, roc_auc
from fanzha.screening.tables import Table, TableError
from fanzha.screening.typology import is_risky, load_typology, top_category

POSITIVE = {"1", "true", "yes", "y", "是", "fraud", "spam", "phishing", "risky", "诈骗", "1.0"}
NEGATIVE = {"0", "0.0", "false", "no", "n", "否", "不是", "normal", "ham", "legitimate", "benign", "正常"}
TOP = ("FR", "IL", "AD", "Other")
LONG_DIGITS = re.compile(r"\d{7,}")
ACCEPTED = (
    "可用的标签：1/0、true/false、是/否、fraud/normal、spam/ham、诈骗/正常，FBS 类别（FR、IL、AD、Other），"
    "或类型代码与中文类型名（如 impersonate_authority、冒充公检法及政府机关）"
)


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
    if not labels:
        raise TableError("文件没有数据行，无法评估")
    mode = label_mode(labels)
    kept = [i for i, v in enumerate(labels) if label_known(v, mode)]
    if not kept:
        raise TableError(f"标签列“{label}”中没有可识别的标签（{_values_seen(labels)}）。{ACCEPTED}")
    left_out = Counter(v for v in labels if not label_known(v, mode))
    items, labels = [items[i] for i in kept], [labels[i] for i in kept]
    results = []
    for start in range(0, len(items), 2000):
        batch = items[start : start + 2000]
        results.extend(engine.screen_texts(batch) if kind == "texts" else engine.screen_urls(batch))
    labelled = Labelled(
        truth=[label_is_risky(v, mode) for v in labels],
        groups=[label_group(v, mode) for v in labels],
        scores=np.array([r.score for r in results]),
        levels=[r.level for r in results],
        predicted_groups=[predicted_group(r.category, mode) for r in results],
    )
    text = report(labelled, mode, unreadable=sum(bool(r.error) for r in results))
    return text + _left_out_note(left_out) if left_out else text


def label_mode(labels: Sequence[str]) -> str:
    """binary | top (FBS top categories) | code (typology codes or names): the reading that recognises
    the most labels (a stray value in a file of 0/1 does not make every label a type name)."""
    known = {mode: sum(label_known(v, mode) for v in labels) for mode in ("binary", "top", "code")}
    return max(known, key=lambda mode: known[mode])  # on a tie the first: binary, top, code


def label_known(value: str, mode: str) -> bool:
    """Whether the label means something in this mode (an empty one never does)."""
    if not value:
        return False
    if mode == "binary":
        return value.lower() in POSITIVE | NEGATIVE
    if mode == "top":
        return value.split(":")[0] in TOP
    return bool(_code(value))


def _values_seen(labels: Sequence[str]) -> str:
    values = Counter(v for v in labels if v)
    if not values:
        return "标签都是空的"
    shown = "、".join(_shown_label(v) for v, _ in values.most_common(5))
    return f"见到的值：{shown}{' 等' if len(values) > 5 else ''}"


def _shown_label(value: str) -> str:
    """A label as a message quotes it: short, digit runs that could be a number or account masked (a
    text column given as the label column would otherwise print messages)."""
    value = LONG_DIGITS.sub(lambda m: m[0][:3] + "*" * (len(m[0]) - 5) + m[0][-2:], value)
    return value if len(value) <= 20 else value[:20] + "…"


def _left_out_note(left_out: Counter[str]) -> str:
    blank = left_out.pop("", 0)
    parts = []
    if left_out:
        values = ", ".join(f"{_shown_label(v)} ×{n}" for v, n in left_out.most_common(5))
        more = " 等" if len(left_out) > 5 else ""
        parts.append(f"{sum(left_out.values())} rows whose label is not recognised ({values}{more})")
    if blank:
        parts.append(f"{blank} rows without a label")
    return "\nleft out of the figures: " + "; ".join(parts)


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
    """A line per true category, and the macro F1: the mean of the F1s on those lines (an item predicted
    as a category no label has still counts as missed for its own)."""
    flagged = Counter(g for g, lv in zip(data.groups, data.levels, strict=True) if lv in ("medium", "high"))
    support = Counter(data.groups)
    pairs = list(zip(data.groups, data.predicted_groups, strict=True))
    lines = ["per category: support, share flagged, precision, recall, f1 of the predicted category"]
    f1s = []
    for group in sorted(support, key=lambda g: -support[g]):
        tp = sum(t == group and p == group for t, p in pairs)
        fp = sum(t != group and p == group for t, p in pairs)
        fn = sum(t == group and p != group for t, p in pairs)
        p, r, f = prf(tp, fp, fn)
        f1s.append(f)
        share = flagged[group] / support[group]
        lines.append(
            f"  {group or '(blank)'}: n={support[group]} flagged={share:.3f} p={p:.3f} r={r:.3f} f1={f:.3f}"
        )
    lines.append(f"macro f1 over categories: {float(np.mean(f1s)):.4f}")
    return lines
