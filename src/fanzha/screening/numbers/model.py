# ruff: noqa: S608 -- SQL is built from fixed fragments; file paths are quoted, values are bound parameters
"""Gradient-boosted trees over per-number features plus call-graph features.

A model file is JSON (no pickle): feature names, the decision threshold, how it was chosen, and two
ensembles of LightGBM boosters as text — ``with_labels`` (uses label-neighbour features, for inputs that carry
known labels, e.g. the Sichuan set) and ``no_labels`` (for a raw operator extract with no labels).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import lightgbm as lgb
import numpy as np
from scipy import sparse

from fanzha.screening.numbers import graph
from fanzha.screening.numbers.features import EXTRA_NAMES, FEATURE_NAMES, connect

MODEL_VERSION = 1
DEFAULT_MODEL = Path(__file__).parent / "models" / "sichuan_lgbm.json"
SEED = 20240606
N_FOLDS = 5
PARAMS = {
    "objective": "binary",
    "learning_rate": 0.03,
    "num_leaves": 31,
    "min_data_in_leaf": 20,
    "feature_fraction": 0.7,
    "bagging_fraction": 0.8,
    "bagging_freq": 1,
    "lambda_l2": 1.0,
    "verbose": -1,
    "num_threads": 2,
    "deterministic": True,
    "force_row_wise": True,
}
N_ROUNDS = 250
N_SEEDS = 3
KINDS = ("with_labels", "no_labels")
# Ratios (and one product) of the 55 features that trees cannot form on their own:
# name -> (numerator, denominator); a term may be a product "a*b"; no denominator: the numerator alone.
DERIVED: dict[str, tuple[str, str]] = {
    "d_unique_per_call": ("opposite_unique", "opposite_count"),
    "d_sms_per_call": ("sms_count", "opposite_count"),
    "d_peak_hour_share": ("voc_hour_mode_count", "opposite_count"),
    "d_peak_day_share": ("voc_day_mode_count", "opposite_count"),
    "d_calls_per_day": ("opposite_count", "voc_day_nunique"),
    "d_imei_per_outgoing": ("imeis", "voccalltype1"),
    "d_outgoing_city_share": ("city_name_call", "city_name_nunique"),
    "d_outgoing_per_day": ("voccalltype1", "voc_day_nunique"),
    "d_sms_in_per_day": ("calltype_2", "day_nunique"),
    "d_flow_per_arpu": ("flow_sum", "arpu_sum"),
    "d_dur_mean_per_median": ("call_dur_mean", "call_dur_median"),
    "d_top_counterpart_share": ("phone2opposite_max", "opposite_count"),
    "d_top_counterpart_dur_share": ("phone2oppo_sum_max", "call_dur_mean*opposite_count"),
    "d_total_duration": ("call_dur_mean*opposite_count", ""),
    "d_counties_per_city": ("county_name_nunique", "city_name_nunique"),
    "d_sms_distinct_share": ("sms_nunique", "sms_count"),
    "d_apps_per_call": ("busi_count", "opposite_count"),
    "d_flow_per_month": ("flow_sum", "month_ids"),
    "d_hours_per_day": ("voc_hour_nunique", "voc_day_nunique"),
    "d_counterparts_per_day": ("opposite_unique", "voc_day_nunique"),
    "d_imei_per_day": ("imeis", "voc_day_nunique"),
    "d_outgoing_county_share": ("county_name_call", "county_name_nunique"),
}


@dataclass
class Table:
    """A per-number feature table with optional labels and call-graph edges (node positions)."""

    node_id: np.ndarray  # int64 identifiers as given
    phone: list[str]
    X: np.ndarray  # float64, columns FEATURE_NAMES, NaN when missing
    label: np.ndarray  # float64: 1, 0 or NaN (unknown)
    adj: sparse.csr_matrix
    extra: dict[str, np.ndarray] = field(default_factory=dict)  # EXTRA_NAMES columns when present

    @property
    def labelled(self) -> np.ndarray:
        return np.asarray(~np.isnan(self.label))

    def column(self, name: str) -> np.ndarray:
        return self.X[:, FEATURE_NAMES.index(name)]


_THREADS = 2  # predicting: PARAMS["num_threads"]; the trained model may carry 1 (small training data)


class Ensemble:
    """Boosters trained with different seeds; the score is the sigmoid of their mean log-odds."""

    def __init__(self, boosters: list[lgb.Booster]) -> None:
        self.boosters = boosters

    def feature_name(self) -> list[str]:
        return list(self.boosters[0].feature_name())

    def raw(self, X: np.ndarray) -> np.ndarray:
        return np.asarray(
            np.mean([b.predict(X, raw_score=True, num_threads=_THREADS) for b in self.boosters], axis=0)
        )

    def predict(self, X: np.ndarray) -> np.ndarray:
        return np.asarray(1.0 / (1.0 + np.exp(-self.raw(X))))

    def contrib(self, X: np.ndarray) -> np.ndarray:
        """Mean TreeSHAP contributions (last column: the bias), additive in log-odds."""
        return np.asarray(
            np.mean([b.predict(X, pred_contrib=True, num_threads=_THREADS) for b in self.boosters], axis=0)
        )


@dataclass
class Model:
    thresholds: dict[str, float]
    boosters: dict[str, Ensemble]
    feature_names: dict[str, list[str]]
    info: dict[str, Any] = field(default_factory=dict)

    def save(self, path: Path) -> None:
        doc = {
            "version": MODEL_VERSION,
            "thresholds": self.thresholds,
            "feature_names": self.feature_names,
            "info": self.info,
            "boosters": {k: [b.model_to_string() for b in e.boosters] for k, e in self.boosters.items()},
        }
        Path(path).write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, path: Path | None = None) -> Model:
        doc = json.loads(Path(path or DEFAULT_MODEL).read_text(encoding="utf-8"))
        if doc.get("version") != MODEL_VERSION:
            raise ValueError(f"模型文件版本不符：{doc.get('version')}（需要 {MODEL_VERSION}）")
        boosters = {k: Ensemble([lgb.Booster(model_str=s) for s in v]) for k, v in doc["boosters"].items()}
        return cls(doc["thresholds"], boosters, doc["feature_names"], doc.get("info", {}))


def load_table(features: str | Path, edges: str | Path | None = None) -> Table:
    """Read a features file (CSV or Parquet: node_id, phone_no_m, the 55 features, optional label) and
    an edges file (src, dst, optional weight). Raises ValueError (Chinese) for a file it cannot use."""
    con = connect()  # memory limit, threads, no extension downloads
    rel = _read(con, features, "特征文件")
    cols = rel.columns
    missing = [c for c in ["node_id", *FEATURE_NAMES] if c not in cols]
    if missing:
        raise ValueError("特征文件缺少列：" + ", ".join(missing))
    _check_ids(con, "特征文件", "node_id", unique=True)
    extra = [c for c in EXTRA_NAMES if c in cols]
    num = ", ".join(
        f"coalesce(TRY_CAST({_ident(c)} AS DOUBLE), 'NaN'::DOUBLE) AS {_ident(c)}"
        for c in [*FEATURE_NAMES, *extra]
    )
    lab = "coalesce(TRY_CAST(label AS DOUBLE), 'NaN'::DOUBLE)" if "label" in cols else "'NaN'::DOUBLE"
    phone = (
        "coalesce(CAST(phone_no_m AS VARCHAR), '')" if "phone_no_m" in cols else "CAST(node_id AS VARCHAR)"
    )
    data = con.sql(
        f"SELECT CAST(node_id AS BIGINT) AS node_id, {phone} AS phone, {num}, {lab} AS label FROM rows"
    ).fetchnumpy()
    node_id = np.asarray(data["node_id"], dtype=np.int64)
    X = (
        np.column_stack([np.asarray(data[c], dtype=float) for c in FEATURE_NAMES])
        if len(node_id)
        else np.zeros((0, len(FEATURE_NAMES)))
    )
    adj = _read_edges(con, edges, node_id)
    ext = {c: np.asarray(data[c], dtype=float) for c in extra}
    return Table(
        node_id, [str(p) for p in data["phone"]], X, np.asarray(data["label"], dtype=float), adj, ext
    )


def _read_edges(
    con: duckdb.DuckDBPyConnection, edges: str | Path | None, node_id: np.ndarray
) -> sparse.csr_matrix:
    n = len(node_id)
    if edges is None:
        return sparse.csr_matrix((n, n))
    cols = _read(con, edges, "边文件").columns
    if not {"src", "dst"} <= set(cols):
        raise ValueError(f"边文件需要列 src, dst（可选 weight），现有列：{', '.join(cols)}")
    _check_ids(con, "边文件", "src")
    _check_ids(con, "边文件", "dst")
    weight = "coalesce(TRY_CAST(weight AS DOUBLE), 1.0)" if "weight" in cols else "1.0"
    e = con.sql(
        f"SELECT CAST(src AS BIGINT) AS src, CAST(dst AS BIGINT) AS dst, {weight} AS weight FROM rows"
    ).fetchnumpy()  # an edges file with no rows is an empty graph
    return edges_to_adj(
        node_id,
        np.asarray(e["src"], dtype=np.int64),
        np.asarray(e["dst"], dtype=np.int64),
        np.asarray(e["weight"], dtype=float),
    )


def phones_of(features: str | Path) -> dict[str, str]:
    """node_id → phone_no_m (or the node_id when there is none) of a features file (CSV or Parquet)."""
    con = connect()
    cols = _read(con, features, "特征文件").columns
    if "node_id" not in cols:
        raise ValueError("特征文件缺少列：node_id")
    phone = "CAST(phone_no_m AS VARCHAR)" if "phone_no_m" in cols else "NULL"
    rows = con.sql(f"SELECT CAST(node_id AS VARCHAR), {phone} FROM rows").fetchall()
    return {str(node): str(number or node) for node, number in rows}


def _read(con: duckdb.DuckDBPyConnection, path: str | Path, what: str) -> duckdb.DuckDBPyRelation:
    """``path`` (Parquet by its suffix, else CSV as text) as the view ``rows``; Chinese errors."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{what}不存在：{path}")
    if path.stat().st_size == 0:
        raise ValueError(f"{what}是空文件（连表头都没有）：{path}")
    parquet = path.suffix.lower() in {".parquet", ".pq"}
    source = (
        f"read_parquet('{_q(path)}')" if parquet else f"read_csv('{_q(path)}', header=true, all_varchar=true)"
    )
    try:
        con.execute(f"CREATE OR REPLACE TEMP VIEW rows AS SELECT * FROM {source}")
        return con.sql("SELECT * FROM rows")
    except duckdb.Error as exc:
        first = str(exc).splitlines()[0]
        raise ValueError(f"{what}无法读取（须为 UTF-8 的 CSV 或 Parquet）：{path}：{first}") from exc


def _check_ids(con: duckdb.DuckDBPyConnection, what: str, column: str, *, unique: bool = False) -> None:
    """Every ``column`` of the view ``rows`` an integer (and, with ``unique``, each once)."""
    col = _ident(column)
    bad = con.sql(f"SELECT {col} FROM rows WHERE TRY_CAST({col} AS BIGINT) IS NULL LIMIT 3").fetchall()
    if bad:
        raise ValueError(f"{what}的 {column} 须为整数，例如这些不是：{', '.join(str(b[0]) for b in bad)}")
    if unique:
        twice = con.sql(f"SELECT {col} FROM rows GROUP BY 1 HAVING count(*) > 1 LIMIT 3").fetchall()
        if twice:
            raise ValueError(f"{what}的 {column} 有重复：{', '.join(str(t[0]) for t in twice)}")


def edges_to_adj(
    node_id: np.ndarray, src: np.ndarray, dst: np.ndarray, weight: np.ndarray
) -> sparse.csr_matrix:
    n = len(node_id)
    if n and node_id[0] == 0 and node_id[-1] == n - 1 and np.array_equal(node_id, np.arange(n)):
        # node ids are the row positions (as features.build numbers them): no search needed
        src, dst = np.asarray(src, dtype=np.int64), np.asarray(dst, dtype=np.int64)
        return graph.adjacency(n, src, dst, weight)
    order = np.argsort(node_id)
    sorted_ids = node_id[order]

    def pos(ids: np.ndarray) -> np.ndarray:
        i = np.searchsorted(sorted_ids, ids)
        i = np.clip(i, 0, max(len(sorted_ids) - 1, 0))
        ok = (sorted_ids[i] == ids) if len(sorted_ids) else np.zeros(len(ids), dtype=bool)
        return np.where(ok, order[i] if len(order) else -1, -1)

    return graph.adjacency(len(node_id), pos(src), pos(dst), weight)


def _q(path: str | Path) -> str:
    return str(path).replace("'", "''")


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


# ---------------------------------------------------------------- matrices


def _term(table: Table, term: str) -> np.ndarray:
    """A feature column, or the product of ``a*b`` (NaN where either is missing)."""
    names = term.split("*")
    value = table.column(names[0])
    for name in names[1:]:
        value = value * table.column(name)
    return value


def derived(table: Table) -> np.ndarray:
    cols = []
    for a, b in DERIVED.values():
        num = _term(table, a)
        if not b:
            cols.append(num)
            continue
        den = _term(table, b)
        cols.append(np.divide(num, den, out=np.full(len(num), np.nan), where=den > 0))
    return np.column_stack(cols) if len(table.X) else np.zeros((0, len(DERIVED)))


def base_matrix(table: Table) -> tuple[np.ndarray, list[str]]:
    """The 55 features, derived ratios and structural graph features (no labels involved)."""
    feats = {name: table.column(name) for name in graph.NEIGHBOUR_MEAN_OF}
    struct = graph.structural(table.adj, feats)
    return np.hstack([table.X, derived(table), struct]), [*FEATURE_NAMES, *DERIVED, *graph.STRUCT_NAMES]


def folds_for(labels: np.ndarray, seed: int, k: int = N_FOLDS) -> np.ndarray:
    """Stratified fold ids for a vector of 0/1 labels."""
    rng = np.random.default_rng(seed)
    folds = np.empty(len(labels), dtype=int)
    for cls in (0, 1):
        idx = np.flatnonzero(labels == cls)
        rng.shuffle(idx)
        folds[idx] = np.arange(len(idx)) % k
    return folds


def fit_ensemble(
    X: np.ndarray, y: np.ndarray, names: list[str], seed: int, n_seeds: int = N_SEEDS
) -> Ensemble:
    return Ensemble([fit_booster(X, y, names, seed + 7919 * k) for k in range(n_seeds)])


def fit_booster(X: np.ndarray, y: np.ndarray, names: list[str], seed: int) -> lgb.Booster:
    params = dict(PARAMS, seed=seed, bagging_seed=seed, feature_fraction_seed=seed, data_random_seed=seed)
    params["num_threads"] = 1 if len(y) < 20000 else PARAMS["num_threads"]  # threads only pay on big data
    ds = lgb.Dataset(X, label=y, feature_name=names, free_raw_data=True)
    return lgb.train(params, ds, num_boost_round=N_ROUNDS)


def train_matrix(table: Table, base: np.ndarray, rows: np.ndarray, seed: int) -> np.ndarray:
    """Training matrix with out-of-fold label-neighbour features for the labelled ``rows``."""
    folds = folds_for(table.label[rows], seed + 1)
    lab = graph.label_features_oof(table.adj, table.label, rows, folds)
    return np.hstack([base[rows], lab])


def score_matrix(table: Table, base: np.ndarray, visible: np.ndarray) -> np.ndarray:
    return np.hstack([base, graph.label_features(table.adj, table.label, visible)])


def fit_pair(
    table: Table,
    base: np.ndarray,
    names: list[str],
    rows: np.ndarray,
    seed: int,
    kinds: tuple[str, ...] = KINDS,
) -> dict[str, Ensemble]:
    """Ensembles for each kind: ``no_labels`` (features + graph) and ``with_labels`` (+ label neighbours)."""
    y = table.label[rows]
    out = {}
    if "with_labels" in kinds:
        X = train_matrix(table, base, rows, seed)
        out["with_labels"] = fit_ensemble(X, y, [*names, *graph.LABEL_NAMES], seed)
    if "no_labels" in kinds:
        out["no_labels"] = fit_ensemble(base[rows], y, names, seed)
    return out


# ---------------------------------------------------------------- predicting


def matrix_for(model: Model, table: Table, kind: str) -> tuple[np.ndarray, list[str]]:
    base, names = base_matrix(table)
    if kind == "with_labels":
        return score_matrix(table, base, table.labelled), [*names, *graph.LABEL_NAMES]
    return base, names


# ---------------------------------------------------------------- metrics and threshold


def auc(y: np.ndarray, s: np.ndarray) -> float:
    from scipy.stats import rankdata

    pos = y == 1
    n_pos, n_neg = int(pos.sum()), int((~pos).sum())
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    ranks = rankdata(s)
    return float((ranks[pos].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def macro_f1(y: np.ndarray, pred: np.ndarray) -> float:
    scores = []
    for cls in (0, 1):
        tp = np.sum((pred == cls) & (y == cls))
        fp = np.sum((pred == cls) & (y != cls))
        fn = np.sum((pred != cls) & (y == cls))
        scores.append(0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn))
    return float(np.mean(scores))


def best_threshold(y: np.ndarray, s: np.ndarray) -> float:
    """Threshold maximising macro-F1, smoothed: the middle of the thresholds within 0.002 of the best."""
    grid = np.round(np.arange(0.05, 0.951, 0.01), 2)
    f1 = np.array([macro_f1(y, (s >= t).astype(int)) for t in grid])
    good = grid[f1 >= f1.max() - 0.002]
    return float(np.median(good))
