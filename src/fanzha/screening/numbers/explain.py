"""Chinese explanations of number scores from LightGBM feature contributions (TreeSHAP).

Each score is explained by the features that pushed it up most; each feature is rendered through the
reviewed templates in data/explain_zh.json, with the row's own values ("78 % 的通话短于 10 秒").
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

TEMPLATES_PATH = Path(__file__).parent / "data" / "explain_zh.json"
_PLACEHOLDER = re.compile(r"\{([a-z0-9_]+):([a-z]+)\}")


@dataclass(frozen=True, slots=True)
class Reason:
    feature: str
    contribution: float  # log-odds added by this feature
    text: str  # Chinese, with the row's values


@cache
def templates() -> dict[str, list[str]]:
    data = json.loads(TEMPLATES_PATH.read_text(encoding="utf-8"))
    return {k: v for k, v in data.items() if not k.startswith("_")}


def _sec(v: float) -> str:
    if v < 120:
        return f"{v:.0f} 秒"
    if v < 7200:
        return f"{v / 60:.1f} 分钟"
    return f"{v / 3600:.1f} 小时"


FORMATS: dict[str, Callable[[float], str]] = {
    "int": lambda v: f"{v:,.0f}",
    "pct": lambda v: f"{v * 100:.0f} %",
    "sec": _sec,
    "num": lambda v: f"{v:.1f}",
    "hour": lambda v: f"{v:.0f} 点",
    "day": lambda v: f"每月 {v:.0f} 日",
    "yuan": lambda v: f"{v:.1f} 元",
    "mb": lambda v: f"{v:,.1f} MB",
}


def render(feature: str, values: dict[str, float]) -> str:
    """The first template of ``feature`` whose placeholders all have values; a plain fallback otherwise.

    A value of 0 uses the ``feature@0`` templates when there are any ("没有记录城市" rather than "0 个城市").
    """
    zero = values.get(feature) == 0 and f"{feature}@0" in templates()
    for template in templates().get(f"{feature}@0" if zero else feature, []):
        parts = _PLACEHOLDER.findall(template)
        if all(_has(values.get(name)) for name, _ in parts):
            return _PLACEHOLDER.sub(lambda m: FORMATS[m.group(2)](float(values[m.group(1)])), template)
    value = values.get(feature)
    return f"{feature} = {value:.3g}" if _has(value) else _missing(feature, values)


# Hour features (of calls, of SMS) and the count that says the number has such records at all: with
# records but no hour, their times were dates without a time of day.
_HOURS = (("voc_hour_", "opposite_count", "通话"), ("hour_", "sms_count", "短信"))


def _missing(feature: str, values: dict[str, float]) -> str:
    """A feature without a value, as the record that is missing (没有消费记录) where it is known."""
    from fanzha.screening.numbers import sources  # (it reads the model module: not at import time)

    for name in sources.made_of(feature):
        for prefix, count, kind in _HOURS:
            if name.startswith(prefix) and _has(values.get(count)) and values[count] > 0:
                return f"{kind}记录的时间只有日期，没有时刻"
    source = sources.source_of(feature)
    if not source:
        return f"{feature} 缺失"
    whose = "联系过的号码都" if feature.startswith("g_nb_mean_") else ""
    return f"{whose}没有{sources.SOURCES[source][0]}记录"


def _has(v: float | None) -> bool:
    return v is not None and not (isinstance(v, float) and math.isnan(v))


def explain_rows(
    contrib: np.ndarray, names: list[str], values: list[dict[str, float]], top: int = 3
) -> list[list[Reason]]:
    """Top positive contributions per row (``contrib`` from ``Booster.predict(..., pred_contrib=True)``)."""
    out: list[list[Reason]] = []
    for row, vals in zip(contrib[:, : len(names)], values, strict=True):
        order = np.argsort(-row)
        reasons: list[Reason] = []
        seen: set[str] = set()
        for j in order:
            if row[j] <= 0 or len(reasons) >= top:
                break
            text = render(names[j], vals)
            if text in seen:  # two features rendered by the same sentence
                continue
            seen.add(text)
            reasons.append(Reason(names[j], float(row[j]), text))
        out.append(reasons)
    return out
