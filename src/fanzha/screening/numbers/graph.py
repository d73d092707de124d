"""Call-graph features for per-number scoring (numpy + scipy.sparse only).

Structural features (degrees, weighted degrees, reciprocity, 2-hop reach, PageRank) and neighbour
aggregates of a few behavioural features use only the graph and the feature table, so they are the
same at training and scoring time. Label-neighbour features (how many neighbours are *known* fraud
or known normal) use labels; to avoid leakage, training rows get them out of fold (a row never sees
its own label nor the labels of its fold), and scoring uses all labelled rows.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse

# behavioural features whose neighbour mean is informative (fraud rings call similar numbers)
NEIGHBOUR_MEAN_OF = (
    "voc_calltype1",
    "opposite_unique",
    "phone2opposite_mean",
    "call_dur_mean",
    "imeis",
    "calltype_rate",
    "arpu_mean",
)

STRUCT_NAMES = (
    "g_out_degree",
    "g_in_degree",
    "g_out_weight",
    "g_in_weight",
    "g_degree",
    "g_reciprocity",
    "g_hop2",
    "g_pagerank",
) + tuple(f"g_nb_mean_{name}" for name in NEIGHBOUR_MEAN_OF)

LABEL_NAMES = ("g_nb_fraud", "g_nb_normal", "g_nb_fraud_share", "g_nb_fraud_wshare", "g_hop2_fraud_share")


def adjacency(n: int, src: np.ndarray, dst: np.ndarray, weight: np.ndarray) -> sparse.csr_matrix:
    """Directed weighted adjacency over node positions 0..n-1; self loops and outside edges dropped."""
    keep = (src != dst) & (src >= 0) & (dst >= 0) & (src < n) & (dst < n)
    a = sparse.coo_matrix((weight[keep].astype(float), (src[keep], dst[keep])), shape=(n, n))
    return a.tocsr()  # duplicates are summed


def _pagerank(und: sparse.csr_matrix, damping: float = 0.85, iters: int = 30) -> np.ndarray:
    n = und.shape[0]
    if n == 0:
        return np.zeros(0)
    deg = np.asarray(und.sum(axis=1)).ravel()
    inv = np.divide(1.0, deg, out=np.zeros_like(deg), where=deg > 0)
    trans = sparse.diags(inv) @ und
    rank = np.full(n, 1.0 / n)
    for _ in range(iters):
        dangling = rank[deg == 0].sum()
        rank = (1 - damping) / n + damping * (trans.T @ rank + dangling / n)
    return np.asarray(rank * n, dtype=float)


def structural(adj: sparse.csr_matrix, feats: dict[str, np.ndarray]) -> np.ndarray:
    """Structural and neighbour-aggregate features, one row per node, columns STRUCT_NAMES."""
    n = adj.shape[0]
    binary = adj.copy()
    binary.data[:] = 1.0
    und = ((binary + binary.T) > 0).astype(float).tocsr()
    out_deg = np.asarray(binary.sum(axis=1)).ravel()
    in_deg = np.asarray(binary.sum(axis=0)).ravel()
    deg = np.asarray(und.sum(axis=1)).ravel()
    mutual = np.asarray(binary.multiply(binary.T).sum(axis=1)).ravel()
    hop2 = und @ deg - deg  # 2-step walks that do not return to the start (sparse-friendly at scale)
    cols = [
        out_deg,
        in_deg,
        np.asarray(adj.sum(axis=1)).ravel(),
        np.asarray(adj.sum(axis=0)).ravel(),
        deg,
        np.divide(mutual, deg, out=np.full(n, np.nan), where=deg > 0),
        hop2,
        _pagerank(und),
    ]
    for name in NEIGHBOUR_MEAN_OF:
        cols.append(_neighbour_mean(und, feats.get(name, np.full(n, np.nan))))
    return np.column_stack(cols) if n else np.zeros((0, len(STRUCT_NAMES)))


def _neighbour_mean(und: sparse.csr_matrix, values: np.ndarray) -> np.ndarray:
    ok = ~np.isnan(values)
    total = und @ np.where(ok, values, 0.0)
    count = und @ ok.astype(float)
    return np.asarray(np.divide(total, count, out=np.full(len(values), np.nan), where=count > 0))


def label_features(adj: sparse.csr_matrix, labels: np.ndarray, visible: np.ndarray) -> np.ndarray:
    """Label-neighbour features computed from the labels of rows where ``visible`` is True."""
    n = adj.shape[0]
    weighted, und = _label_mats(adj)
    deg = np.asarray(und.sum(axis=1)).ravel()
    fraud = (visible & (labels == 1)).astype(float)
    normal = (visible & (labels == 0)).astype(float)
    nb_f = und @ fraud
    nb_n = und @ normal
    w_f = weighted @ fraud
    w_n = weighted @ normal
    h_f = und @ nb_f - deg * fraud  # 2-step walks to known fraud, minus walks back to the row itself
    h_n = und @ nb_n - deg * normal
    if n == 0:
        return np.zeros((0, len(LABEL_NAMES)))
    return np.column_stack(
        [
            nb_f,
            nb_n,
            np.divide(nb_f, nb_f + nb_n, out=np.full(n, np.nan), where=(nb_f + nb_n) > 0),
            np.divide(w_f, w_f + w_n, out=np.full(n, np.nan), where=(w_f + w_n) > 0),
            np.divide(h_f, h_f + h_n, out=np.full(n, np.nan), where=(h_f + h_n) > 0),
        ]
    )


_CACHE: dict[int, tuple[sparse.csr_matrix, tuple[sparse.csr_matrix, sparse.csr_matrix]]] = {}


def _label_mats(adj: sparse.csr_matrix) -> tuple[sparse.csr_matrix, sparse.csr_matrix]:
    """Symmetric weighted and symmetric binary matrices, cached per adjacency."""
    key = id(adj)
    hit = _CACHE.get(key)
    if hit is not None and hit[0] is adj:
        return hit[1][0], hit[1][1]
    weighted = (adj + adj.T).tocsr()
    und = weighted.copy()
    und.data[:] = 1.0
    _CACHE.clear()
    _CACHE[key] = (adj, (weighted, und))
    return weighted, und


def label_features_oof(
    adj: sparse.csr_matrix, labels: np.ndarray, rows: np.ndarray, folds: np.ndarray
) -> np.ndarray:
    """Out-of-fold label features for ``rows`` (labelled training positions) given their fold ids."""
    n = adj.shape[0]
    out = np.full((len(rows), len(LABEL_NAMES)), np.nan)
    for fold in np.unique(folds):
        visible = np.zeros(n, dtype=bool)
        visible[rows[folds != fold]] = True
        feats = label_features(adj, labels, visible)
        mask = folds == fold
        out[mask] = feats[rows[mask]]
    return out
