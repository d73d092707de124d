"""Tracing a victim's payment through the case's statements, and stopping the money where it sits.

The engine (``fanzha.tracing``) follows the money first-in-first-out through each account; here
accounts are named by keyed hashes, and turned back into masked numbers and banks for the page.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Min

from fanzha.audit.services import audit_record
from fanzha.cases.common import (
    MASKED_ACCOUNT,
    add_event,
    bank_organisation,
    is_masked,
    mask_account,
    money,
    require_case,
)
from fanzha.cases.measures import OPEN_MEASURE, Target, measure_send
from fanzha.cases.models import Case, EventKind, Measure, Payment, Statement, Transaction
from fanzha.tracing.index import TransferIndex, epoch
from fanzha.tracing.kinds import CATEGORIES, LABELS
from fanzha.tracing.rows import StatementRow, index_from_rows
from fanzha.tracing.trace import TraceResult, trace

HOPS = 6
MATCH_WINDOW = dt.timedelta(minutes=30)  # a reported payment time is often a few minutes off


@dataclass
class AccountInfo:
    number: str = ""
    bank: str = ""
    has_statement: bool = False

    @property
    def masked(self) -> str:
        return mask_account(self.number)


@dataclass
class CaseTrace:
    payment: Payment
    index: TransferIndex
    result: TraceResult
    accounts: dict[str, AccountInfo] = field(default_factory=dict)  # hash → what we know

    def info(self, account: int) -> AccountInfo:
        return self.accounts.get(self.index.label(account), AccountInfo())


def _first_rows(case: Case, column: str, hashes: set[str]) -> Any:
    """One transaction per account hash (the one decrypted to show the account), found in chunks."""
    wanted = sorted(hashes)
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        firsts = (
            Transaction.objects.filter(case=case, **{f"{column}__in": chunk})
            .values(column)
            .annotate(first=Min("id"))
            .values_list("first", flat=True)
        )
        yield from Transaction.objects.filter(pk__in=list(firsts))


def _accounts(case: Case, hashes: set[str]) -> dict[str, AccountInfo]:
    """Number and bank of the accounts the trace reached (only those are decrypted)."""
    known: dict[str, AccountInfo] = {}
    banks = dict(Statement.objects.filter(case=case).values_list("account_hash", "bank_name"))
    for row in _first_rows(case, "account_hash", hashes):
        known[row.account_hash] = AccountInfo(row.account, banks.get(row.account_hash, ""), True)
    for row in _first_rows(case, "counterparty_hash", hashes - set(known)):
        known[row.counterparty_hash] = AccountInfo(row.counterparty, row.counterparty_bank)
    return known


def case_index(case: Case) -> TransferIndex:
    rows = Transaction.objects.filter(case=case).values_list(
        "account_hash", "time", "amount_fen", "counterparty_hash", "category"
    )
    return index_from_rows(
        StatementRow(a, t, int(m), c, int(k)) for a, t, m, c, k in rows.iterator(chunk_size=5000)
    )


def _payment_in_index(index: TransferIndex, account: int, payment: Payment) -> int | None:
    """The payee's inflow of the payment's amount nearest the reported time (±30 min)."""
    ids = index.in_ids[index.in_start[account] : index.in_start[account + 1]]
    when = epoch(payment.paid_at)
    close = ids[
        (index.amount[ids] == payment.amount_fen)
        & (np.abs(index.time[ids] - when) <= MATCH_WINDOW.total_seconds())
    ]
    if close.size == 0:
        return None
    return int(close[np.argmin(np.abs(index.time[close] - when))])


def trace_payment(*, actor: Any, payment: Payment, hops: int = HOPS) -> CaseTrace:
    """Follow one payment; ValidationError when the payee's statement is not there yet."""
    require_case(actor, payment.case, "case.trace")
    index = case_index(payment.case)
    labels = list(index.labels or [])
    if payment.to_account_hash not in labels:
        raise ValidationError("尚无收款账户的流水：请先导入收款卡（一级卡）的银行流水")
    account = labels.index(payment.to_account_hash)
    found = _payment_in_index(index, account, payment)
    when = int(index.time[found]) if found is not None else epoch(payment.paid_at)
    result = trace(index, account=account, amount=payment.amount_fen, time=when, hops=hops, payment=found)
    reached = {index.label(a) for a in result.accounts}
    return CaseTrace(payment=payment, index=index, result=result, accounts=_accounts(payment.case, reached))


def audit_trace(actor: Any, payment: Payment, what: str) -> None:
    audit_record(
        actor=actor, action="case.trace", obj=payment.case, details={"payment": payment.pk, "what": what}
    )


def kind_label(kind: int) -> str:
    return LABELS[CATEGORIES[kind]]


@dataclass
class DownstreamResult:
    sent: list[Measure] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # masked account + why


def _open_accounts(case: Case) -> set[str]:
    return set(
        Measure.objects.filter(case=case, status__in=OPEN_MEASURE).values_list("account_hash", flat=True)
    )


@transaction.atomic
def stop_downstream(*, actor: Any, payment: Payment, min_fen: int = 100) -> DownstreamResult:
    """One action: a stop-payment request to every account where the victim's money still sits."""
    require_case(actor, payment.case, "case.measure")
    found = trace_payment(actor=actor, payment=payment)
    busy = _open_accounts(payment.case)
    outcome = DownstreamResult()
    for flow in found.result.still_held():
        label = found.index.label(flow.account)
        info = found.info(flow.account)
        if flow.remaining < min_fen or label in busy:
            continue
        if is_masked(info.number):
            outcome.skipped.append(f"{info.masked}（{money(flow.remaining)}）：{MASKED_ACCOUNT}")
            continue
        bank_org = bank_organisation(info.bank, info.number)
        if bank_org is None or not info.number:
            outcome.skipped.append(f"{info.masked}（{money(flow.remaining)}）：未找到开户行对应的银行单位")
            continue
        target = Target(info.number, flow.remaining, info.bank, bank_org, "", flow.hop, payment)
        outcome.sent.append(
            measure_send(
                actor=actor, case=payment.case, target=target, reason=f"资金溯源第 {flow.hop} 级留存"
            )
        )
    add_event(payment.case, actor, EventKind.TRACE, f"按溯源结果向 {len(outcome.sent)} 个下游账户发送止付")
    audit_trace(actor, payment, "stop_downstream")
    return outcome
