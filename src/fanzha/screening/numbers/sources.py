"""Scoring an extract that lacks some of the sources the model was trained with.

The Sichuan numbers carry every source: SMS, app traffic, spending, and the city, county and handset of
each call. In them a number without a spending record is nearly always fraud (174 of 174 labelled) and
calls without a city mostly are, so a model trained there reads a *missing source* as evidence — and an
operator extract of calls only would be flagged nearly whole. A source is **absent** from a table when
no row has a value other than 0 in any of its columns (what ``fanzha numbers features`` writes when the
records are not given). Such a table is scored by the ``partial`` ensemble: trained on copies of the
labelled rows with sets of sources removed (their columns unknown, in the whole graph), each copy told
by one availability flag per source which ones it has — so "no spending record" stays evidence where
spending was extracted and means nothing where it was not.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from fanzha.screening.numbers.features import FEATURE_NAMES
from fanzha.screening.numbers.model import DERIVED, Table, base_matrix

_SMS = ["sms_count", "sms_nunique", "sms_rate", "calltype_2", "calltype_rate"]
_SMS += ["hour_mode", "hour_mode_count", "hour_nunique", "day_mode", "day_mode_count", "day_nunique"]
_APPS = ["busi_count", "flow_mean", "flow_median", "flow_min", "flow_max", "flow_var", "flow_sum"]
_APPS += ["month_ids", "flow_month"]

# source → (Chinese name, its columns among FEATURE_NAMES)
SOURCES: dict[str, tuple[str, tuple[str, ...]]] = {
    "sms": ("短信", tuple(_SMS)),
    "apps": ("上网流量", tuple(_APPS)),
    "spending": ("消费", tuple(name for name in FEATURE_NAMES if name.startswith("arpu_"))),
    "imei": ("通话终端（IMEI）", ("imeis",)),
    "city": ("通话城市", ("city_name_call", "city_name_nunique")),
    "county": ("通话区县", ("county_name_call", "county_name_nunique")),
}
FLAG_NAMES = [f"has_{source}" for source in SOURCES]
PARTIAL = "partial"

# The sets removed from copies of the training rows: what operator extracts lack (calls alone, calls
# with place and handset, calls with SMS, …) and each source alone.
TRAINING_SETS: tuple[frozenset[str], ...] = tuple(
    frozenset(names.split())
    for names in (
        "sms apps spending imei city county",
        "sms apps spending",
        "sms apps spending imei",
        "sms apps spending county",
        "sms apps spending imei county",
        "apps spending imei city county",
        "apps spending",
        "apps spending imei county",
        "spending imei city county",
        "spending",
        "apps",
        "sms",
        "imei",
        "county",
        "imei city county",
    )
)


def _columns(sources: frozenset[str] | set[str]) -> list[int]:
    return [FEATURE_NAMES.index(c) for s in sorted(sources) for c in SOURCES[s][1]]


def absent(table: Table) -> frozenset[str]:
    """The sources no row of ``table`` has a value for (none for an empty table)."""
    if not len(table.X):
        return frozenset()
    found = set()
    for source in SOURCES:
        values = table.X[:, _columns({source})]
        if not np.any(np.nan_to_num(values, nan=0.0) != 0):
            found.add(source)
    return frozenset(found)


def describe(sources: frozenset[str]) -> str:
    """``短信、消费`` — the Chinese names, in the order of SOURCES."""
    return "、".join(name for source, (name, _) in SOURCES.items() if source in sources)


def without(table: Table, sources: frozenset[str]) -> Table:
    """A copy of ``table`` whose columns of ``sources`` are unknown (NaN) in every row."""
    X = table.X.copy()
    X[:, _columns(sources)] = np.nan
    return replace(table, X=X)


def partial_matrix(table: Table, sources: frozenset[str]) -> tuple[np.ndarray, list[str]]:
    """The ``partial`` ensemble's matrix of ``table`` without ``sources``: base features and the flags."""
    base, names = base_matrix(without(table, sources))
    flags = np.array([0.0 if source in sources else 1.0 for source in SOURCES])
    return np.hstack([base, np.tile(flags, (len(base), 1))]), [*names, *FLAG_NAMES]


def source_of(feature: str) -> str:
    """The optional source a feature is made of (its own column, a ratio's terms, a neighbour mean's
    feature), or ``""`` for one made of calls alone."""
    names = made_of(feature)
    for source, (_, columns) in SOURCES.items():
        if any(name in columns for name in names):
            return source
    return ""


def unspoken(sources: frozenset[str]) -> set[str]:
    """What a reason must not name when ``sources`` are absent: their features, those made of them, flags."""
    gone = {c for s in sources for c in SOURCES[s][1]}
    made = {name for name in DERIVED if gone.intersection(made_of(name))}
    return {*FLAG_NAMES, *gone, *made, *(f"g_nb_mean_{c}" for c in gone)}


def made_of(feature: str) -> list[str]:
    """The 55-feature columns a feature is computed from: a ratio's terms, a neighbour mean's feature."""
    if feature in DERIVED:
        return "*".join(DERIVED[feature]).split("*")
    return [feature.removeprefix("g_nb_mean_")]


def training_copies(table: Table, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """The labelled ``rows`` once per TRAINING_SETS entry: matrix, labels, which row each copy is, names."""
    blocks: list[np.ndarray] = []
    names: list[str] = []
    for sources in TRAINING_SETS:
        X, names = partial_matrix(table, sources)
        blocks.append(X[rows])
    count = len(TRAINING_SETS)
    return np.vstack(blocks), np.tile(table.label[rows], count), np.tile(np.arange(len(rows)), count), names
