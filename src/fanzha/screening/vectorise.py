"""Hashed character n-gram features, computed for a whole batch at once with numpy.

The texts of a batch are joined with a separator (code point 0) into one string, decoded to an array of
code points, and every n-gram length is hashed with a rolling polynomial over shifted views of that array;
no Python loop runs per character or per n-gram. The separator doubles as a start/end marker, so
"^尊敬" and "银行$" are features of their own. The occurrences become a scipy CSR matrix directly
(rows come out in order, so no sort), valued term frequency times inverse document frequency, and each
row is divided by the root of the sum of its squared occurrence weights (the L2 norm when no n-gram
repeats in the text; computed without deduplicating, because sorting is the slow part of building a
sparse matrix). Hashed and stateless apart from the idf vector.

Only numpy and scipy are needed, at training and at inference time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

SEP = "\x00"
_MUL = np.uint64(0x100000001B3)  # FNV-style multiplier, applied with uint64 wrap-around
_MIX1 = np.uint64(0xFF51AFD7ED558CCD)  # murmur3 finaliser constants
_MIX2 = np.uint64(0xC4CEB9FE1A85EC53)
_SEEDS = (0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0x27D4EB2F165667C5, 0x85EBCA77C2B2AE63)


def _codepoints(texts: Sequence[str]) -> np.ndarray:
    """One array of code points: SEP t1 SEP t2 ... tn SEP (separators inside texts are dropped).

    A lone surrogate (JSON may carry "\\ud800") counts as its code point, not as a failed batch.
    """
    joined = SEP.join(texts)
    if joined.count(SEP) != len(texts) - 1:  # rare: separators inside texts
        joined = SEP.join(t.replace(SEP, "") for t in texts)
    joined = SEP + joined + SEP
    return np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.uint64)


def _mix(h: np.ndarray) -> np.ndarray:
    h ^= h >> np.uint64(33)
    h *= _MIX1
    h ^= h >> np.uint64(33)
    h *= _MIX2
    h ^= h >> np.uint64(33)
    return h


def ngram_coo(
    texts: Sequence[str], n_max: int, n_features: int, boundaries: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """Row (text) and column (hashed bucket) of every character n-gram, n in 1..n_max, rows ascending.

    A window may hold the separator only at its first or last position (start/end markers, when
    ``boundaries``), never inside, so no n-gram spans two texts.
    """
    if n_features & (n_features - 1):
        raise ValueError("n_features must be a power of two")
    codes = _codepoints(texts)
    size = codes.shape[0]
    is_sep = codes == 0
    doc = np.cumsum(is_sep, dtype=np.int64) - 1  # the leading separator of text k belongs to k
    sep_cum = np.concatenate(([0], np.cumsum(is_sep, dtype=np.int32)))
    grid = np.full((size, n_max), -1, dtype=np.int64)  # position-major, so rows come out ascending
    h = np.zeros(size, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for n in range(1, n_max + 1):
            m = size - n + 1
            if m <= 0:
                break
            h = h[:m] * _MUL + codes[n - 1 : n - 1 + m] + np.uint64(_SEEDS[(n - 1) % len(_SEEDS)])
            if n == 1:
                valid = ~is_sep[:m]
            else:
                inner = sep_cum[n - 1 : n - 1 + m] - sep_cum[1 : 1 + m]  # separators at 1..n-2
                ends = is_sep[:m].astype(np.int8) + is_sep[n - 1 : n - 1 + m]
                valid = (inner == 0) & (ends <= (1 if boundaries else 0))
            idx = np.flatnonzero(valid)
            grid[idx, n - 1] = (_mix(h[idx]) & np.uint64(n_features - 1)).astype(np.int64)
    flat = grid.ravel()
    keep = np.flatnonzero(flat >= 0)
    return doc[keep // n_max], flat[keep]


def entry_matrix(texts: Sequence[str], n_max: int, n_features: int, boundaries: bool = True) -> sp.csr_matrix:
    """One stored entry per n-gram occurrence (value 1), one row per text.

    The CSR is built straight from the ascending rows, without sorting: a repeated n-gram is stored
    more than once, which sparse products sum, so it acts as its count. Call ``sum_duplicates()``
    for a canonical matrix (training does).
    """
    rows, cols = ngram_coo(texts, n_max, n_features, boundaries)
    indptr = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=len(texts)), out=indptr[1:])
    data = np.ones(cols.shape[0], dtype=np.float32)
    return sp.csr_matrix((data, cols.astype(np.int32), indptr), shape=(len(texts), n_features))


def normalise_entries(mat: sp.csr_matrix) -> sp.csr_matrix:
    """Divide each row by sqrt(sum of its stored values squared) (the L2 norm when no column repeats)."""
    lengths = np.diff(mat.indptr)
    if mat.data.size == 0:
        return mat
    # summed from the starts of the rows with entries only: an empty row's start repeats the next one's,
    # and the end of the data (empty rows last) is no start — reduceat would end the row before it early
    filled = lengths > 0
    sums = np.ones(len(lengths), dtype=mat.data.dtype)
    sums[filled] = np.add.reduceat(mat.data * mat.data, mat.indptr[:-1][filled])
    norms = np.sqrt(np.maximum(sums, 1e-24)).astype(np.float32)
    mat.data /= np.repeat(norms, lengths)
    return mat


@dataclass(frozen=True)
class HashedTfidf:
    """Stateless hashing plus an idf vector learned at training time."""

    n_max: int = 3
    n_features: int = 1 << 18
    boundaries: bool = True
    idf: np.ndarray | None = None  # float32 (n_features,); None = no idf weighting

    def counts(self, texts: Sequence[str]) -> sp.csr_matrix:
        return entry_matrix(texts, self.n_max, self.n_features, self.boundaries)

    def fit_idf(self, texts: Sequence[str]) -> HashedTfidf:
        """A copy with idf = ln((1 + N) / (1 + df)) + 1 learned from ``texts``."""
        counts = self.counts(texts)
        counts.sum_duplicates()
        df = np.bincount(counts.indices, minlength=self.n_features)
        idf = np.log((1.0 + counts.shape[0]) / (1.0 + df)) + 1.0
        return HashedTfidf(self.n_max, self.n_features, self.boundaries, idf.astype(np.float32))

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        """tf x idf over n-gram occurrences, each row divided by the root of its summed squared entries.

        Float32 CSR of shape (len(texts), n_features), possibly with repeated columns in a row (see
        ``entry_matrix``); the values are the same whether or not the duplicates are summed.
        """
        mat = self.counts(texts)
        if self.idf is not None:
            mat.data = np.take(self.idf, mat.indices)
        return normalise_entries(mat)

    def meta(self) -> dict[str, int | bool]:
        return {"n_max": self.n_max, "n_features": self.n_features, "boundaries": self.boundaries}
