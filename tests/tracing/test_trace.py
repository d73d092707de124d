"""FIFO attribution of a victim's money: hand-made cases with exact numbers, and a brute-force check."""

from __future__ import annotations

from collections import deque

import numpy as np

from fanzha.tracing.index import TransferIndex
from fanzha.tracing.kinds import CASH_OUT, THIRD_PARTY, TRANSFER
from fanzha.tracing.trace import OTHER, trace

A, B, C, D, X, Y = range(6)
OUT = -1


def index_of(rows: list[tuple[int, int, int, int, int]], n: int = 6) -> TransferIndex:
    src, dst, amount, time, kind = zip(*rows, strict=True)
    return TransferIndex.build(src, dst, amount, time, kind, n_accounts=n)


def test_it_splits_fifo_behind_money_already_there():
    index = index_of(
        [
            (X, A, 200, 5, TRANSFER),  # other money already in A
            (A, B, 600, 20, TRANSFER),  # 200 other + 400 victim
            (A, C, 500, 30, TRANSFER),  # 500 victim
        ]
    )
    result = trace(index, account=A, amount=1000, time=10)
    flows = result.accounts
    assert flows[B].received == 400 and flows[C].received == 500
    assert flows[A].sent == 900 and flows[A].remaining == 100
    assert {(e.src, e.dst, e.attributed, e.hop) for e in result.edges} == {(A, B, 400, 1), (A, C, 500, 1)}
    assert [(h.hop, h.amount, h.edges, h.accounts) for h in result.hops] == [(0, 1000, 1, 1), (1, 900, 2, 2)]
    assert [f.account for f in result.still_held()] == [C, B, A]


def test_it_does_not_count_outflows_before_the_money_arrived():
    index = index_of([(A, B, 300, 5, TRANSFER), (A, C, 300, 10, TRANSFER), (A, D, 100, 11, TRANSFER)])
    result = trace(index, account=A, amount=1000, time=10)  # arrives after everything at second 10
    assert set(result.accounts) == {A, D}
    assert result.accounts[D].received == 100
    assert result.accounts[A].remaining == 900


def test_it_mixes_with_other_money_and_consumes_partially_over_hops():
    index = index_of(
        [
            (A, B, 400, 20, TRANSFER),
            (Y, B, 700, 35, TRANSFER),  # B: victim 400, then other 700
            (B, D, 1000, 40, TRANSFER),  # takes victim 400 + other 600
            (D, OUT, 300, 50, CASH_OUT),  # ATM: victim 300
            (D, X, 500, 60, TRANSFER),  # victim 100 + unknown 400
        ]
    )
    result = trace(index, account=A, amount=400, time=10)
    d = result.accounts[D]
    assert (d.hop, d.received, d.cash_out, d.sent, d.remaining) == (2, 400, 300, 100, 0)
    assert result.accounts[X].received == 100 and result.accounts[X].hop == 3
    assert result.accounts[B].remaining == 0
    assert [(e.kind, e.attributed, e.hop) for e in result.cash_outs()] == [(CASH_OUT, 300, 3)]
    assert result.cash_out == 300 and result.held == 100


def test_it_follows_money_around_a_cycle_once_per_passage():
    index = index_of(
        [
            (A, B, 1000, 2, TRANSFER),
            (B, A, 1000, 3, TRANSFER),
            (A, C, 1000, 4, TRANSFER),
        ]
    )
    result = trace(index, account=A, amount=1000, time=1)
    assert result.accounts[C].received == 1000 and result.accounts[C].hop == 3
    assert result.accounts[A].received == 2000 and result.accounts[A].remaining == 0
    assert [(h.hop, h.amount) for h in result.hops] == [(0, 1000), (1, 1000), (2, 1000), (3, 1000)]


def test_it_books_third_party_hops_and_stops_there():
    index = index_of([(A, OUT, 700, 20, THIRD_PARTY), (A, B, 500, 30, TRANSFER)])
    result = trace(index, account=A, amount=1000, time=10)
    assert result.third_party == 700
    assert result.accounts[B].received == 300
    assert [e.attributed for e in result.third_party_hops()] == [700]


def test_it_stops_following_after_the_last_hop():
    index = index_of([(A, B, 1000, 2, TRANSFER), (B, C, 1000, 3, TRANSFER), (C, D, 1000, 4, TRANSFER)])
    result = trace(index, account=A, amount=1000, time=1, hops=1)
    assert set(result.accounts) == {A, B}
    assert result.beyond == 1000
    assert result.accounts[B].sent == 1000 and result.accounts[B].remaining == 0


def test_it_finds_the_payment_in_the_index_and_keeps_the_rest_as_other_money():
    index = index_of([(X, A, 1500, 10, TRANSFER), (A, B, 600, 20, TRANSFER), (A, C, 900, 30, TRANSFER)])
    result = trace(index, account=A, amount=1000, time=10, payment=0)  # 1000 of the 1500 transfer
    assert result.accounts[B].received == 600
    assert result.accounts[C].received == 400
    assert result.accounts[A].remaining == 0


def test_it_drops_fragments_under_the_threshold():
    index = index_of([(X, A, 990, 5, TRANSFER), (A, B, 1000, 20, TRANSFER), (A, C, 500, 30, TRANSFER)])
    result = trace(index, account=A, amount=1000, time=10, min_amount=50)
    assert B not in result.accounts and result.dropped == 10
    assert result.accounts[C].received == 500


def reference(index: TransferIndex, account: int, amount: int, time: int, hops: int) -> dict[int, int]:
    """Every account's queue from the start, every transfer in time order: the victim's money left."""
    queues: dict[int, deque[list[int]]] = {a: deque() for a in range(index.n_accounts)}
    placed = False
    for t in range(index.src.size):
        if not placed and index.time[t] > time:
            queues[account].append([0, amount])
            placed = True
        src, dst, left = int(index.src[t]), int(index.dst[t]), int(index.amount[t])
        pieces = []
        while left and queues[src]:
            head = queues[src][0]
            part = min(left, head[1])
            pieces.append((head[0], part))
            left -= part
            head[1] -= part
            if not head[1]:
                queues[src].popleft()
        pieces.append((OTHER, left))  # more than the account held: money of unknown origin
        if dst >= 0 and index.kind[t] == TRANSFER:
            for label, part in pieces:
                queues[dst].append([label + 1 if 0 <= label < hops else OTHER, part])
    if not placed:
        queues[account].append([0, amount])
    return {a: s for a, q in queues.items() if (s := sum(p for label, p in q if label != OTHER))}


def test_it_agrees_with_a_brute_force_replay_of_every_account():
    rng = np.random.default_rng(7)
    for _ in range(25):
        n, m = 12, 150
        src = rng.integers(0, n, m)
        dst = np.where(rng.random(m) < 0.1, -1, rng.integers(0, n, m))
        kind = np.where(dst < 0, CASH_OUT, TRANSFER)
        index = TransferIndex.build(
            src, dst, rng.integers(1, 500, m), rng.integers(0, 100, m), kind, n_accounts=n
        )
        start, hops = int(rng.integers(0, n)), int(rng.integers(1, 5))
        result = trace(index, account=start, amount=1000, time=30, hops=hops, payment=None)
        expected = reference(index, start, 1000, 30, hops)
        assert {a: f.remaining for a, f in result.accounts.items() if f.remaining} == expected
        accounted = result.held + result.cash_out + result.third_party + result.beyond + result.dropped
        assert accounted + sum(f.other_out for f in result.accounts.values()) == 1000
