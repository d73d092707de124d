# ruff: noqa: S608 -- SQL is built from fixed fragments and a temp path
"""Benchmark: per-number features + scoring on synthetic call records (issue 6).

    python bench/numbers.py               # 10,000,000 call records
    python bench/numbers.py --rows 500000 # quick run

Generates caller/callee call detail records with numpy (written to Parquet by DuckDB in a temp dir):
ordinary subscribers calling a circle of contacts (who call back), noisy normal users who make many
short calls to strangers (delivery drivers, sales — customers often call back), and planted fraud
numbers: ~1 % of subscribers, most calling many strangers with short calls, few call-backs, several
cities and handsets; a third of them "quiet" (volumes and patterns close to ordinary users).

Then, in a fresh child process (so its peak RSS is that of the work, DuckDB included), on that existing
extract — the data generation is NOT part of any timed figure:

* features (timed): DuckDB reads the Parquet extract, cleans, de-duplicates and aggregates; the
  features and edges are fetched into numpy;
* scoring (timed): the feature matrix and the call graph are built from the fetched tables, graph
  features, LightGBM prediction of every number, Chinese reasons for the 1,000 highest scores;
* in between, untimed: a model is trained on a labelled 20 % of numbers (3 seeds × 250 trees of 31
  leaves, the shape of the committed default model, so prediction costs what it costs in production).

The baseline, in the same child after the measured work: one DuckDB pass over the same extract (per
caller: calls, distinct callees, mean duration), the floor of any feature extraction; the features'
time is also given as a multiple of it.

Precision at the top 1,000 unlabelled numbers is measured against the planted fraud. Wall time and CPU
time (user + sys of the child) are reported for each part, and the load average around the run: the
machine may be shared. Figures are printed as ``figure: NAME = VALUE UNIT`` at the end.
"""

from __future__ import annotations

import os
import sys

# this file is called numbers.py (and bench/ holds other stdlib-like names): keep bench/ off sys.path so
# the standard library wins. Only sys and os (both loaded at start-up) are imported before this.
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != _HERE]

import argparse  # noqa: E402
import json  # noqa: E402
import resource  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

SEED = 7
N_CONTACTS = 24
MEMORY_LIMIT = "3GB"  # DuckDB; the whole process must stay under 4 GB
START = np.datetime64("2024-03-01T00:00:00")


def _users(rows: int, rng: np.random.Generator) -> tuple[int, np.ndarray, np.ndarray]:
    """Number of subscribers (power of two, for XOR contact circles), kind per user and call weight."""
    n = 1 << max(10, int(round(np.log2(max(rows, 1) / 20))))
    kind = np.zeros(n, dtype=np.int8)  # 0 normal, 1 busy normal, 2 fraud, 3 quiet fraud
    u = rng.random(n)
    kind[u < 0.05] = 1
    kind[(u >= 0.05) & (u < 0.0565)] = 2
    kind[(u >= 0.0565) & (u < 0.0645)] = 3
    weight = rng.lognormal(0.0, 0.8, n)
    weight *= np.select([kind == 1, kind == 2, kind == 3], [5.0, 6.0, 1.3], 1.0)
    return n, kind, weight / weight.sum()


def _durations(kind: np.ndarray, stranger: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    m = len(kind)
    normal = rng.lognormal(np.log(70), 1.1, m)
    busy = rng.lognormal(np.log(35), 0.9, m)
    fraud = np.where(rng.random(m) < 0.55, rng.exponential(5, m), rng.lognormal(np.log(45), 1.3, m))
    quiet = rng.lognormal(np.log(50), 1.2, m)
    dur = np.select([kind == 1, (kind == 2) & stranger, (kind == 3) & stranger], [busy, fraud, quiet], normal)
    dur[rng.random(m) < 0.08] = 0  # unanswered
    return np.round(dur).astype(np.int32)


def generate(rows: int, out: Path) -> dict:
    """Write calls.parquet (caller, callee, start_time, duration, city, imei) and truth.npz."""
    import duckdb

    rng = np.random.default_rng(SEED)
    n, kind, p = _users(rows, rng)
    masks = rng.choice(np.arange(1, n), N_CONTACTS, replace=False)
    base = int(rows * 0.94)
    caller = rng.choice(n, base, p=p).astype(np.int64)
    ck = kind[caller]
    stranger_p = np.select([ck == 1, ck == 2, ck == 3], [0.6, 0.8, 0.45], 0.12)
    stranger = rng.random(base) < stranger_p
    callee = np.where(stranger, rng.integers(0, n, base), caller ^ masks[rng.integers(0, N_CONTACTS, base)])
    dur = _durations(ck, stranger, rng)
    day = rng.integers(0, 30, base)
    hour = np.where(ck >= 2, rng.integers(8, 20, base), np.clip(rng.normal(15, 4, base), 0, 23).astype(int))
    t = day * 86400 + hour * 3600 + rng.integers(0, 3600, base)
    # call-backs: contacts and customers call back; fraud victims rarely do
    cb_p = np.select([ck == 1, ck == 2, ck == 3], [0.35, 0.03, 0.15], np.where(stranger, 0.2, 0.6))
    cb = np.flatnonzero(rng.random(base) < cb_p)[: rows - base]
    c2, e2 = np.concatenate([caller, callee[cb]]), np.concatenate([callee, caller[cb]])
    dur = np.concatenate([dur, np.round(rng.lognormal(np.log(60), 1.0, len(cb))).astype(np.int32)])
    t = np.concatenate([t, t[cb] + rng.integers(60, 86400, len(cb))])
    k2 = kind[c2]
    home = (c2 * 2654435761) % 21
    moving = np.select([k2 == 1, k2 == 2, k2 == 3], [0.2, 0.3, 0.1], 0.05)  # sales and drivers travel too
    city = np.where(rng.random(len(c2)) < moving, rng.integers(0, 21, len(c2)), home)
    handsets = np.select([k2 == 1, k2 == 2, k2 == 3], [2, 3, 2], 1)  # some busy users switch phones
    imei = c2 * 8 + (rng.integers(0, 8, len(c2)) % handsets) * (rng.random(len(c2)) < 0.5)
    cols = {"caller": c2, "callee": e2, "t": t, "duration": dur, "city": city, "imei": imei}  # noqa: F841
    con = duckdb.connect()
    con.execute("SET threads=2")
    con.execute(
        f"COPY (SELECT '13' || lpad(CAST(caller AS VARCHAR), 9, '0') AS caller, "
        "'13' || lpad(CAST(callee AS VARCHAR), 9, '0') AS callee, "
        f"TIMESTAMP '{START}' + to_seconds(t) AS start_time, duration, 'C' || CAST(city AS VARCHAR) AS city, "
        "'IM' || CAST(imei AS VARCHAR) AS imei FROM cols) "
        f"TO '{out / 'calls.parquet'}' (FORMAT parquet)"
    )
    con.close()
    np.savez(out / "truth.npz", kind=kind)
    return {"rows": len(c2), "numbers": n, "fraud": int((kind >= 2).sum())}


def run(tmp: Path) -> dict:
    """The measured work (child process): features, graph, train on 20 % labels, score everything."""
    from fanzha.screening.numbers import features as F
    from fanzha.screening.numbers.model import Model, Table, base_matrix, edges_to_adj
    from fanzha.screening.numbers.scoring import score_table
    from fanzha.screening.numbers.training import fit_pair

    out: dict = {}
    c0 = _cpu()
    t0 = time.perf_counter()
    con = F.connect(MEMORY_LIMIT, 2, temp_dir=str(tmp / "spill"), database=str(tmp / "work.duckdb"))
    report = F.build(con, F.Sources([tmp / "calls.parquet"], [], [], []))
    out["duckdb_mb"] = _duckdb_mb(con)
    cols = [*F.FEATURE_NAMES, *F.EXTRA_NAMES]
    data = con.sql("SELECT * FROM features ORDER BY node_id").fetchnumpy()
    e = con.sql("SELECT src, dst, weight FROM edges").fetchnumpy()
    con.close()
    t_feat = time.perf_counter() - t0
    cpu_feat = _cpu() - c0
    t2, c2 = time.perf_counter(), _cpu()  # scoring starts from the fetched tables
    node_id = np.asarray(data["node_id"], dtype=np.int64)
    X = np.column_stack([np.asarray(data[c], dtype=float) for c in F.FEATURE_NAMES])
    adj = edges_to_adj(
        node_id, np.asarray(e["src"]), np.asarray(e["dst"]), np.asarray(e["weight"], dtype=float)
    )
    extra = {c: np.asarray(data[c], dtype=float) for c in F.EXTRA_NAMES}
    t_table, c_table = time.perf_counter() - t2, _cpu() - c2
    # the truth and the 20 % of labels (not timed: a benchmark device, not part of scoring)
    idx = np.array([int(p[2:]) for p in data["phone_no_m"]])
    kind = np.load(tmp / "truth.npz")["kind"][idx]
    truth = (kind >= 2).astype(float)
    rng = np.random.default_rng(SEED + 1)  # not SEED: that stream planted the fraud
    labelled = rng.random(len(node_id)) < 0.2
    table = Table(node_id, list(data["phone_no_m"]), X, np.where(labelled, truth, np.nan), adj, extra)
    del data, cols
    t1 = time.perf_counter()
    base, names = base_matrix(table)
    boosters = fit_pair(table, base, names, np.flatnonzero(labelled), SEED, kinds=("with_labels",))
    model = Model({"with_labels": 0.5}, boosters, {}, {})
    t_train = time.perf_counter() - t1
    t3, c3 = time.perf_counter(), _cpu()
    scores = score_table(model, table, explain_top=3, explain_rows_limit=1000)
    t_score = t_table + time.perf_counter() - t3
    cpu_score = c_table + _cpu() - c3
    unl = np.flatnonzero(~labelled)
    top = unl[np.argsort(-scores.score[unl])[:1000]]
    out.update(
        numbers=len(node_id),
        edges=int(adj.nnz),
        features_s=t_feat,
        features_cpu_s=cpu_feat,
        score_cpu_s=cpu_score,
        train_s=t_train,
        score_s=t_score,
        precision_at_1000=float(truth[top].mean()),
        planted_unlabelled=int(truth[unl].sum()),
        quality=report["calls"],
        example=[r.text for r in scores.reasons[int(top[0])]],
        rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    )
    out["baseline_s"] = scan_floor(F, tmp)
    return out


def scan_floor(F, tmp: Path) -> float:  # noqa: ANN001, N803
    """The baseline, after the measured work: one DuckDB pass over the same extract with the same
    settings — per caller the calls, distinct callees and mean duration, fetched into numpy. No
    feature extraction can cost less than reading the records once; the figures give ours as a multiple."""
    started = time.perf_counter()
    con = F.connect(MEMORY_LIMIT, 2, temp_dir=str(tmp / "spill"), database=str(tmp / "floor.duckdb"))
    path = str(tmp / "calls.parquet").replace("'", "''")
    con.sql(
        "SELECT caller, count(*) AS calls, count(DISTINCT callee) AS callees, avg(duration) AS mean_duration "
        f"FROM read_parquet('{path}') GROUP BY caller"
    ).fetchnumpy()
    con.close()
    return time.perf_counter() - started


def _cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


def _duckdb_mb(con) -> float:  # noqa: ANN001
    rows = con.sql("SELECT sum(memory_usage_bytes) FROM duckdb_memory()").fetchall()
    return float(rows[0][0] or 0) / 2**20


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--child", help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.child:
        print(json.dumps(run(Path(a.child)), ensure_ascii=False))
        return 0
    with tempfile.TemporaryDirectory(prefix="bench-numbers-") as d:
        tmp = Path(d)
        t0 = time.perf_counter()
        info = generate(a.rows, tmp)
        print(f"generated {info} in {time.perf_counter() - t0:.1f} s (not timed below)", file=sys.stderr)
        load0 = os.getloadavg()[0]
        proc = subprocess.run(
            [sys.executable, __file__, "--child", d], capture_output=True, text=True, check=False
        )
        if proc.returncode != 0:
            print(proc.stderr, file=sys.stderr)
            return 1
        res = json.loads(proc.stdout.strip().splitlines()[-1])
        load1 = os.getloadavg()[0]
    child_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"quality report: {res['quality']}", file=sys.stderr)
    print(f"example reasons (top number): {res['example']}", file=sys.stderr)
    label = f"{a.rows // 1_000_000}M" if a.rows >= 1_000_000 else f"{a.rows // 1000}k"
    fs = res["features_s"] + res["score_s"]
    print(f"figure: numbers_records = {info['rows']} rows")
    print(f"figure: numbers_subscribers = {res['numbers']} numbers")
    print(f"figure: numbers_features_{label}_s = {res['features_s']:.1f} s")
    print(f"figure: numbers_score_{label}_s = {res['score_s']:.1f} s")
    print(f"figure: numbers_features_score_{label} = {fs:.1f} s")
    print(f"figure: numbers_features_{label}_cpu = {res['features_cpu_s']:.1f} s")
    print(f"figure: numbers_score_{label}_cpu = {res['score_cpu_s']:.1f} s")
    print(f"figure: numbers_features_score_{label}_cpu = {res['features_cpu_s'] + res['score_cpu_s']:.1f} s")
    print(f"figure: numbers_train_{label}_s = {res['train_s']:.1f} s")
    print(f"figure: numbers_scan_baseline_{label}_s = {res['baseline_s']:.1f} s")
    print(f"figure: numbers_features_vs_scan_baseline = {res['features_s'] / res['baseline_s']:.1f} x")
    print(f"figure: numbers_peak_rss_mb = {child_rss:.0f} MB")
    print(f"figure: numbers_peak_rss_gb = {child_rss / 1024:.2f} GB")
    print(f"figure: numbers_duckdb_mem_after_features_mb = {res['duckdb_mb']:.0f} MB")
    print(f"figure: numbers_precision_at_1000 = {res['precision_at_1000']:.3f} ratio")
    print(f"figure: numbers_load_average_1min = {load0:.2f} before, {load1:.2f} after")
    return 0


if __name__ == "__main__":
    sys.exit(main())
