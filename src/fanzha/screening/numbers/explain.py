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
from typing import TypeGuard

import numpy as np

TEMPLATES_PATH = Path(__file__).parent / "data" / "explain_zh.json"
_PLACEHOLDER = re.compile(r"\{([a-z0-9_]+):([a-z]+)\}")
_BETWEEN_WORDS = re.compile(r"(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])")


@dataclass(frozen=True, slots=True)
class Reason:
    feature: str
    contribution: float  # log-odds added by this feature
    text: str  # Chinese, with the row's values


Template = str | dict[str, str]  # a template, or {"if": "conditions", "text": template}
_CONDITION = re.compile(r"\s*([a-z0-9_]+)\s*(?:(==|>)\s*(\d+(?:\.\d+)?)|(missing))\s*")


@cache
def templates() -> dict[str, list[Template]]:
    data = json.loads(TEMPLATES_PATH.read_text(encoding="utf-8"))
    return {k: v for k, v in data.items() if not k.startswith("_")}


def _below_one(v: float, unit: str) -> str | None:
    """``不到 0.1 MB`` for a small positive value that one decimal would show as 0."""
    return f"不到 0.1{unit}" if 0 < v < 0.05 else None


def _num(v: float, unit: str = "") -> str:
    """Thousands separated, at most one decimal (``1,234.5``, ``3``); ``不到 0.1`` above 0 and below 0.05."""
    small = _below_one(v, unit)
    if small:
        return small
    text = f"{v:,.1f}".removesuffix(".0")
    return ("0" if text == "-0" else text) + unit


def _pct(v: float) -> str:
    """A share as a percentage that never reads 0 % or 100 % when it is not exactly that."""
    if 0 < v < 0.005:
        return "不到 1 %"
    if 0.995 <= v < 1:
        return "超过 99 %"
    return f"{v * 100:.0f} %"


def _sec(v: float) -> str:
    if 0 < v < 1:
        return "不到 1 秒"
    if v < 119.5:
        return f"{v:.0f} 秒"
    if v < 7170:  # 119.5 minutes and more read as hours
        return f"{v / 60:.1f}".removesuffix(".0") + " 分钟"
    return f"{v / 3600:,.1f}".removesuffix(".0") + " 小时"


def _yuan(v: float) -> str:
    return (f"{v:,.2f}" if 0 < abs(v) < 0.05 else f"{v:,.1f}") + " 元"


FORMATS: dict[str, Callable[[float], str]] = {
    "int": lambda v: f"{v:,.0f}",
    "pct": _pct,
    "sec": _sec,
    "num": _num,
    "hour": lambda v: f"{v:.0f} 点",
    "day": lambda v: f"每月 {v:.0f} 日",
    "yuan": _yuan,
    "mb": lambda v: _num(v, " MB"),
}


def render(feature: str, values: dict[str, float]) -> str | None:
    """The first template of ``feature`` whose conditions hold and placeholders all have values; the
    missing records (没有主叫记录) when the feature has no value and no template says what that means;
    None when no sentence states the value correctly (it is then not given as a reason).

    A value of 0 uses the ``feature@0`` templates when there are any ("没有记录城市" rather than "0 个城市").
    """
    zero = values.get(feature) == 0 and f"{feature}@0" in templates()
    for template in templates().get(f"{feature}@0" if zero else feature, []):
        text = template if isinstance(template, str) else template["text"]
        if isinstance(template, dict) and not _holds(template["if"], values):
            continue
        parts = _PLACEHOLDER.findall(text)
        if all(_has(values.get(name)) for name, _ in parts):
            text = _PLACEHOLDER.sub(lambda m: FORMATS[m.group(2)](float(values[m.group(1)])), text)
            return _BETWEEN_WORDS.sub("", text)  # "占全部通话的不到 1 %", not "的 不到 1 %"
    return None if _has(values.get(feature)) else _missing(feature, values)


def _holds(conditions: str, values: dict[str, float]) -> bool:
    """Whether every comma-separated condition (``voccalltype1 missing``, ``city_name_nunique == 0``,
    ``opposite_count > 0``) holds; a missing value is neither equal to nor above anything."""
    for condition in conditions.split(","):
        match = _CONDITION.fullmatch(condition)
        if not match:
            raise ValueError(f"explain_zh.json 的条件无法识别：{condition!r}")
        name, op, number, missing = match.groups()
        value = values.get(name)
        if missing:
            if _has(value):
                return False
        elif not _has(value) or not (value == float(number) if op == "==" else value > float(number)):
            return False
    return True


# Hour features (of calls, of SMS) and the count that says the number has such records at all: with
# records but no hour, their times were dates without a time of day.
_HOURS = (("voc_hour_", "opposite_count", "通话"), ("hour_", "sms_count", "短信"))

# The columns of calls (no value: the number has no call records) and of outgoing calls alone (no value
# with calls: the number only received them — 没有主叫记录, not a missing city or handset).
OUTGOING_COLUMNS = frozenset({"voccalltype1", "voc_calltype1", "imeis", "city_name_call", "county_name_call"})
CALL_COLUMNS = frozenset(
    {"opposite_count", "opposite_unique", "calltype_id_unique", "city_name_nunique", "county_name_nunique"}
    | {f"{p}_{s}" for p in ("phone2opposite", "phone2oppo_sum") for s in ("mean", "median", "max")}
    | {f"call_dur_{s}" for s in ("mean", "median", "max", "min")}
    | {f"voc_{p}_{s}" for p in ("hour", "day") for s in ("mode", "mode_count", "nunique")}
    | OUTGOING_COLUMNS
)


def _missing(feature: str, values: dict[str, float]) -> str | None:
    """A feature without a value, as the records that are missing (没有消费记录, 没有主叫记录) where that is
    known; None where it is not (the absence is then no reason to give)."""
    from fanzha.screening.numbers import sources  # (it reads the model module: not at import time)

    made = set(sources.made_of(feature))
    for name in made:
        for prefix, count, kind in _HOURS:
            if name.startswith(prefix) and _positive(values.get(count)):
                return f"{kind}记录的时间只有日期，没有时刻"
    source = sources.source_of(feature)
    if feature.startswith("g_nb_mean_"):  # no contact has a value (with no contact: its templates say so)
        if made & OUTGOING_COLUMNS:
            return "联系过的号码都没有主叫记录"
        return f"联系过的号码都没有{sources.SOURCES[source][0]}记录" if source else None
    if made & CALL_COLUMNS and not _positive(values.get("opposite_count")):
        return "没有通话记录"
    if made & OUTGOING_COLUMNS and not _positive(values.get("voccalltype1")):
        return "没有主叫记录"
    return f"没有{sources.SOURCES[source][0]}记录" if source else None


def _positive(v: float | None) -> bool:
    return _has(v) and v > 0


def _has(v: float | None) -> TypeGuard[float]:
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
            if text is None or text in seen:  # no correct sentence; two features said by the same one
                continue
            seen.add(text)
            reasons.append(Reason(names[j], float(row[j]), text))
        out.append(reasons)
    return out
