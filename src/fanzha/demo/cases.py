"""A year of demo cases (案件) with payments, bank measures, statements, traces and returns.

Every 已被骗 warning of the demo year becomes a case, and people also report at the counter. Cases are
written through the case services (so numbers, events, audit records and clocks are the real ones)
and then moved back to the day they happened. The most recent cases show the work in progress: a
request waiting in a bank's queue, stop-payments whose 48 hours are running out, a freeze, a return
due, and multi-hop bank statements ready to trace. Deterministic for a seed and an anchor time.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils import timezone

from fanzha.cases import measures, recovery, services, statements
from fanzha.cases.clocks import expires
from fanzha.cases.models import Case, CaseEvent, Measure, MeasureStatus, Return, Status
from fanzha.core.models import Organisation, Person, User
from fanzha.core.pii.bankcard import luhn_valid
from fanzha.warnings.models import Outcome, Warning

COUNTER_CASES = 40
RECENT_CASES = 6  # counter reports of the last two days, with stop-payments in force
# BIN prefixes of the banks that have branches in the demo county (see demo names.json).
BANK_BINS = {
    "工商银行": "622202",
    "农业银行": "622848",
    "中国银行": "621661",
    "建设银行": "621700",
    "邮储银行": "621799",
    "招商银行": "622588",
}
LOSS_YUAN = {  # typical loss ranges by type (元)
    "fake_investment": (30_000, 600_000),
    "fake_order_rebate": (2_000, 80_000),
    "fake_loan": (3_000, 30_000),
    "fake_customer_service": (5_000, 120_000),
    "impersonate_authority": (20_000, 400_000),
    "romance": (10_000, 300_000),
}
PATH = [  # how the statuses of a case of a given age are spread (days, weights of each status)
    (7, {Status.REPORTED: 2, Status.ACCEPTED: 4, Status.FILED: 4}),
    (60, {Status.FILED: 3, Status.INVESTIGATING: 6, Status.SOLVED: 1}),
    (9999, {Status.INVESTIGATING: 4, Status.SOLVED: 3, Status.CLOSED: 3}),
]


def card(rng: random.Random, bank: str) -> str:
    """A plausible 19-digit card of ``bank`` with a valid check digit."""
    body = BANK_BINS[bank] + "".join(str(rng.randrange(10)) for _ in range(12))
    return next(body + str(d) for d in range(10) if luhn_valid(body + str(d)))


@dataclass
class Ctx:
    rng: random.Random
    now: dt.datetime
    banks: list[str]
    officers: dict[int, User]  # station id → an officer
    bank_staff: dict[int, User]  # bank organisation id → a clerk


def _officers() -> dict[int, User]:
    found: dict[int, User] = {}
    for user in User.objects.filter(organisation__kind="police_station").order_by("id"):
        if "police_officer" in user.role_codes:
            found.setdefault(user.organisation_id, user)
    return found


def _clerks() -> int:
    """A clerk (反诈专岗) at each bank branch without a demo login, so every request gets an answer."""
    from fanzha.core.services import organisations as org_services
    from fanzha.demo.accounts import DEMO_PASSWORD

    staffed = set(User.objects.filter(organisation__kind="bank").values_list("organisation_id", flat=True))
    added = 0
    for org in Organisation.objects.filter(kind="bank").exclude(pk__in=staffed).order_by("id"):
        added += 1
        org_services.user_create(
            actor=None,
            username=f"clerk{added}",
            password=DEMO_PASSWORD,
            organisation=org,
            roles=["bank_staff"],
            display_name=f"{org.name[:4]}反诈专岗",
        )
    return added


def _bank_staff() -> dict[int, User]:
    found: dict[int, User] = {}
    for user in User.objects.filter(organisation__kind="bank").order_by("id"):
        if "bank_staff" in user.role_codes:
            found.setdefault(user.organisation_id, user)
    return found


def _banks_with_staff(staff: dict[int, User]) -> list[str]:
    names = Organisation.objects.filter(pk__in=staff).values_list("name", flat=True)
    return [short for short in BANK_BINS if any(short in n for n in names)]


def _status_for(ctx: Ctx, age_days: float) -> str:
    weights = next(w for limit, w in PATH if age_days <= limit)
    return ctx.rng.choices(list(weights), weights=list(weights.values()))[0]


def _loss(ctx: Ctx, fraud_type: str) -> int:
    low, high = LOSS_YUAN.get(fraud_type, (3_000, 60_000))
    return int(ctx.rng.uniform(low, high)) // 100 * 10_000  # whole hundreds of yuan, in fen


def _payments(ctx: Ctx, case: Case, officer: User, loss: int, paid: dt.datetime) -> list[Any]:
    count = 1 if loss < 2_000_000 else ctx.rng.choice([1, 2, 3])
    made = []
    for i in range(count):
        bank = ctx.rng.choice(ctx.banks)
        amount = loss // count if i < count - 1 else loss - loss // count * (count - 1)
        data = services.PaymentData(
            victim=case.victims.first(),
            paid_at=paid + dt.timedelta(minutes=37 * i),
            amount_fen=amount,
            to_account=card(ctx.rng, bank),
            to_bank=bank,
            to_name=ctx.rng.choice(["刘某", "陈某某", "黄某", "某某商贸有限公司"]),
            from_account=card(ctx.rng, ctx.rng.choice(list(BANK_BINS))),
        )
        made.append(services.payment_add(actor=officer, case=case, data=data))
    return made


def _measures(ctx: Ctx, case: Case, officer: User, payments: list[Any], age_days: float) -> None:
    """Quick reports get stop-payments; what the bank held is frozen and, for older cases, returned."""
    if age_days > 5 and ctx.rng.random() < 0.45:
        return  # reported too late: the money had gone
    for payment in payments:
        stop = measures.measure_send(actor=officer, case=case, target=measures.target_of_payment(payment))
        clerk = ctx.bank_staff.get(stop.bank_org_id or 0)
        held = int(payment.amount_fen * ctx.rng.choice([0, 0.1, 0.3, 0.6, 1.0])) // 100 * 100
        if clerk is None:
            continue
        if held == 0:
            measures.measure_answer(
                actor=clerk,
                measure=stop,
                data=measures.AnswerData("moved_on", moved_to=card(ctx.rng, "建设银行")),
            )
            continue
        # The clerk answers as the bank stops the money; _backdate moves both back to the case's time.
        measures.measure_answer(
            actor=clerk, measure=stop, data=measures.AnswerData("stopped", held, executed_at=timezone.now())
        )
        if age_days > 2:
            freeze = measures.measure_follow_up(actor=officer, measure=stop, kind="freeze")
            freeze = measures.measure_answer(
                actor=clerk,
                measure=freeze,
                data=measures.AnswerData("frozen", held, executed_at=timezone.now()),
            )
            if age_days > 45 and ctx.rng.random() < 0.7:
                _return(ctx, case, officer, freeze, held, age_days)


def _return(ctx: Ctx, case: Case, officer: User, freeze: Measure, amount: int, age_days: float) -> None:
    decided = timezone.localtime(ctx.now - dt.timedelta(days=age_days - 30)).date()
    decision = recovery.return_decide(
        actor=officer,
        case=case,
        victim=case.victims.first(),
        amount_fen=amount,
        decided_on=decided,
        measure=freeze,
    )
    returned_on = min(decision.due_on, timezone.localtime(ctx.now).date())
    recovery.return_record(actor=officer, decision=decision, returned_on=returned_on, returned_fen=amount)


def _backdate(case: Case, delta: dt.timedelta, now: dt.datetime) -> None:
    """Move everything the services stamped 'now' back to when it happened."""
    if not delta:
        return
    for measure in Measure.objects.filter(case=case):
        measure.sent_at -= delta
        measure.answered_at = measure.answered_at and measure.answered_at - delta
        measure.executed_at = measure.executed_at and measure.executed_at - delta
        if measure.executed_at and measure.status in (MeasureStatus.IN_FORCE, MeasureStatus.EXPIRED):
            measure.expires_at = expires(measure.kind, measure.executed_at)
            past = measure.expires_at <= now
            measure.status = MeasureStatus.EXPIRED if past else measure.status
        elif measure.expires_at:
            measure.expires_at -= delta
        measure.save()
    for event in CaseEvent.objects.filter(case=case):
        CaseEvent.objects.filter(pk=event.pk).update(at=event.at - delta)
    Case.objects.filter(pk=case.pk, closed_at__isnull=False).update(
        closed_at=case.reported_at + dt.timedelta(days=40)
    )


def _one_case(
    ctx: Ctx, person: Person, area: Any, fraud_type: str, reported: dt.datetime, warning: Any
) -> Case:
    station = services._handling_unit(area)
    officer = ctx.officers[station.pk]
    loss = _loss(ctx, fraud_type) if warning is None or not warning.amount else int(warning.amount * 100)
    paid = reported - dt.timedelta(hours=ctx.rng.choice([1, 3, 20, 60]))
    data = services.CaseData(
        area=area,
        reported_at=reported,
        fraud_type=fraud_type,
        occurred_at=paid,
        loss_fen=loss,
        contact_method=ctx.rng.choice(["phone", "wechat", "qq", "app", "social"]),
    )
    if warning is not None:
        case = services.case_draft_from_warning(actor=officer, warning=warning)
        Case.objects.filter(pk=case.pk).update(
            reported_at=reported, loss_fen=loss, officer=officer, contact_method=data.contact_method
        )
        case.refresh_from_db()
    else:
        case = services.case_register(actor=officer, data=data, victim=person)
    age = (ctx.now - reported).total_seconds() / 86400
    payments = _payments(ctx, case, officer, max(loss, 100_000), paid)
    services.case_advance(actor=officer, case=case, to=_status_for(ctx, age))
    _measures(ctx, case, officer, payments, age)
    case.refresh_from_db()
    if case.status in (Status.SOLVED, Status.CLOSED):
        services.result_record(
            actor=officer, case=case, detained=ctx.rng.choice([1, 2, 3, 5]), note="抓获涉案取款、转账人员"
        )
    _backdate(case, timezone.now() - reported, ctx.now)
    return case


def _counter_people(ctx: Ctx) -> list[Person]:
    """Registered residents who are not yet victims in a case, in a fixed order."""
    taken = Case.objects.values_list("victims__person_id", flat=True)
    return list(Person.objects.exclude(pk__in=taken).order_by("id")[:400])


def _counter_cases(ctx: Ctx, count: int) -> int:
    """Counter reports over the year; the last few in the past two days, their stop-payments running."""
    people = _counter_people(ctx)
    types = list(LOSS_YUAN) + ["fake_credit_repair", "game_trade", "elderly_care", "impersonate_acquaintance"]
    made = 0
    for i, person in enumerate(ctx.rng.sample(people, min(count, len(people)))):
        days = ctx.rng.uniform(0.1, 1.9) if i < RECENT_CASES else ctx.rng.uniform(3, 360)
        reported = ctx.now - dt.timedelta(days=days, minutes=ctx.rng.randrange(60))
        _one_case(ctx, person, person.area, ctx.rng.choice(types), reported, None)
        made += 1
    return made


def _warning_cases(ctx: Ctx) -> int:
    defrauded = (
        Warning.objects.filter(outcome=Outcome.DEFRAUDED).select_related("person", "area").order_by("id")
    )
    made = 0
    for warning in defrauded:
        reported = max(warning.closed_at or warning.received_at, warning.received_at) + dt.timedelta(hours=1)
        if reported > ctx.now - dt.timedelta(days=3):
            continue  # the showcase covers the last days
        _one_case(
            ctx, warning.person, warning.area, warning.fraud_type or "fake_order_rebate", reported, warning
        )
        made += 1
    return made


@dataclass
class Showcase:
    """A case reported this morning: payments to a card, a stop-payment waiting for the bank, statements."""

    case: Case
    officer: User


def _showcase_person(ctx: Ctx, officer: User) -> Person:
    jurisdiction = officer.organisation.jurisdiction_paths()
    condition = Q(pk__in=[])
    for path in jurisdiction:
        condition |= Q(area__path__startswith=path)
    taken = Case.objects.values_list("victims__person_id", flat=True)
    return Person.objects.filter(condition, birth_year__lte=1965).exclude(pk__in=taken).order_by("id").first()  # type: ignore[return-value]


def _showcase(ctx: Ctx, officer: User, hours_ago: float, bank: str, send: bool) -> Showcase:
    from fanzha.demo.statements import laundering

    person = _showcase_person(ctx, officer)
    paid = (ctx.now - dt.timedelta(hours=hours_ago)).replace(microsecond=0)
    reported = paid + dt.timedelta(minutes=50)
    data = services.CaseData(
        area=person.area,
        reported_at=reported,
        fraud_type="fake_investment",
        occurred_at=paid,
        loss_fen=15_000_000,
        contact_method="wechat",
        summary="受害人在短视频平台被拉入“荐股”群，下载虚假投资App后按客服指示转账。",
    )
    case = services.case_register(actor=officer, data=data, victim=person)
    payee = card(ctx.rng, bank)
    victim_card = card(ctx.rng, "农业银行")
    payment = services.payment_add(
        actor=officer,
        case=case,
        data=services.PaymentData(
            victim=case.victims.first(),
            paid_at=paid,
            amount_fen=15_000_000,
            to_account=payee,
            to_bank=bank,
            to_name="刘某",
            from_account=victim_card,
        ),
    )
    network = laundering(
        ctx.rng, card, payee, bank, victim_card, 15_000_000, timezone.localtime(paid).replace(tzinfo=None)
    )
    for name, data_bytes, holder in network.files():
        statements.statement_upload(
            actor=officer, case=case, file_name=name, data=data_bytes, bank_name=holder.bank
        )
    services.case_status_change(actor=officer, case=case, to=Status.ACCEPTED)
    if send:
        measures.measure_send(actor=officer, case=case, target=measures.target_of_payment(payment))
    return Showcase(case, officer)


def _running_clocks(ctx: Ctx) -> None:
    """Bring a few recent stop-payments close to the end of their 48 hours, so the board shows it."""
    recent = Measure.objects.filter(status=MeasureStatus.IN_FORCE, kind="stop").order_by("-answered_at")[:3]
    for hours_left, measure in zip((5, 20, 40), recent, strict=False):
        answered = ctx.now - dt.timedelta(hours=48 - hours_left)
        Measure.objects.filter(pk=measure.pk).update(
            answered_at=answered,
            executed_at=answered,
            sent_at=answered - dt.timedelta(minutes=20),
            expires_at=expires("stop", answered),
        )


def demo_cases(*, seed: int, now: dt.datetime | None = None) -> dict[str, int]:
    """Write the demo cases (inside the demo's transaction); returns counts for the audit record."""
    now = now or timezone.now()
    clerks = _clerks()
    staff = _bank_staff()
    ctx = Ctx(
        random.Random(f"{seed}:cases"), now, _banks_with_staff(staff) or ["工商银行"], _officers(), staff
    )
    from_warnings = _warning_cases(ctx)
    counter = _counter_cases(ctx, COUNTER_CASES)
    first_station = next(iter(ctx.officers.values()))
    police = User.objects.filter(username="police").first() or first_station
    _showcase(ctx, police, 2, "工商银行", send=True)
    _showcase(ctx, police, 30, "工商银行", send=False)
    _running_clocks(ctx)
    return {
        "bank_clerks": clerks,
        "cases": Case.objects.count(),
        "cases_from_warnings": from_warnings,
        "counter_cases": counter,
        "measures": Measure.objects.count(),
        "returns": Return.objects.count(),
    }
