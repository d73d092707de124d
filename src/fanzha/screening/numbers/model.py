# ruff: noqa: S608 -- SQL is built from fixed fragments; file paths are quoted, values are bound parameters
"""Gradient-boosted trees over per-number features plus call-graph features.

A model file is JSON (no pickle): feature names, the decision threshold, how it was chosen, and two
ensembles of LightGBM boosters as text — ``with_labels`` (uses label-neighbour features, for inputs that carry
known labels, e.g. the Sichuan set) and ``no_labels`` (for a raw operator extract with no labels).
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import lightgbm as lgb
import numpy as np
from scipy import sparse

from fanzha.screening.numbers import feature_values, graph, inputs, text_ids
from fanzha.screening.numbers.feature_values import ident as _ident
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

    node_id: np.ndarray  # int64 identifiers as given (text ids: internal numbers, see ``ids``)
    phone: list[str]
    X: np.ndarray  # float64, columns FEATURE_NAMES, NaN when missing
    label: np.ndarray  # float64: 1, 0 or NaN (unknown)
    adj: sparse.csr_matrix
    extra: dict[str, np.ndarray] = field(default_factory=dict)  # EXTRA_NAMES columns when present
    notes: list[str] = field(default_factory=list)  # what reading repaired (warnings for the user)
    ids: list[str] | None = None  # each row's node_id as written, when the file's ids are text

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
        where = Path(path or DEFAULT_MODEL)
        if not where.is_file():
            raise FileNotFoundError(f"模型文件不存在：{where}")
        try:
            doc = json.loads(where.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ValueError(f"模型文件无法读取（不是 fanzha numbers train 写出的 JSON）：{where}") from exc
        if not isinstance(doc, dict) or doc.get("version") != MODEL_VERSION:
            found = doc.get("version") if isinstance(doc, dict) else None
            raise ValueError(f"模型文件版本不符：{found}（需要 {MODEL_VERSION}）：{where}")
        try:
            boosters = {
                k: Ensemble([lgb.Booster(model_str=s) for s in v]) for k, v in doc["boosters"].items()
            }
            return cls(doc["thresholds"], boosters, doc["feature_names"], doc.get("info", {}))
        except (KeyError, TypeError, AttributeError, lgb.basic.LightGBMError) as exc:
            raise ValueError(f"模型文件内容不完整或已损坏：{where}") from exc


def load_table(features: str | Path, edges: str | Path | None = None) -> Table:
    """Read a features file (CSV or Parquet: node_id, phone_no_m, the 55 features, optional label) and
    an edges file (src, dst, optional weight). Raises ValueError (Chinese) for a file it cannot use;
    what it repaired (a missing feature column, text values, unusable edges …) is in ``Table.notes``."""
    con = connect()  # memory limit, threads, no extension downloads
    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="fanzha-score-") as scratch:
        cols = _read(con, features, "特征文件", _Reading(Path(scratch), notes, _FEATURE_ALIASES))
        if cols is None:
            raise ValueError(f"特征文件是空文件（连表头都没有）：{features}")
        _require_node_id(cols, features)
        text = text_ids.has_text(con, "node_id", _int_ok("node_id"))
        present = _feature_columns(con, cols, notes, text)
        as_written = text or _respelled(con)
        data = _fetch_features(con, cols, present, text, as_written)
        if text:
            node_id = text_ids.build_map(con, "node_id", data["node_key"])
        else:
            node_id = np.asarray(data["node_id"], dtype=np.int64)
        X = (
            np.column_stack([np.asarray(data[c], dtype=float) for c in FEATURE_NAMES])
            if len(node_id)
            else np.zeros((0, len(FEATURE_NAMES)))
        )
        ext = {c: np.array(data[c], dtype=float) for c in EXTRA_NAMES if c in cols}
        _finite(X, ext, notes)
        adj = _read_edges(con, edges, node_id, _Reading(Path(scratch), notes, _EDGE_ALIASES, text))
    con.close()
    phones = [str(p) for p in data["phone"]]
    ids = [str(t) for t in data["node_text"]] if as_written else None
    return Table(node_id, phones, X, np.asarray(data["label"], dtype=float), adj, ext, notes, ids)


def _respelled(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether a CSV's (or a text column's) integer ids are written otherwise than as the integer
    (``007``, ``12.0``, ``+5``, ``1.38e10``): then the outputs carry every id as written, as for text ids.
    A Parquet number column holds the number itself: its ids are the integers."""
    if str(con.sql("SELECT node_id FROM rows LIMIT 0").types[0]) != "VARCHAR":
        return False
    ((found,),) = con.sql(
        "SELECT count(*) FROM (SELECT 1 FROM rows "
        "WHERE node_id <> CAST(CAST(node_id AS BIGINT) AS VARCHAR) LIMIT 1)"
    ).fetchall()
    return bool(found)


_FEATURE_ALIASES = {"id": "node_id", "nodeid": "node_id"}
_EDGE_ALIASES = {"source": "src", "from": "src", "target": "dst", "to": "dst"}


@dataclass
class _Reading:
    scratch: Path  # for a transcoded copy of a GBK or UTF-16 file
    notes: list[str]  # warnings for the user
    aliases: dict[str, str]
    text: bool = False  # the features file's ids are text (text_ids): map the edges' ends through id_map


def _require_node_id(cols: list[str], features: str | Path) -> None:
    """A features file names its rows by node_id (or id): a raw extract given in its place is refused
    with what it lacks, before any column is read as an id."""
    if "node_id" not in cols:
        raise ValueError(
            f"特征文件缺少列：node_id（{inputs.existing_columns(cols[:10])}）：{features} 不是特征文件，"
            "请先用 fanzha numbers features 从原始记录生成特征"
        )


def _feature_columns(
    con: duckdb.DuckDBPyConnection, cols: list[str], notes: list[str], text: bool = False
) -> list[str]:
    """The feature columns the file has; missing ones are noted (too many, or no node_id: an error)."""
    if "node_id" not in cols:
        raise ValueError(f"特征文件缺少列：node_id（{inputs.existing_columns(cols[:10])}）")
    missing = [c for c in FEATURE_NAMES if c not in cols]
    if len(missing) > len(FEATURE_NAMES) // 2:
        raise ValueError("特征文件缺少列：" + ", ".join(missing))
    if missing:
        notes.append(f"特征文件缺少 {len(missing)} 列，按缺失值打分：" + ", ".join(missing))
    if text:
        text_ids.check(con, "node_id")
        text_ids.note_duplicates(con, "node_id", notes)
    else:
        _check_ids(con, "特征文件", "node_id")
        _note_duplicate_ids(con, notes)
    present = [c for c in FEATURE_NAMES if c in cols]
    feature_values.note_values(con, [*present, *(c for c in EXTRA_NAMES if c in cols)], notes)
    return present


def _fetch_features(
    con: duckdb.DuckDBPyConnection,
    cols: list[str],
    present: list[str],
    text: bool = False,
    as_written: bool = False,
) -> dict[str, Any]:
    """The columns as numbers (feature_values: thousands separators, full-width digits read; a negative
    value where a feature cannot be negative missing), NaN when missing; text ids as node_key (for
    id_map) and node_text (as written); integer ids as node_id, and node_text when ``as_written``."""
    names = [*FEATURE_NAMES, *(c for c in EXTRA_NAMES if c in cols)]
    read = [c for c in names if c in present or c in EXTRA_NAMES]
    inner = ", ".join(f"{feature_values.number_sql(_ident(c))} AS {_ident(c)}" for c in read)
    num = ", ".join(
        f"coalesce({feature_values.value_sql(c, _ident(c))}, 'NaN'::DOUBLE) AS {_ident(c)}"
        if c in read
        else f"'NaN'::DOUBLE AS {_ident(c)}"
        for c in names
    )
    lab = "coalesce(TRY_CAST(label AS DOUBLE), 'NaN'::DOUBLE)" if "label" in cols else "'NaN'::DOUBLE"
    phone = f"coalesce({phone_sql(con)}, '')" if "phone_no_m" in cols else "CAST(node_id AS VARCHAR)"
    if text:
        ids = f"{text_ids.key_sql('node_id')} AS node_key, CAST(node_id AS VARCHAR) AS node_text"
    elif as_written:
        ids = "CAST(node_id AS BIGINT) AS node_id, CAST(node_id AS VARCHAR) AS node_text"
    else:
        ids = "CAST(node_id AS BIGINT) AS node_id"
    return dict(
        con.sql(
            f"SELECT {ids}, phone, {num}, label FROM "
            f"(SELECT node_id, {phone} AS phone, {lab} AS label, {inner} FROM rows)"
        ).fetchnumpy()
    )


def _finite(X: np.ndarray, extra: dict[str, np.ndarray], notes: list[str]) -> None:
    """Infinite values become missing (training never saw them)."""
    count = int(np.isinf(X).sum()) + sum(int(np.isinf(v).sum()) for v in extra.values())
    X[np.isinf(X)] = np.nan
    for v in extra.values():
        v[np.isinf(v)] = np.nan
    if count:
        notes.append(f"特征文件有 {count} 个无穷大（inf）值，按缺失值打分")


def _read_edges(
    con: duckdb.DuckDBPyConnection, edges: str | Path | None, node_id: np.ndarray, how: _Reading
) -> sparse.csr_matrix:
    n = len(node_id)
    if edges is None:
        how.notes.append("没有给出边文件（--edges）：不用通话图特征打分")
        return sparse.csr_matrix((n, n))
    cols = _read(con, edges, "边文件", how)
    if cols is None:
        how.notes.append(f"边文件是空的：按没有通话图打分：{edges}")
        return sparse.csr_matrix((n, n))
    if not {"src", "dst"} <= set(cols):
        raise ValueError(f"边文件需要列 src, dst（可选 weight），{inputs.existing_columns(cols)}")
    ok, ends, source = _edge_ends_sql(how.text)
    w = "TRY_CAST(weight AS DOUBLE)"
    good_w = f"({w} IS NOT NULL AND NOT isnan({w}) AND NOT isinf({w}) AND {w} >= 0)"
    weight = f"CASE WHEN {good_w} THEN {w} ELSE 1.0 END" if "weight" in cols else "1.0"
    fixed = f"count(*) FILTER (WHERE {ok} AND NOT {good_w})" if "weight" in cols else "0"
    ((dropped, repaired),) = con.sql(
        f"SELECT count(*) FILTER (WHERE NOT ({ok})), {fixed} FROM rows"
    ).fetchall()
    if dropped:
        why = "为空或是带小数的数字" if how.text else "不是整数（或为空）"
        how.notes.append(f"边文件有 {dropped} 行的 src/dst {why}，已忽略这些边")
    if repaired:
        how.notes.append(f"边文件有 {repaired} 条边的 weight 为空或无效（非数字、负数、无穷），按 1 计")
    e = con.sql(
        f"SELECT {ends}, {weight} AS weight FROM {source} WHERE {ok}"
    ).fetchnumpy()  # an edges file with no rows is an empty graph
    src, dst = np.asarray(e["src"], dtype=np.int64), np.asarray(e["dst"], dtype=np.int64)
    _note_edge_ends(src, dst, node_id, how.notes)
    weights = np.asarray(e["weight"], dtype=float)
    _note_repeated_edges(src, dst, weights, node_id, how.notes)
    return edges_to_adj(node_id, src, dst, weights)


def _note_repeated_edges(
    src: np.ndarray, dst: np.ndarray, weight: np.ndarray, node_id: np.ndarray, notes: list[str]
) -> None:
    """Rows of a pair of numbers listed before are summed, as a graph with a row per call gives them —
    said in a warning, apart for rows repeated whole (same ``weight`` too: maybe a file appended twice,
    which doubles every weight). The ``features`` command writes one row per pair: neither happens there."""
    usable = np.flatnonzero(np.isin(src, node_id) & np.isin(dst, node_id) & (src != dst))
    if len(usable) < 2:
        return
    order = usable[np.lexsort((weight[usable], dst[usable], src[usable]))]
    same_pair = (src[order[1:]] == src[order[:-1]]) & (dst[order[1:]] == dst[order[:-1]])
    whole = int(np.sum(same_pair & (weight[order[1:]] == weight[order[:-1]])))
    if whole:
        notes.append(
            f"边文件有 {whole} 行与前面某行完全相同（src、dst、weight 都相同），已按多次通话相加："
            "若是同一文件重复拼接，请去重后再评分"
        )
    other_weight = int(np.sum(same_pair)) - whole
    if other_weight:
        notes.append(
            f"边文件有 {other_weight} 行的 src→dst 已在前面出现、weight 不同：同一对号码的 weight 已相加"
        )


def _edge_ends_sql(text: bool) -> tuple[str, str, str]:
    """(usable ends condition, select of src and dst as numbers, FROM) for integer or text ids."""
    if text:
        return text_ids.edge_sql("src", "dst")
    ends = "CAST(src AS BIGINT) AS src, CAST(dst AS BIGINT) AS dst"
    return f"{_int_ok('src')} AND {_int_ok('dst')}", ends, "rows"


def _note_edge_ends(src: np.ndarray, dst: np.ndarray, node_id: np.ndarray, notes: list[str]) -> None:
    known = np.isin(src, node_id) & np.isin(dst, node_id)
    loops = int(np.sum(known & (src == dst)))
    if not len(src):
        notes.append("边文件里没有可用的边：按没有通话图打分")
    elif not len(node_id):  # the features file is empty: its edges have nothing to match, no ids differ
        return
    elif not known.any():
        notes.append(
            f"边文件的 {len(src)} 条边两端都对不上特征文件的 node_id（编号方式不同？）：按没有通话图打分"
        )
    elif not known.all():
        notes.append(f"边文件有 {int(np.sum(~known))} 条边的一端不在特征文件中，已忽略")
    if loops:
        notes.append(f"边文件有 {loops} 条自己到自己的边，已忽略")


_FRACTIONAL_TYPES = ("FLOAT", "DOUBLE", "DECIMAL")


def phone_sql(con: duckdb.DuckDBPyConnection) -> str:
    """SQL: ``phone_no_m`` of the view ``rows`` as text — as written in a CSV or a text column; a Parquet
    float column's whole numbers as the number (``13800000000``, never ``13800000000.0``: pandas writes
    a phone column with a gap as doubles)."""
    kind = str(con.sql("SELECT phone_no_m FROM rows LIMIT 0").types[0])
    if not kind.startswith(_FRACTIONAL_TYPES):
        return "CAST(phone_no_m AS VARCHAR)"
    return (
        "CASE WHEN phone_no_m = trunc(phone_no_m) AND abs(phone_no_m) < 1e18 "
        "THEN CAST(CAST(phone_no_m AS BIGINT) AS VARCHAR) ELSE CAST(phone_no_m AS VARCHAR) END"
    )


def phones_of(features: str | Path) -> dict[str, str]:
    """node_id → phone_no_m (or the node_id when there is none) of a features file (CSV or Parquet)."""
    con = connect()
    with tempfile.TemporaryDirectory(prefix="fanzha-score-") as scratch:
        cols = _read(con, features, "特征文件", _Reading(Path(scratch), [], _FEATURE_ALIASES))
        if cols is None or "node_id" not in cols:
            raise ValueError("特征文件缺少列：node_id")
        phone = phone_sql(con) if "phone_no_m" in cols else "NULL"
        rows = con.sql(f"SELECT CAST(node_id AS VARCHAR), {phone} FROM rows").fetchall()
    con.close()
    return {str(node): str(number or node) for node, number in rows}


def _read(con: duckdb.DuckDBPyConnection, path: str | Path, what: str, how: _Reading) -> list[str] | None:
    """``path`` (Parquet by its suffix, else CSV as text; GBK and UTF-16 transcoded) as the view ``rows`` with
    normalised column names, which it returns; None for an empty file. Chinese errors."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{what}不存在：{path}")
    if path.stat().st_size == 0:
        return None
    if path.suffix.lower() in {".parquet", ".pq"}:
        cols = _view(con, f"read_parquet('{_q(path)}')", what, path)
    else:
        ready = inputs.prepare(path, how.scratch, 1 if what == "边文件" else 0)
        if ready.path is None:
            return None
        how.notes.extend(n.replace(str(path), what) for n in ready.notes)
        cols = _read_csv(con, ready.path, what, path, how)
    return _rename(con, cols, how)


def _read_csv(
    con: duckdb.DuckDBPyConnection, csv_path: Path, what: str, path: Path, how: _Reading
) -> list[str]:
    """A CSV as text; retried leniently (rows with too few/many values) and header-less for edges."""
    base = f"read_csv('{_q(csv_path)}', all_varchar=true"
    want = "node_id" if what == "特征文件" else "src"
    try:
        cols = _view(con, base + ", header=true)", what, path)
        if want in _normal(cols, how):
            return cols
    except ValueError:
        cols = []
    try:
        loose = _view(con, base + ", header=true, null_padding=true, strict_mode=false)", what, path)
    except ValueError:
        loose = []
    if want in _normal(loose, how):
        how.notes.append(f"{what}有的行的值个数与表头不一致，已宽松读取（缺的值按缺失处理）")
        return loose
    if what == "边文件" and cols and len(cols) <= 3 and all(_is_number(c) for c in cols):
        names = ["src", "dst", "weight"][: len(cols)]
        how.notes.append(f"边文件没有表头：按 {', '.join(names)} 读取")
        return _view(con, f"{base}, header=false, names={names!r})", what, path)
    if not cols:
        _view(con, base + ", header=true)", what, path)  # raises the reader's error
    return cols


def _view(con: duckdb.DuckDBPyConnection, source: str, what: str, path: Path) -> list[str]:
    try:
        con.execute(f"CREATE OR REPLACE TEMP VIEW raw AS SELECT * FROM {source}")
        con.sql("SELECT count(*) FROM raw").fetchall()  # parse it all now: a bad line far down fails here
        return list(con.sql("SELECT * FROM raw LIMIT 0").columns)
    except duckdb.Error as exc:
        first = str(exc).splitlines()[0]
        raise ValueError(
            f"{what}无法读取（须为 UTF-8、GBK 或 UTF-16 的 CSV，或 Parquet）：{path}：{first}"
        ) from exc


def _normal(cols: list[str], how: _Reading) -> list[str]:
    out: list[str] = []
    for c in cols:
        name = how.aliases.get(_bare(c), _bare(c))
        out.append(name if name not in out else c)
    return out


def _rename(con: duckdb.DuckDBPyConnection, cols: list[str], how: _Reading) -> list[str]:
    """The view ``rows``: ``raw`` with lower-case, trimmed (and aliased) column names."""
    names = _normal(cols, how)
    aliased = [f"{c} → {n}" for c, n in zip(cols, names, strict=True) if _bare(c) in how.aliases and c != n]
    if aliased:
        how.notes.append("按别名读取列：" + ", ".join(aliased))
    repeated = _repeated(names)
    if repeated:
        how.notes.append(f"列名重复：{', '.join(repeated)}；只读取第一列，请核对文件")
    select = ", ".join(f"{_ident(c)} AS {_ident(n)}" for c, n in zip(cols, names, strict=True))
    con.execute(f"CREATE OR REPLACE TEMP VIEW rows AS SELECT {select} FROM raw")
    return names


def _repeated(names: list[str]) -> list[str]:
    """The names given twice: alike once trimmed and lower-cased, or as DuckDB renames a repeated CSV
    header (``opposite_count`` and ``opposite_count_1``)."""
    present = set(names)
    seen: set[str] = set()
    repeated: list[str] = []
    for name in names:
        base, _, suffix = name.rpartition("_")
        original = base if suffix.isdigit() and base in present else name
        if (name in seen or original != name) and original not in repeated:
            repeated.append(original)
        seen.add(name)
    return repeated


def _bare(name: str) -> str:
    return name.replace("\ufeff", "").strip().lower()


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _int_ok(column: str) -> str:
    """SQL: ``column`` holds an integer (``12`` or ``12.0``, not ``12.5``, not empty)."""
    col = _ident(column)
    return f"coalesce(TRY_CAST({col} AS DOUBLE) = TRY_CAST({col} AS BIGINT), false)"


def _check_ids(con: duckdb.DuckDBPyConnection, what: str, column: str) -> None:
    """Every ``column`` of the view ``rows`` an integer."""
    col = _ident(column)
    bad = con.sql(f"SELECT {col} FROM rows WHERE NOT {_int_ok(column)} LIMIT 3").fetchall()
    if bad:
        shown = ", ".join("（空）" if b[0] is None or not str(b[0]).strip() else str(b[0]) for b in bad)
        raise ValueError(f"{what}的 {column} 须为整数，例如这些不是：{shown}")


def _note_duplicate_ids(con: duckdb.DuckDBPyConnection, notes: list[str]) -> None:
    """Rows sharing a node_id are each scored (and share the id's edges); say so."""
    ((rows, ids, shown),) = con.sql(
        "SELECT sum(k), count(*), string_agg(CAST(id AS VARCHAR), ', ') FILTER (WHERE rn <= 3) FROM ("
        "SELECT CAST(node_id AS BIGINT) AS id, count(*) AS k, row_number() OVER (ORDER BY id) AS rn "
        "FROM rows GROUP BY 1 HAVING count(*) > 1)"
    ).fetchall()
    if ids:
        notes.append(
            f"特征文件的 node_id 有重复：{ids} 个编号共 {int(rows)} 行（如 {shown}）；每行都照样打分，"
            "同一编号的行共用边文件中该编号的边"
        )


def edges_to_adj(
    node_id: np.ndarray, src: np.ndarray, dst: np.ndarray, weight: np.ndarray
) -> sparse.csr_matrix:
    n = len(node_id)
    if n and node_id[0] == 0 and node_id[-1] == n - 1 and np.array_equal(node_id, np.arange(n)):
        # node ids are the row positions (as features.build numbers them): no search needed
        src, dst = np.asarray(src, dtype=np.int64), np.asarray(dst, dtype=np.int64)
        return graph.adjacency(n, src, dst, weight)
    order = np.argsort(node_id, kind="stable")
    sorted_ids = node_id[order]

    def pos(ids: np.ndarray) -> np.ndarray:  # the first row with each id
        i = np.searchsorted(sorted_ids, ids)
        i = np.clip(i, 0, max(len(sorted_ids) - 1, 0))
        ok = (sorted_ids[i] == ids) if len(sorted_ids) else np.zeros(len(ids), dtype=bool)
        return np.where(ok, order[i] if len(order) else -1, -1)

    return _share_duplicates(node_id, graph.adjacency(len(node_id), pos(src), pos(dst), weight))


def _share_duplicates(node_id: np.ndarray, adj: sparse.csr_matrix) -> sparse.csr_matrix:
    """Rows sharing a node id share the edges put on the first of them."""
    _, first_index, inverse = np.unique(node_id, return_index=True, return_inverse=True)
    first = first_index[inverse]
    n = len(node_id)
    if np.array_equal(first, np.arange(n)):
        return adj
    spread = sparse.csr_matrix((np.ones(n), (np.arange(n), first)), shape=(n, n))
    return (spread @ adj @ spread.T).tocsr()


def _q(path: str | Path) -> str:
    return str(path).replace("'", "''")


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
