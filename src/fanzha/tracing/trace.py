"""Following a victim's money downstream, first-in-first-out by time, as investigators do.

Each account holds a queue of money in arrival order, cut into segments that are either the victim's
money (labelled with the hop at which it reached the account) or other money. An outflow takes from
the front of the queue; the victim's money in what it took travels on to the receiving account, where
it queues behind whatever that account already held. Money that arrives after an outflow is not in
it. The money an account held before it first received the victim's money is other money; an outflow
larger than the queue takes money of unknown origin (an opening balance not in the data), which is
never the victim's.

Only accounts that receive the victim's money are touched. Transfers are visited in time order (a heap
over the touched accounts' next outflows); an account whose queue holds no victim money left goes
dormant and, if money reaches it again, catches up on what it did meanwhile with one vectorised pass.

    index = TransferIndex.build(src, dst, amount, time, kind)
    result = trace(index, account=a, amount=5_000_000, time=t, hops=6)
    result.hops, result.accounts, result.edges, result.still_held()
"""

from __future__ import annotations

import heapq
from collections import deque
from dataclasses import dataclass, field

import numpy as np

from fanzha.tracing.index import TransferIndex
from fanzha.tracing.kinds import CASH_OUT, CODE, THIRD_PARTY, TRANSFER

OTHER = -1  # label of money that is not the victim's
FOLLOWED = frozenset({TRANSFER, CODE["refund"], CODE["reversal"]})  # kinds that move money between accounts


@dataclass
class AccountFlow:
    """The victim's money through one account (fen)."""

    account: int
    hop: int  # hops from the victim's payment at which the money first arrived (0 = the payee)
    first_in: int  # seconds
    received: int = 0
    sent: int = 0  # to other accounts
    cash_out: int = 0
    third_party: int = 0
    other_out: int = 0  # fees and other outflows that leave the accounts in the data
    remaining: int = 0  # still in the account at the end of the data → stop-payment candidate


@dataclass(frozen=True, slots=True)
class Edge:
    transfer: int  # id in the index
    src: int
    dst: int  # −1: outside
    time: int
    amount: int  # the whole transfer
    attributed: int  # the victim's money in it
    hop: int  # 1 = from the payee onward
    kind: int


@dataclass
class HopTotal:
    hop: int
    amount: int = 0  # the victim's money moved at this hop (all kinds)
    edges: int = 0
    accounts: int = 0  # accounts first reached at this hop
    cash_out: int = 0
    third_party: int = 0


@dataclass
class TraceResult:
    payment: int
    hops: list[HopTotal]
    accounts: dict[int, AccountFlow]
    edges: list[Edge]
    beyond: int = 0  # left the last hop's accounts (not followed further)
    dropped: int = 0  # fragments below the tracing threshold

    def still_held(self) -> list[AccountFlow]:
        """Accounts where the victim's money still sits, most first (stop-payment candidates)."""
        held = [flow for flow in self.accounts.values() if flow.remaining > 0]
        return sorted(held, key=lambda f: (-f.remaining, f.hop, f.account))

    @property
    def cash_out(self) -> int:
        return sum(f.cash_out for f in self.accounts.values())

    @property
    def third_party(self) -> int:
        return sum(f.third_party for f in self.accounts.values())

    @property
    def held(self) -> int:
        return sum(f.remaining for f in self.accounts.values())

    def cash_outs(self) -> list[Edge]:
        return [e for e in self.edges if e.kind == CASH_OUT]

    def third_party_hops(self) -> list[Edge]:
        return [e for e in self.edges if e.kind == THIRD_PARTY]


class _State:
    __slots__ = ("active", "flow", "in_end", "in_ptr", "out_end", "out_ptr", "queue", "tagged")

    def __init__(self, index: TransferIndex, account: int, flow: AccountFlow) -> None:
        self.queue: deque[list[int]] = deque()
        self.tagged = 0
        self.out_ptr = int(index.out_start[account])
        self.out_end = int(index.out_start[account + 1])
        self.in_ptr = int(index.in_start[account])
        self.in_end = int(index.in_start[account + 1])
        self.active = False
        self.flow = flow

    def append(self, label: int, amount: int) -> None:
        if amount <= 0:
            return
        if self.queue and self.queue[-1][0] == label:
            self.queue[-1][1] += amount
        else:
            self.queue.append([label, amount])
        if label != OTHER:
            self.tagged += amount

    def take(self, amount: int) -> list[tuple[int, int]]:
        """Consume from the front: (label, amount) pieces in order (unknown money is left out)."""
        pieces: list[tuple[int, int]] = []
        queue = self.queue
        while amount > 0 and queue:
            head = queue[0]
            part = head[1] if head[1] <= amount else amount
            pieces.append((head[0], part))
            amount -= part
            if head[0] != OTHER:
                self.tagged -= part
            if part == head[1]:
                queue.popleft()
            else:
                head[1] -= part
        return pieces


@dataclass
class _Run:
    index: TransferIndex
    hops: int
    min_amount: int
    states: dict[int, _State] = field(default_factory=dict)
    heap: list[tuple[int, int]] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    totals: dict[int, HopTotal] = field(default_factory=dict)
    beyond: int = 0
    dropped: int = 0

    def state(self, account: int, hop: int, when: int) -> _State:
        found = self.states.get(account)
        if found is None:
            found = _State(self.index, account, AccountFlow(account=account, hop=hop, first_in=when))
            self.states[account] = found
            self.total(hop).accounts += 1
        return found

    def total(self, hop: int) -> HopTotal:
        if hop not in self.totals:
            self.totals[hop] = HopTotal(hop=hop)
        return self.totals[hop]

    def fold_inflows(self, st: _State, upto: int) -> None:
        """Inflows before transfer ``upto`` join the queue as other money."""
        ix = self.index
        end = st.in_ptr + int(np.searchsorted(ix.in_ids[st.in_ptr : st.in_end], upto))
        if end > st.in_ptr:
            st.append(OTHER, int(ix.amount[ix.in_ids[st.in_ptr : end]].sum()))
            st.in_ptr = end

    def catch_up(self, st: _State, upto: int) -> None:
        """A dormant account (no victim money queued) replays its transfers before ``upto`` at once:
        the balance of other money follows b = max(0, b + delta), i.e. S_n − min(0, min_k S_k)."""
        ix = self.index
        in_end = st.in_ptr + int(np.searchsorted(ix.in_ids[st.in_ptr : st.in_end], upto))
        out_end = st.out_ptr + int(np.searchsorted(ix.out_ids[st.out_ptr : st.out_end], upto))
        if out_end == st.out_ptr:
            self.fold_inflows(st, upto)
            return
        balance = sum(seg[1] for seg in st.queue)
        ins, outs = ix.in_ids[st.in_ptr : in_end], ix.out_ids[st.out_ptr : out_end]
        ids = np.concatenate([ins, outs])
        deltas = np.concatenate([ix.amount[ins], -ix.amount[outs]])[np.argsort(ids, kind="stable")]
        running = balance + np.cumsum(deltas)
        balance = int(running[-1]) - min(0, int(running.min()))
        st.queue.clear()
        st.append(OTHER, balance)
        st.in_ptr, st.out_ptr = in_end, out_end

    def activate(self, account: int, st: _State) -> None:
        if not st.active and st.out_ptr < st.out_end:
            st.active = True
            heapq.heappush(self.heap, (int(self.index.out_ids[st.out_ptr]), account))

    def deliver(self, transfer: int, dst: int, pieces: list[tuple[int, int]], hop: int) -> None:
        """The pieces of ``transfer`` (labels already advanced) join ``dst``'s queue."""
        ix = self.index
        when = int(ix.time[transfer])
        st = self.state(dst, hop, when)
        if st.active:
            self.fold_inflows(st, transfer)
        else:
            self.catch_up(st, transfer)
        if st.in_ptr < st.in_end and int(ix.in_ids[st.in_ptr]) == transfer:
            st.in_ptr += 1
        for label, part in pieces:
            st.append(label, part)
            if label != OTHER:
                st.flow.received += part
        self.activate(dst, st)

    def route(self, transfer: int, src: _State, pieces: list[tuple[int, int]]) -> None:
        """Book the victim's money in ``pieces`` on the edge and send it on."""
        ix = self.index
        tagged = [(label, part) for label, part in pieces if label != OTHER]
        attributed = sum(part for _, part in tagged)
        if attributed < self.min_amount:
            self.dropped += attributed
            return
        kind, dst = int(ix.kind[transfer]), int(ix.dst[transfer])
        hop = min(label for label, _ in tagged) + 1
        self.edges.append(
            Edge(
                transfer,
                src.flow.account,
                dst,
                int(ix.time[transfer]),
                int(ix.amount[transfer]),
                attributed,
                hop,
                kind,
            )
        )
        for label, part in tagged:
            total = self.total(label + 1)
            total.amount += part
            total.cash_out += part if kind == CASH_OUT else 0
            total.third_party += part if kind == THIRD_PARTY else 0
        self.total(hop).edges += 1
        self._book_out(src.flow, kind, dst, attributed)
        if dst < 0 or kind not in FOLLOWED:
            return
        onward = [(label + 1 if 0 <= label < self.hops else OTHER, part) for label, part in pieces]
        onward.append((OTHER, int(ix.amount[transfer]) - sum(part for _, part in pieces)))  # unknown origin
        self.beyond += sum(part for label, part in pieces if label >= self.hops)
        if any(label != OTHER for label, _ in onward):
            self.deliver(transfer, dst, onward, hop)

    @staticmethod
    def _book_out(flow: AccountFlow, kind: int, dst: int, amount: int) -> None:
        if kind == CASH_OUT:
            flow.cash_out += amount
        elif kind == THIRD_PARTY:
            flow.third_party += amount
        elif dst < 0 or kind not in FOLLOWED:
            flow.other_out += amount
        else:
            flow.sent += amount

    def run(self) -> None:
        ix, heap, states = self.index, self.heap, self.states
        while heap:
            transfer, account = heapq.heappop(heap)
            st = states[account]
            self.fold_inflows(st, transfer)
            pieces = st.take(int(ix.amount[transfer]))
            st.out_ptr += 1
            if any(label != OTHER for label, _ in pieces):
                self.route(transfer, st, pieces)
            if st.tagged > 0 and st.out_ptr < st.out_end:
                heapq.heappush(heap, (int(ix.out_ids[st.out_ptr]), account))
            else:
                st.active = False


def trace(
    index: TransferIndex,
    *,
    account: int,
    amount: int,
    time: int,
    hops: int = 6,
    payment: int | None = None,
    min_amount: int = 1,
) -> TraceResult:
    """Follow ``amount`` fen paid into ``account`` at ``time`` (seconds) for up to ``hops`` transfers.

    ``payment`` is the id of that payment in the index; by default it is looked up (same account,
    amount and time) and, when absent, the payment is taken to arrive after every transfer of that
    second. Pieces of the victim's money under ``min_amount`` fen are not followed (``dropped``).
    """
    if hops < 1:
        raise ValueError("hops must be ≥ 1")
    if payment is None:
        payment = index.find_payment(account, amount, time)
    run = _Run(index=index, hops=hops, min_amount=max(min_amount, 1))
    run.total(0).amount = amount
    run.total(0).edges = 1
    if payment is None:
        upto = int(np.searchsorted(index.time, time, side="right"))
        st = run.state(account, 0, time)
        run.catch_up(st, upto)
        st.append(0, amount)
        st.flow.received += amount
        run.activate(account, st)
    else:
        rest = int(index.amount[payment]) - amount
        run.deliver(payment, account, [(0, amount), (OTHER, max(rest, 0))], 0)
    run.run()
    for st in run.states.values():
        st.flow.remaining = st.tagged
    hop_list = [run.totals[h] for h in sorted(run.totals)]
    flows = {a: st.flow for a, st in run.states.items()}
    return TraceResult(
        payment=amount, hops=hop_list, accounts=flows, edges=run.edges, beyond=run.beyond, dropped=run.dropped
    )
