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

from django.db.models import Max
from django.utils import timezone

from fanzha.cases import measures, recovery, services, statements
from fanzha.cases.clocks import expires
from fanzha.cases.models import (
    ORDER_OF_STATUS,
    Case,
    CaseEvent,
    Measure,
    MeasureStatus,
    Return,
    Statement,
    Status,
)
from fanzha.core import access
from fanzha.core.models import Organisation, Person, User
from fanzha.core.pii.bankcard import luhn_valid
from fanzha.warnings.models import Outcome, Warning

COUNTER_CASES = 40
# Counter reports of the last two days (hours ago): their stop-payments are in force, the oldest close
# to the end of its 48 hours, so the board's clocks run.
RECENT_HOURS = (45.0, 30.0, 12.0, 6.0, 3.0, 1.5)
RECENT_CASES = len(RECENT_HOURS)
# How long after the step before it each step of a case is taken (minutes, or days), drawn uniformly.
ACCEPT_MINUTES = (10, 60)
STOP_MINUTES = (5, 40)  # the stop-payment, after the case is accepted
BANK_ANSWER_MINUTES = (8, 150)  # the bank's answer to a stop-payment or a freeze
FREEZE_HOURS = (2, 36)  # the freeze, after the stop-payment held money
STATUS_DAYS = {  # the next status, after the one before it
    Status.FILED: (0.5, 3),
    Status.INVESTIGATING: (1, 6),
    Status.SOLVED: (10, 60),
    Status.CLOSED: (10, 45),
}
RETURN_DAYS = (15, 40)  # the return decision, after the freeze
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


@dataclass(frozen=True)
class _Mark:
    """A step of a case: its time, the last case event written before it and the case's ``updated_at``
    then (None before the case exists)."""

    last_event: int
    at: dt.datetime
    updated: dt.datetime | None


class _Steps:
    """When each step of one case happened. The services stamp the time they run; each step is marked
    before its service is called, and what the step wrote is moved to the step's time: the case events
    written after the mark (told apart by id) and the case's ``updated_at`` (told apart by the value
    each mark read), so the times do not depend on how fast the demo loads."""

    def __init__(self, rng: random.Random, now: dt.datetime, start: dt.datetime) -> None:
        self.rng, self.start = rng, start
        self.latest = now - dt.timedelta(minutes=5)
        self.marks: list[_Mark] = []
        self.case_id: int | None = None  # set once the case is written
        self.accepted = self.at(start)

    def at(self, when: dt.datetime) -> dt.datetime:
        """Mark a step at ``when`` (between the case's start and the demo's now)."""
        when = max(self.start, min(when, self.latest))
        last_event = CaseEvent.objects.aggregate(last=Max("id"))["last"] or 0
        self.marks.append(_Mark(last_event, when, self._updated()))
        return when

    def _updated(self) -> dt.datetime | None:
        if self.case_id is None:
            return None
        return Case.objects.filter(pk=self.case_id).values_list("updated_at", flat=True).first()

    def after(self, base: dt.datetime, low: float, high: float, unit: str = "minutes") -> dt.datetime:
        """Mark a step ``low``–``high`` minutes (or ``unit``) after ``base``; one that would fall after
        the demo's now happened somewhere in the time left."""
        when = base + dt.timedelta(**{unit: self.rng.uniform(low, high)})
        if when > self.latest:
            when = base + (self.latest - base) * self.rng.uniform(0.3, 0.9)
        return self.at(when)

    def apply(self, case: Case) -> None:
        """Move the case's events to their steps' times (a second apart within a step, in order), and its
        ``updated_at`` to the time of the step that last saved it."""
        index = 0
        previous: tuple[int, dt.datetime] | None = None
        for event in CaseEvent.objects.filter(case=case).order_by("id"):
            while index + 1 < len(self.marks) and event.pk > self.marks[index + 1].last_event:
                index += 1
            at = self.marks[index].at
            if previous is not None and previous[0] == index:
                at = max(at, previous[1] + dt.timedelta(seconds=1))
            CaseEvent.objects.filter(pk=event.pk).update(at=at)
            previous = (index, at)
        Case.objects.filter(pk=case.pk).update(updated_at=self._last_saved(case.pk))

    def _last_saved(self, case_id: int) -> dt.datetime:
        """The time of the step that last saved the case: the step before the first mark that read the
        case's final ``updated_at`` (the last step, if none did)."""
        final = Case.objects.filter(pk=case_id).values_list("updated_at", flat=True).get()
        for index, mark in enumerate(self.marks):
            if mark.updated == final:
                return self.marks[max(0, index - 1)].at
        return self.marks[-1].at


@dataclass
class _Times:
    """The times of one measure: sent, and answered (when the bank answered and executed it)."""

    sent: dt.datetime
    answered: dt.datetime | None = None


def _payments(
    ctx: Ctx, case: Case, officer: User, loss: int, paid: tuple[dt.datetime, dt.datetime]
) -> list[Any]:
    """The victim's transfers: the first at ``paid[0]``, the others minutes apart, all before
    ``paid[1]`` (the report, or the call that found the person had paid)."""
    count = 1 if loss < 2_000_000 else ctx.rng.choice([1, 2, 3])
    first, until = paid
    gap = min(dt.timedelta(minutes=37), (until - first) / (count + 1))
    made = []
    for i in range(count):
        bank = ctx.rng.choice(ctx.banks)
        amount = loss // count if i < count - 1 else loss - loss // count * (count - 1)
        data = services.PaymentData(
            victim=case.victims.first(),
            paid_at=first + gap * i,
            amount_fen=amount,
            to_account=card(ctx.rng, bank),
            to_bank=bank,
            to_name=ctx.rng.choice(["刘某", "陈某某", "黄某", "某某商贸有限公司"]),
            from_account=card(ctx.rng, ctx.rng.choice(list(BANK_BINS))),
        )
        made.append(services.payment_add(actor=officer, case=case, data=data))
    return made


def _measures(
    ctx: Ctx, case: Case, officer: User, payments: list[Any], steps: _Steps, recent: bool = False
) -> dict[int, _Times]:
    """Quick reports get stop-payments, sent minutes after the case is accepted and answered by the bank
    within hours; what the bank held is frozen a day or so later and, for older cases, returned. Returns
    each measure's times (the services stamp the time they run; :func:`_settle` writes these)."""
    times: dict[int, _Times] = {}
    age_days = (ctx.now - case.reported_at).total_seconds() / 86400
    if age_days > 5 and ctx.rng.random() < 0.45:
        return times  # reported too late: the money had gone
    for payment in payments:
        sent = steps.after(steps.accepted, *STOP_MINUTES)
        stop = measures.measure_send(actor=officer, case=case, target=measures.target_of_payment(payment))
        times[stop.pk] = _Times(sent)
        clerk = ctx.bank_staff.get(stop.bank_org_id or 0)
        shares = [0.1, 0.3, 0.6, 1.0] if recent else [0, 0, 0.1, 0.3, 0.6, 1.0]
        held = int(payment.amount_fen * ctx.rng.choice(shares)) // 100 * 100
        if clerk is None:
            continue
        times[stop.pk].answered = steps.after(sent, *BANK_ANSWER_MINUTES)
        if held == 0:
            measures.measure_answer(
                actor=clerk,
                measure=stop,
                data=measures.AnswerData("moved_on", moved_to=card(ctx.rng, "建设银行")),
            )
            continue
        measures.measure_answer(
            actor=clerk, measure=stop, data=measures.AnswerData("stopped", held, executed_at=timezone.now())
        )
        if age_days > 2:
            _freeze(ctx, case, (officer, clerk), (stop, held), steps, times)
    return times


def _freeze(
    ctx: Ctx,
    case: Case,
    people: tuple[User, User],
    held: tuple[Measure, int],
    steps: _Steps,
    times: dict[int, _Times],
) -> None:
    """The freeze that follows a stop-payment, answered by the bank; for older cases, the return."""
    (officer, clerk), (stop, amount) = people, held
    sent = steps.after(times[stop.pk].answered or times[stop.pk].sent, *FREEZE_HOURS, unit="hours")
    freeze = measures.measure_follow_up(actor=officer, measure=stop, kind="freeze")
    times[freeze.pk] = _Times(sent, steps.after(sent, *BANK_ANSWER_MINUTES))
    freeze = measures.measure_answer(
        actor=clerk, measure=freeze, data=measures.AnswerData("frozen", amount, executed_at=timezone.now())
    )
    if (ctx.now - case.reported_at).days > 45 and ctx.rng.random() < 0.7:
        _return(ctx, case, officer, freeze, amount, steps, times[freeze.pk].answered or sent)


def _return(
    ctx: Ctx, case: Case, officer: User, freeze: Measure, amount: int, steps: _Steps, frozen: dt.datetime
) -> None:
    """The return decision some weeks after the freeze, and the money back within the working days."""
    today = timezone.localdate(ctx.now)
    decided_at = steps.after(frozen, *RETURN_DAYS, unit="days")
    decided = timezone.localdate(decided_at)
    decision = recovery.return_decide(
        actor=officer,
        case=case,
        victim=case.victims.first(),
        amount_fen=amount,
        decided_on=decided,
        measure=freeze,
    )
    latest = min(decision.due_on, today)
    returned_on = decided + dt.timedelta(days=ctx.rng.randint(0, max(0, (latest - decided).days)))
    steps.at(max(decided_at, _working_hours(ctx.rng, returned_on)))
    recovery.return_record(actor=officer, decision=decision, returned_on=returned_on, returned_fen=amount)


def _working_hours(rng: random.Random, day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(rng.randint(9, 16), rng.randint(0, 59))))


def _settle(case: Case, times: dict[int, _Times], now: dt.datetime) -> None:
    """Write each measure's own times; a clock that ran out by now has expired."""
    for measure in Measure.objects.filter(case=case):
        planned = times[measure.pk]
        measure.sent_at = planned.sent
        measure.answered_at = planned.answered if measure.answered_at else None
        measure.executed_at = planned.answered if measure.executed_at else None
        if measure.executed_at and measure.status in (MeasureStatus.IN_FORCE, MeasureStatus.EXPIRED):
            measure.expires_at = expires(measure.kind, measure.executed_at)
            measure.status = MeasureStatus.EXPIRED if measure.expires_at <= now else measure.status
        elif measure.executed_at:
            measure.expires_at = expires(measure.kind, measure.executed_at)
        measure.save()


def _advance(ctx: Ctx, case: Case, officer: User, to: str, steps: _Steps) -> Case:
    """Walk the case from 受理 to ``to``, each status some days after the one before."""
    last = steps.accepted
    for status in ORDER_OF_STATUS[ORDER_OF_STATUS.index(Status(case.status)) + 1 :]:
        if ORDER_OF_STATUS.index(status) > ORDER_OF_STATUS.index(Status(to)):
            break
        last = steps.after(last, *STATUS_DAYS[status], unit="days")
        case = services.case_status_change(actor=officer, case=case, to=status)
        if status == Status.SOLVED:
            services.result_record(
                actor=officer, case=case, detained=ctx.rng.choice([1, 2, 3, 5]), note="抓获涉案取款、转账人员"
            )
        if status == Status.CLOSED:
            Case.objects.filter(pk=case.pk).update(closed_at=last)
    return case


def _one_case(
    ctx: Ctx, person: Person, area: Any, fraud_type: str, reported: dt.datetime, warning: Any
) -> Case:
    """One case through its life: reported, accepted within the hour, stop-payments, freezes and returns,
    then filed, investigated and solved or closed as its age allows; every step at its own time."""
    station = services._handling_unit(area)
    officer = ctx.officers[station.pk]
    loss = _loss(ctx, fraud_type) if warning is None or not warning.amount else int(warning.amount * 100)
    # The money went before the report: at the counter hours or days before; on a warning, between the
    # warning and the call that found the person had already paid.
    if warning is None:
        reached = reported
        paid = reported - dt.timedelta(hours=ctx.rng.choice([1, 3, 20, 60]))
    else:
        reached = warning.contacted_at or warning.closed_at or reported
        paid = warning.warned_at + (reached - warning.warned_at) * ctx.rng.uniform(0.05, 0.7)
    data = services.CaseData(
        area=area,
        reported_at=reported,
        fraud_type=fraud_type,
        occurred_at=paid,
        loss_fen=loss,
        contact_method=ctx.rng.choice(["phone", "wechat", "qq", "app", "social"]),
    )
    steps = _Steps(ctx.rng, ctx.now, reported)
    if warning is not None:
        case = services.case_draft_from_warning(actor=officer, warning=warning)
        Case.objects.filter(pk=case.pk).update(
            reported_at=reported,
            occurred_at=paid,
            loss_fen=loss,
            officer=officer,
            contact_method=data.contact_method,
        )
        case.refresh_from_db()
    else:
        case = services.case_register(actor=officer, data=data, victim=person)
    Case.objects.filter(pk=case.pk).update(created_at=reported)
    steps.case_id = case.pk
    payments = _payments(ctx, case, officer, max(loss, 100_000), (paid, reached))
    to = _status_for(ctx, (ctx.now - reported).total_seconds() / 86400)
    steps.accepted = steps.after(reported, *ACCEPT_MINUTES)  # the stop-payments go out once accepted
    if to != Status.REPORTED:
        case = services.case_status_change(actor=officer, case=case, to=Status.ACCEPTED)
    recent = warning is None and (ctx.now - reported) < dt.timedelta(days=2)
    times = _measures(ctx, case, officer, payments, steps, recent)
    case = _advance(ctx, case, officer, to, steps)
    _settle(case, times, ctx.now)
    steps.apply(case)
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
        if i < RECENT_CASES:
            reported = ctx.now - dt.timedelta(hours=RECENT_HOURS[i], minutes=ctx.rng.randrange(30))
        else:
            reported = ctx.now - dt.timedelta(days=ctx.rng.uniform(3, 360), minutes=ctx.rng.randrange(60))
        _one_case(ctx, person, person.area, ctx.rng.choice(types), reported, None)
        made += 1
    return made


def _warning_cases(ctx: Ctx) -> int:
    defrauded = (
        Warning.objects.filter(outcome=Outcome.DEFRAUDED).select_related("person", "area").order_by("id")
    )
    made = 0
    for warning in defrauded:
        # Reported once the call found the person had paid: within the hour or two after it.
        reported = (warning.closed_at or warning.received_at) + dt.timedelta(minutes=ctx.rng.uniform(20, 120))
        reported = min(reported, ctx.now - dt.timedelta(minutes=10))
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
    condition = access.paths_q(officer.organisation.jurisdiction_paths(), "area__path")
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
    steps = _Steps(ctx.rng, ctx.now, reported)
    case = services.case_register(actor=officer, data=data, victim=person)
    Case.objects.filter(pk=case.pk).update(created_at=reported)
    steps.case_id = case.pk
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
    accepted = steps.after(reported, *ACCEPT_MINUTES)
    services.case_status_change(actor=officer, case=case, to=Status.ACCEPTED)
    if send:
        sent = steps.after(accepted, *STOP_MINUTES)
        stop = measures.measure_send(actor=officer, case=case, target=measures.target_of_payment(payment))
        Measure.objects.filter(pk=stop.pk).update(sent_at=sent)
    asked = steps.after(accepted, 40, 90)  # the banks' statements, asked for once the case was accepted
    for name, data_bytes, holder in network.files():
        statements.statement_upload(
            actor=officer, case=case, file_name=name, data=data_bytes, bank_name=holder.bank
        )
    Statement.objects.filter(case=case).update(created_at=asked)
    steps.apply(case)
    return Showcase(case, officer)


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
    return {
        "bank_clerks": clerks,
        "cases": Case.objects.count(),
        "cases_from_warnings": from_warnings,
        "counter_cases": counter,
        "measures": Measure.objects.count(),
        "returns": Return.objects.count(),
    }
