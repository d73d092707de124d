"""Returning frozen money to victims (资金返还) and the recovered amounts per victim and per case.

A return decision is due within ``CASE_RETURN_WORKING_DAYS`` working days (the platform's calendar);
recording it done feeds 挽回损失 in the statistics (``recovered_total``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.urls import reverse

from fanzha.audit.services import audit_record
from fanzha.cases import clocks
from fanzha.cases.common import add_event, money, require_case
from fanzha.cases.models import Case, EventKind, Measure, MeasureKind, MeasureStatus, Return, Victim
from fanzha.jobs.models import NotificationLevel
from fanzha.jobs.services import notify
from fanzha.jobs.workdays import add_working_days


def _check_decision(case: Case, victim: Victim, measure: Measure | None, amount_fen: int) -> None:
    errors: dict[str, str] = {}
    if victim.case_id != case.pk:
        errors["victim"] = "该人员不是本案受害人"
    if amount_fen <= 0:
        errors["amount"] = "返还金额须大于 0"
    if measure is not None:
        if measure.case_id != case.pk or measure.kind != MeasureKind.FREEZE:
            errors["measure"] = "请选择本案的冻结措施"
        else:
            pending = measure.returns.aggregate(s=Sum("amount_fen"))["s"] or 0
            if pending + amount_fen > measure.effective_fen:
                frozen, decided = money(measure.effective_fen), money(pending)
                errors["amount"] = f"超出该冻结的可返还金额（冻结 {frozen}，已决定返还 {decided}）"
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def return_decide(
    *,
    actor: Any,
    case: Case,
    victim: Victim,
    amount_fen: int,
    decided_on: dt.date,
    measure: Measure | None = None,
) -> Return:
    require_case(actor, case, "case.recover")
    _check_decision(case, victim, measure, amount_fen)
    decision = Return.objects.create(
        case=case,
        victim=victim,
        measure=measure,
        amount_fen=amount_fen,
        decided_on=decided_on,
        due_on=clocks.return_due(decided_on),
        created_by=actor,
    )
    add_event(
        case,
        actor,
        EventKind.RETURN,
        f"决定向 {victim} 返还 {money(amount_fen)}，应于 {decision.due_on:%Y-%m-%d} 前返还",
    )
    audit_record(
        actor=actor, action="case.return", obj=decision, details={"step": "decide", "amount_fen": amount_fen}
    )
    return decision


@transaction.atomic
def return_record(*, actor: Any, decision: Return, returned_on: dt.date, returned_fen: int) -> Return:
    decision = Return.objects.select_for_update().select_related("case", "victim").get(pk=decision.pk)
    require_case(actor, decision.case, "case.recover")
    if decision.done:
        raise ValidationError({"returned_on": "该返还已登记"})
    if returned_fen <= 0 or returned_fen > decision.amount_fen:
        raise ValidationError(
            {"amount": f"实际返还金额须在 0 与决定金额（{money(decision.amount_fen)}）之间"}
        )
    if returned_on < decision.decided_on:
        raise ValidationError({"returned_on": "返还日期不能早于决定日期"})
    decision.returned_on, decision.returned_fen = returned_on, returned_fen
    decision.save(update_fields=["returned_on", "returned_fen"])
    _release_if_returned(decision)
    late = "（超过法定期限）" if returned_on > decision.due_on else ""
    add_event(
        decision.case, actor, EventKind.RETURN, f"已向 {decision.victim} 返还 {money(returned_fen)}{late}"
    )
    audit_record(
        actor=actor, action="case.return", obj=decision, details={"step": "done", "amount_fen": returned_fen}
    )
    return decision


def _release_if_returned(decision: Return) -> None:
    measure = decision.measure
    if measure is None or measure.status != MeasureStatus.IN_FORCE:
        return
    returned = measure.returns.aggregate(s=Sum("returned_fen"))["s"] or 0
    if returned >= measure.effective_fen:
        Measure.objects.filter(pk=measure.pk).update(status=MeasureStatus.RELEASED)


def alert_due_returns(today: dt.date) -> int:
    """Remind the officer of returns due by the next working day and not yet recorded (once)."""
    horizon = add_working_days(today, 1)
    due = Return.objects.filter(returned_on__isnull=True, alerted=False, due_on__lte=horizon).select_related(
        "case", "case__officer", "created_by"
    )
    count = 0
    for decision in due:
        people = {p.pk: p for p in (decision.case.officer, decision.created_by) if p is not None}
        notify(
            recipients=list(people.values()),
            title=f"资金返还将到期（{decision.case.number}）",
            body=f"{money(decision.amount_fen)} 应于 {decision.due_on:%Y-%m-%d} 前返还受害人。",
            link=reverse("case_detail", kwargs={"pk": decision.case_id}),
            level=NotificationLevel.WARNING,
        )
        Return.objects.filter(pk=decision.pk).update(alerted=True)
        count += 1
    return count


@dataclass(frozen=True)
class Recovery:
    loss_fen: int
    stopped_fen: int
    frozen_fen: int
    decided_fen: int
    returned_fen: int


def _counted(measures: list[Measure]) -> list[Measure]:
    """The measure that speaks for each chain (a stop, its repeats, its freeze, the renewals): the latest
    the bank has answered. A repeat or a freeze still waiting for its answer leaves the money held by the
    measure before it, which is counted until the answer comes."""
    by_pk = {m.pk: m for m in measures}
    followed = {m.previous_id for m in measures if m.previous_id}
    counted = []
    for latest in measures:
        if latest.pk in followed:
            continue
        measure: Measure | None = latest
        while measure is not None and measure.status == MeasureStatus.SENT:
            measure = by_pk.get(measure.previous_id) if measure.previous_id else None
        if measure is not None:
            counted.append(measure)
    return counted


def _held(measures: list[Measure], kind: str) -> int:
    return sum(m.effective_fen for m in measures if m.kind == kind)


def _held_once(measures: list[Measure]) -> tuple[int, int]:
    """Stopped and frozen amounts of the counted measures. What the measures of one payment hold
    together is counted up to the payment, frozen first: several chains (onward requests sent before
    their shared cap, the trace's downstream requests) can name the same money, and a victim's money
    held cannot be more than was paid."""
    by_payment: dict[int | None, list[Measure]] = {}
    for measure in measures:
        by_payment.setdefault(measure.payment_id, []).append(measure)
    stopped = frozen = 0
    for group in by_payment.values():
        stop, freeze = _held(group, MeasureKind.STOP), _held(group, MeasureKind.FREEZE)
        payment = group[0].payment  # read with the measures (select_related); None: no payment
        if payment is not None:
            freeze = min(freeze, payment.amount_fen)
            stop = min(stop, payment.amount_fen - freeze)
        stopped, frozen = stopped + stop, frozen + freeze
    return stopped, frozen


def _recovery(loss_fen: int, measures: list[Measure], returns: Any) -> Recovery:
    stopped, frozen = _held_once(_counted(measures))
    return Recovery(
        loss_fen=loss_fen,
        stopped_fen=stopped,
        frozen_fen=frozen,
        decided_fen=int(returns.aggregate(s=Sum("amount_fen"))["s"] or 0),
        returned_fen=int(returns.aggregate(s=Sum("returned_fen"))["s"] or 0),
    )


def _measures_of(case: Case) -> list[Measure]:
    return list(Measure.objects.filter(case=case).select_related("payment"))


def recovery_of_case(case: Case) -> Recovery:
    """Stopped and frozen amounts (each chain's latest answered measure), decided and returned amounts."""
    return _recovery(case.loss_fen, _measures_of(case), Return.objects.filter(case=case))


def recovery_by_victim(case: Case) -> list[tuple[Victim, Recovery]]:
    every = _measures_of(case)
    return [
        (
            victim,
            _recovery(
                victim.loss_fen,
                [m for m in every if m.payment is not None and m.payment.victim_id == victim.pk],
                Return.objects.filter(victim=victim),
            ),
        )
        for victim in case.victims.select_related("person")
    ]


def recovered_total(cases: Any) -> int:
    """挽回损失 over a queryset of cases: money returned to victims, in fen."""
    return int(Return.objects.filter(case__in=cases).aggregate(s=Sum("returned_fen"))["s"] or 0)
