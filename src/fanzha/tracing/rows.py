"""The trace index from statement rows held by the caller (the platform's database, a test).

The same rule as ``columnar.index_from_store``: a statement account's outflows come from its own
statement; its inflows only from counterparties without a statement of their own (the others'
outflows already hold them), so no transfer counts twice. Account labels are whatever the caller
uses to name accounts (the platform passes keyed hashes, never account numbers).

A refund or reversal (退汇, 冲正) that names no counterparty — banks often leave 对方账号 empty on
those rows — comes back from the counterparty of the outflow it undoes (same account, same amount,
the latest earlier one within ``REFUND_WINDOW``), so the money is back where it was.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime

from fanzha.tracing.index import TransferIndex
from fanzha.tracing.kinds import CODE, TRANSFER
from fanzha.tracing.statements import REFUND_WINDOW

_ENDS = frozenset(CODE[n] for n in ("cash_out", "third_party", "fee", "interest", "cash_in"))
_MOVES = frozenset(CODE[n] for n in ("transfer", "refund", "reversal"))
_RETURNS = frozenset(CODE[n] for n in ("refund", "reversal"))


@dataclass(frozen=True, slots=True)
class StatementRow:
    account: str
    time: datetime
    amount: int  # fen, + in / − out, from ``account``'s side
    counterparty: str  # "" when the statement names none
    category: int  # kinds.CATEGORIES code


def _edge(row: StatementRow) -> tuple[str, str, int, datetime, int]:
    """An outflow of a statement account: to its counterparty, or out of the data."""
    ends_here = row.category in _ENDS or not row.counterparty
    kind = TRANSFER if ends_here and row.category not in _ENDS else row.category
    return row.account, "" if ends_here else row.counterparty, -row.amount, row.time, kind


def _returned_from(rows: list[StatementRow]) -> list[StatementRow]:
    """Refunds and reversals without a counterparty, given the counterparty of the outflow they undo."""
    order = sorted(range(len(rows)), key=lambda i: (rows[i].time, i))
    outflows: dict[tuple[str, int], list[int]] = defaultdict(list)  # (account, amount) → open outflows
    result = list(rows)
    for i in order:
        row = rows[i]
        if row.amount < 0 and row.counterparty and row.category not in _RETURNS:
            outflows[(row.account, -row.amount)].append(i)
        elif row.amount > 0 and not row.counterparty and row.category in _RETURNS:
            pool = outflows[(row.account, row.amount)]  # in time order: the latest is last
            if pool and row.time - rows[pool[-1]].time <= REFUND_WINDOW:
                result[i] = replace(row, counterparty=rows[pool.pop()].counterparty)
    return result


def index_from_rows(rows: Iterable[StatementRow]) -> TransferIndex:
    """The transfers among the accounts of ``rows``, labelled by the callers' account labels."""
    rows = _returned_from(list(rows))
    with_statement = {r.account for r in rows}
    edges: list[tuple[str, str, int, datetime, int]] = []
    for row in rows:
        if row.amount < 0:
            edges.append(_edge(row))
        elif (
            row.amount > 0
            and row.counterparty
            and row.category in _MOVES
            and row.counterparty not in with_statement
        ):
            edges.append((row.counterparty, row.account, row.amount, row.time, row.category))
    return TransferIndex.from_labels(edges)
