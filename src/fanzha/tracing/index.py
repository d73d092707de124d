"""The transfer index: all transfers in time order, with CSR offsets per sending and receiving account.

Transfer ids are positions in time order (ties keep the input order), so "before" is simply "smaller
id". ``out_ids[out_start[a]:out_start[a + 1]]`` are the ids of account ``a``'s outflows, ascending;
likewise ``in_ids`` / ``in_start`` for inflows. A destination of −1 is outside the banks' accounts
(cash taken out, a payment platform without an account in the data).
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from numpy.typing import ArrayLike, NDArray

from fanzha.tracing.kinds import TRANSFER

I64 = NDArray[np.int64]


def epoch(moment: datetime) -> int:
    """Seconds since 1970; a naive time (bank local time) is read as UTC, whatever the process's zone."""
    if moment.tzinfo is None:
        return calendar.timegm(moment.timetuple())
    return int(moment.timestamp())


def _seconds(values: ArrayLike) -> I64:
    array = np.asarray(values)
    if np.issubdtype(array.dtype, np.datetime64):
        return array.astype("datetime64[s]").astype(np.int64)
    if array.dtype == object:
        return np.array([epoch(v) if isinstance(v, datetime) else int(v) for v in array], np.int64)
    return array.astype(np.int64)


def _csr(keys: NDArray[np.int64], n: int) -> tuple[I64, I64]:
    """Ids grouped by key (keys ≥ n are left out), ascending id within a key, and the offsets."""
    ids = np.arange(keys.size, dtype=np.int64)
    shift = max(int(keys.size).bit_length(), 1)
    packed = np.sort((keys << shift) | ids)
    counts = np.bincount(keys[keys < n], minlength=n)
    start = np.zeros(n + 1, np.int64)
    np.cumsum(counts, out=start[1:])
    return (packed[: start[-1]] & ((1 << shift) - 1)).astype(np.int64), start


@dataclass(frozen=True)
class TransferIndex:
    n_accounts: int
    src: NDArray[np.int32]
    dst: NDArray[np.int32]  # −1: outside
    amount: I64  # fen, > 0
    time: I64  # seconds (naive local time as UTC seconds)
    kind: NDArray[np.int8]
    source: I64  # position in the input
    out_ids: I64
    out_start: I64
    in_ids: I64
    in_start: I64
    labels: Sequence[str] | None = None  # account id → account number, when built from labels

    @classmethod
    def build(
        cls,
        src: ArrayLike,
        dst: ArrayLike,
        amount: ArrayLike,
        time: ArrayLike,
        kind: ArrayLike | None = None,
        *,
        n_accounts: int | None = None,
        labels: Sequence[str] | None = None,
    ) -> TransferIndex:
        """From columns of account ids (0 … n−1, −1 for outside); self-transfers are dropped."""
        s = np.asarray(src, np.int64)
        d = np.asarray(dst, np.int64)
        a = np.asarray(amount, np.int64)
        t = _seconds(time)
        k = np.full(s.size, TRANSFER, np.int8) if kind is None else np.asarray(kind, np.int8)
        keep = np.flatnonzero((s != d) & (s >= 0) & (a > 0))
        order = keep[np.argsort(t[keep], kind="stable")]
        n = int(
            n_accounts if n_accounts is not None else max(int(s.max(initial=-1)), int(d.max(initial=-1))) + 1
        )
        s_sorted, d_sorted = s[order], d[order]
        out_ids, out_start = _csr(s_sorted, n)
        in_ids, in_start = _csr(np.where(d_sorted >= 0, d_sorted, n), n)
        return cls(
            n_accounts=n,
            src=s_sorted.astype(np.int32),
            dst=d_sorted.astype(np.int32),
            amount=a[order],
            time=t[order],
            kind=k[order],
            source=order.astype(np.int64),
            out_ids=out_ids,
            out_start=out_start,
            in_ids=in_ids,
            in_start=in_start,
            labels=labels,
        )

    @classmethod
    def from_labels(
        cls,
        rows: Sequence[tuple[str, str, int, datetime, int]],
    ) -> TransferIndex:
        """From (from_account, to_account, fen, time, kind) with account numbers; "" = outside."""
        names: dict[str, int] = {}
        for row in rows:
            for name in row[:2]:
                if name and name not in names:
                    names[name] = len(names)
        return cls.build(
            [names[r[0]] if r[0] else -1 for r in rows],
            [names[r[1]] if r[1] else -1 for r in rows],
            [r[2] for r in rows],
            [epoch(r[3]) for r in rows],
            [r[4] for r in rows],
            n_accounts=len(names),
            labels=list(names),
        )

    def account_id(self, label: str) -> int:
        if self.labels is None:
            raise ValueError("index built without account labels")
        return list(self.labels).index(label)

    def label(self, account: int) -> str:
        if account < 0:
            return ""
        return self.labels[account] if self.labels is not None else str(account)

    def find_payment(self, account: int, amount: int, when: int) -> int | None:
        """The id of the inflow of ``amount`` into ``account`` at ``when`` (seconds), if indexed."""
        ids = self.in_ids[self.in_start[account] : self.in_start[account + 1]]
        hits = ids[(self.time[ids] == when) & (self.amount[ids] == amount)]
        return int(hits[0]) if hits.size else None
