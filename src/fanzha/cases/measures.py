"""Stop-payment and freeze requests to banks, the banks' answers, and the legal clocks.

An officer sends a request for a payment's receiving account (or for a downstream account found by
the trace); it goes to the bank organisation's queue. The clock runs from when the bank stopped or
froze the money (the execution time its answer gives, however late the answer is recorded): a
stop-payment is in force for 48 h and may be repeated twice, a freeze for 6 months and may be renewed
(``clocks``). Before that the bank has 30 minutes (stop-payment) or
24 hours (freeze) to answer. ``clock_check`` (every few minutes) tells the officer and the bank once
when an answer is overdue, alerts the officer before a clock runs out and marks the measures that ran
out.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from fanzha.audit.services import audit_pii_read, audit_record
from fanzha.cases import clocks
from fanzha.cases.common import (
    CLOCK_SKEW,
    MASKED_ACCOUNT,
    account_hash,
    add_event,
    bank_organisation,
    clean_account,
    free_text,
    is_masked,
    mask_account,
    money,
    require_case,
)
from fanzha.cases.models import Answer, Case, EventKind, Measure, MeasureKind, MeasureStatus, Payment
from fanzha.core import access
from fanzha.core.models import Organisation, User
from fanzha.core.models.organisations import OrganisationKind
from fanzha.core.services.persons import REVEAL_PURPOSES
from fanzha.jobs.models import NotificationLevel
from fanzha.jobs.services import notify

EFFECTIVE_ANSWERS = frozenset({Answer.STOPPED, Answer.FROZEN})
# What a bank that held the money answers to each kind of request (a stop is not a freeze: other clocks).
HELD_ANSWER = {MeasureKind.STOP: Answer.STOPPED, MeasureKind.FREEZE: Answer.FROZEN}
OPEN_MEASURE = (MeasureStatus.SENT, MeasureStatus.IN_FORCE)


@dataclass
class Target:
    """An account to stop or freeze."""

    account: str
    amount_fen: int
    bank_name: str = ""
    bank_org: Organisation | None = None
    account_name: str = ""
    hop: int = 0
    payment: Payment | None = None


def target_of_payment(payment: Payment) -> Target:
    return Target(
        account=payment.to_account,
        amount_fen=payment.amount_fen,
        bank_name=payment.to_bank,
        bank_org=payment.bank_org,
        account_name=payment.to_name,
        payment=payment,
    )


def _check_target(case: Case, target: Target) -> None:
    if target.amount_fen <= 0:
        raise ValidationError({"amount": "请求金额须大于 0"})
    if target.payment is not None and target.amount_fen > target.payment.amount_fen:
        paid = money(target.payment.amount_fen)
        raise ValidationError(
            {"amount": f"请求金额不能超过这笔付款的金额 {paid}（受害人的资金不会比付出的多）"}
        )
    if not clean_account(target.account):
        raise ValidationError({"account": "请填写账号"})
    if is_masked(target.account):
        raise ValidationError({"account": MASKED_ACCOUNT})
    if target.bank_org is None:
        raise ValidationError({"bank_org": "未找到该账户开户行对应的银行单位，请选择接收请求的银行"})
    if not target.bank_org.is_active:
        raise ValidationError({"bank_org": f"{target.bank_org}已停用，请选择该行现用的银行单位"})
    digest = account_hash(target.account)
    if Measure.objects.filter(case=case, account_hash=digest, status__in=OPEN_MEASURE).exists():
        raise ValidationError({"account": "该账户已有待反馈或生效中的止付/冻结"})


def _bank_staff(measure: Measure) -> list[User]:
    staff = User.objects.filter(organisation=measure.bank_org, is_active=True)
    return [u for u in staff if "bank_staff" in u.role_codes]


def bank_unit_gone(measure: Measure) -> bool:
    """The request's bank unit was deactivated: nobody works there any more to answer it."""
    return measure.bank_org is not None and not measure.bank_org.is_active


def _notify_bank(measure: Measure) -> None:
    if bank_unit_gone(measure):
        return
    due = timezone.localtime(clocks.answer_due(measure.kind, measure.sent_at))
    notify(
        recipients=_bank_staff(measure),
        title=f"{measure.get_kind_display()}请求（{measure.case.number}）",
        body=f"请求金额 {money(measure.requested_fen)}，请立即处理并于 {due:%m-%d %H:%M} 前反馈。",
        link=reverse("case_bank_measure", kwargs={"pk": measure.pk}),
        level=NotificationLevel.DANGER,
    )


def _create(
    actor: Any,
    case: Case,
    target: Target,
    kind: str,
    previous: Measure | None,
    reason: str,
    redirected_from: Organisation | None = None,
    onward_from: Measure | None = None,
) -> Measure:
    account = clean_account(target.account)
    measure = Measure.objects.create(
        case=case,
        payment=target.payment,
        onward_from=onward_from,
        kind=kind,
        sequence=previous.sequence + 1 if previous and previous.kind == kind else 1,
        previous=previous,
        account=account,
        account_hash=account_hash(account),
        account_name=target.account_name,
        bank_name=target.bank_name,
        bank_org=target.bank_org,
        hop=target.hop,
        requested_fen=target.amount_fen,
        sent_at=timezone.now(),
        sent_by=actor,
        reason=free_text(reason, 200),
    )
    transaction.on_commit(lambda: _notify_bank(measure))
    word = f"第 {measure.sequence} 次" if measure.sequence > 1 else ""
    instead = f"（原接收单位{redirected_from}已停用）" if redirected_from else ""
    add_event(
        case,
        actor,
        EventKind.MEASURE,
        f"向{target.bank_org}发送{word}{measure.get_kind_display()}，{money(target.amount_fen)}{instead}",
    )
    audit_record(
        actor=actor, action="case.measure_send", obj=measure, details=_sent(measure, redirected_from)
    )
    return measure


def _sent(measure: Measure, redirected_from: Organisation | None) -> dict[str, Any]:
    """A send's audit details (a new request, a follow-up sent past a deactivated bank unit, or a 改发)."""
    details = {
        "case": measure.case_id,
        "kind": measure.kind,
        "sequence": measure.sequence,
        "hop": measure.hop,
    }
    if redirected_from is not None:
        details["redirected_from"] = redirected_from.pk
    if measure.onward_from_id is not None:
        details["onward_from"] = measure.onward_from_id
    return details


@transaction.atomic
def measure_send(
    *, actor: Any, case: Case, target: Target, kind: str = MeasureKind.STOP, reason: str = ""
) -> Measure:
    require_case(actor, case, "case.measure")
    if kind not in MeasureKind.values:
        raise ValidationError({"kind": "未知的措施"})
    _check_target(case, target)
    return _create(actor, case, target, kind, None, reason)


def _locked(measure: Measure) -> Measure:
    return (
        Measure.objects.select_for_update(of=("self",))
        .select_related("case", "bank_org", "payment")
        .get(pk=measure.pk)
    )


def _follow_up_target(measure: Measure) -> Target:
    amount = measure.effective_fen or measure.requested_fen
    return Target(
        account=measure.account,
        amount_fen=amount,
        bank_name=measure.bank_name,
        bank_org=measure.bank_org,
        account_name=measure.account_name,
        hop=measure.hop,
        payment=measure.payment,
    )


def _check_chain(measure: Measure, kind: str) -> None:
    if Measure.objects.filter(previous=measure).exists():
        raise ValidationError({"measure": "该措施已续期或转为冻结"})
    if measure.status not in (MeasureStatus.IN_FORCE, MeasureStatus.EXPIRED):
        raise ValidationError({"measure": "只有生效中或已到期的措施可以续期"})
    repeat = kind == MeasureKind.STOP and measure.kind == MeasureKind.STOP
    if repeat and clocks.stop_repeats_left(measure.sequence) == 0:
        raise ValidationError({"measure": "紧急止付已达最多次数，请转为冻结"})
    if kind == MeasureKind.STOP and measure.kind == MeasureKind.FREEZE:
        raise ValidationError({"measure": "冻结不能转为止付"})


def follow_up_choices(measure: Measure) -> list[tuple[str, str]]:
    """The follow-ups a measure in force or expired allows, as (kind, what the officer clicks)."""
    if measure.kind == MeasureKind.FREEZE:
        return [(MeasureKind.FREEZE, "续冻")]
    repeat = [(MeasureKind.STOP, "再次止付")] if clocks.stop_repeats_left(measure.sequence) else []
    return [*repeat, (MeasureKind.FREEZE, "转冻结")]


def _check_bank_unit(bank_org: Organisation) -> None:
    if bank_org.kind != OrganisationKind.BANK or not bank_org.is_active:
        raise ValidationError({"bank_org": "请选择在用的银行单位"})


def _follow_up_bank(measure: Measure, bank_org: Organisation | None) -> Organisation | None:
    """Where a follow-up goes: the measure's bank unit, or — that unit deactivated since — the bank's
    current unit the officer chose (``bank_org``)."""
    if not bank_unit_gone(measure):
        if bank_org is not None and bank_org != measure.bank_org:
            raise ValidationError({"bank_org": f"{measure.bank_org}仍在使用，请求发往原单位"})
        return measure.bank_org
    if bank_org is None:
        raise ValidationError({"bank_org": f"{measure.bank_org}已停用，请选择该行现用的银行单位"})
    _check_bank_unit(bank_org)
    return bank_org


@transaction.atomic
def measure_follow_up(
    *, actor: Any, measure: Measure, kind: str, reason: str = "", bank_org: Organisation | None = None
) -> Measure:
    """Repeat a stop-payment, turn it into a freeze, or renew a freeze (the old one is marked renewed).
    It goes to the measure's bank unit; when that unit has been deactivated, to ``bank_org``, the bank's
    current unit (required then, and in use), recorded as redirected from the former unit."""
    measure = _locked(measure)
    require_case(actor, measure.case, "case.measure")
    _check_chain(measure, kind)
    target = _follow_up_target(measure)
    target.bank_org = _follow_up_bank(measure, bank_org)
    former = measure.bank_org if target.bank_org != measure.bank_org else None
    measure.status = MeasureStatus.RENEWED
    measure.save(update_fields=["status"])
    return _create(actor, measure.case, target, kind, measure, reason, redirected_from=former)


def why_not_redirected(measure: Measure) -> str:
    """Why a request cannot be re-sent (改发) to the bank's current unit ("" when it can): only one still
    waiting for an answer from a unit deactivated since."""
    if measure.status != MeasureStatus.SENT:
        return "只有待银行反馈的请求可以改发"
    if not bank_unit_gone(measure):
        return "接收银行单位仍在使用，无需改发"
    return ""


@transaction.atomic
def measure_redirect(*, actor: Any, measure: Measure, bank_org: Organisation | None) -> Measure:
    """改发: a request still waiting for an answer from a bank unit that has since been deactivated goes
    to the bank's current unit; the answer clock starts again from now (audited as
    ``case.measure_redirect``, with the former and the new unit)."""
    measure = _locked(measure)
    require_case(actor, measure.case, "case.measure")
    refusal = why_not_redirected(measure)
    if refusal:
        raise ValidationError({"measure": refusal})
    if bank_org is None:
        raise ValidationError({"bank_org": "请选择在用的银行单位"})
    _check_bank_unit(bank_org)
    former = measure.bank_org
    measure.bank_org, measure.sent_at, measure.answer_overdue_at = bank_org, timezone.now(), None
    measure.save(update_fields=["bank_org", "sent_at", "answer_overdue_at"])
    transaction.on_commit(lambda: _notify_bank(measure))
    add_event(
        measure.case,
        actor,
        EventKind.MEASURE,
        f"{measure.get_kind_display()} #{measure.pk}：{former}已停用，改发至{bank_org}",
    )
    details = {**_sent(measure, former), "redirected_to": bank_org.pk}
    audit_record(actor=actor, action="case.measure_redirect", obj=measure, details=details)
    return measure


@dataclass
class AnswerData:
    answer: str
    effective_fen: int = 0
    balance_fen: int | None = None
    moved_to: str = ""
    note: str = ""
    executed_at: dt.datetime | None = None  # 执行时间: when the bank stopped or froze the money


def _check_executed(measure: Measure, data: AnswerData, now: dt.datetime) -> str:
    """Why the execution time of a held answer cannot be taken ("" when it can). A bank's clock a few
    minutes off ours (``CLOCK_SKEW``) is allowed."""
    if data.answer not in EFFECTIVE_ANSWERS:
        return ""
    if data.executed_at is None:
        return "已止付/已冻结时请填写银行执行时间"
    if data.executed_at > now + CLOCK_SKEW:
        return "执行时间不能晚于现在"
    if data.executed_at < measure.sent_at - CLOCK_SKEW:
        return f"执行时间不能早于请求发送时间 {timezone.localtime(measure.sent_at):%m-%d %H:%M}"
    return ""


def _clock_start(data: AnswerData, now: dt.datetime) -> dt.datetime | None:
    """When the clock of a held answer starts: the bank's execution time, never later than now (a bank
    clock running ahead does not lengthen the clock); none when nothing was held."""
    if data.answer not in EFFECTIVE_ANSWERS or data.executed_at is None:
        return None
    return min(data.executed_at, now)


def _check_answer(measure: Measure, data: AnswerData, now: dt.datetime) -> None:
    errors: dict[str, str] = {}
    executed = _check_executed(measure, data, now)
    if executed:
        errors["executed_at"] = executed
    if data.answer not in Answer.values:
        errors["answer"] = "请选择反馈结果"
    elif data.answer in EFFECTIVE_ANSWERS and data.answer != HELD_ANSWER[measure.kind]:
        wanted = Answer(HELD_ANSWER[measure.kind]).label
        errors["answer"] = f"这是{measure.get_kind_display()}请求，执行后请反馈“{wanted}”"
    elif data.answer in EFFECTIVE_ANSWERS and data.effective_fen <= 0:
        errors["effective"] = "已止付/已冻结时请填写金额"
    elif data.answer in EFFECTIVE_ANSWERS and data.effective_fen > measure.requested_fen:
        errors["effective"] = f"止付/冻结金额不能超过请求金额 {money(measure.requested_fen)}"
    elif data.answer == Answer.MOVED_ON and not data.moved_to.strip():
        errors["moved_to"] = "资金已转出时请填写转入的账号"
    if data.effective_fen < 0 or (data.balance_fen is not None and data.balance_fen < 0):
        errors["effective"] = "金额不能为负数"
    if measure.status != MeasureStatus.SENT:
        errors["answer"] = "该请求已反馈"
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def measure_answer(*, actor: Any, measure: Measure, data: AnswerData) -> Measure:
    """The bank's answer: stopped or frozen amount and when it was executed (the clock runs from then),
    or why nothing was held."""
    access.require(actor, "case.bank")
    measure = _locked(measure)
    if measure.bank_org_id is None or measure.bank_org_id != getattr(actor, "organisation_id", None):
        raise PermissionDenied("该请求不是发给本单位的")
    now = timezone.now()
    _check_answer(measure, data, now)
    effective = data.answer in EFFECTIVE_ANSWERS
    measure.answer, measure.answered_at, measure.answered_by = data.answer, now, actor
    measure.executed_at = _clock_start(data, now)
    measure.effective_fen = data.effective_fen if effective else 0
    measure.balance_fen, measure.moved_to = data.balance_fen, clean_account(data.moved_to)
    measure.answer_note = free_text(data.note, 200)
    measure.status = MeasureStatus.IN_FORCE if effective else MeasureStatus.NOT_EFFECTIVE
    measure.expires_at = clocks.expires(measure.kind, measure.executed_at) if measure.executed_at else None
    measure.save()
    add_event(measure.case, actor, EventKind.ANSWER, _answer_text(measure))
    audit_record(actor=actor, action="case.measure_answer", obj=measure, details=_answered(measure))
    transaction.on_commit(lambda: _notify_officer(measure, "银行已反馈", _answer_text(measure)))
    return measure


def _answered(measure: Measure) -> dict[str, Any]:
    """An answer's audit details: what the bank answered and, when it held money, when it executed."""
    details: dict[str, Any] = {"answer": measure.answer}
    if measure.executed_at is not None:
        details["executed_at"] = measure.executed_at.isoformat()
    return details


def _answer_text(measure: Measure) -> str:
    text = f"{measure.bank_org}：{measure.get_answer_display()}"
    if measure.effective_fen:
        text += f" {money(measure.effective_fen)}"
    if measure.executed_at is not None and measure.expires_at is not None:
        executed, due = timezone.localtime(measure.executed_at), timezone.localtime(measure.expires_at)
        text += f"（执行于 {executed:%m-%d %H:%M}，{due:%m-%d %H:%M} 到期）"
    if measure.answer == Answer.MOVED_ON:
        text += "，资金已转至下一级账户"
    return text


@transaction.atomic
def measure_release(*, actor: Any, measure: Measure, reason: str) -> Measure:
    measure = _locked(measure)
    require_case(actor, measure.case, "case.measure")
    if measure.status not in OPEN_MEASURE:
        raise ValidationError({"measure": "该措施不在生效中"})
    if not reason.strip():
        raise ValidationError({"reason": "请填写解除原因"})
    measure.status = MeasureStatus.RELEASED
    measure.save(update_fields=["status"])
    add_event(
        measure.case,
        actor,
        EventKind.MEASURE,
        f"解除{measure.get_kind_display()} #{measure.pk}：{reason[:80]}",
    )
    audit_record(actor=actor, action="case.measure_release", obj=measure)
    return measure


def _recipients(measure: Measure) -> list[Any]:
    people = [measure.case.officer, measure.sent_by]
    return list({p.pk: p for p in people if p is not None}.values())


def _notify_officer(measure: Measure, title: str, body: str) -> None:
    notify(
        recipients=_recipients(measure),
        title=f"{title}（{measure.case.number}）",
        body=body,
        link=reverse("case_detail", kwargs={"pk": measure.case_id}),
        level=NotificationLevel.WARNING,
    )


@dataclass
class ClockReport:
    alerted: int = 0
    expired: int = 0
    returns_alerted: int = 0
    answers_overdue: int = 0


def _window_text(kind: str) -> str:
    minutes = int(clocks.answer_within(kind).total_seconds()) // 60
    return f"{minutes // 60} 小时" if minutes % 60 == 0 else f"{minutes} 分钟"


def _overdue_text(measure: Measure) -> str:
    due = timezone.localtime(clocks.answer_due(measure.kind, measure.sent_at))
    return (
        f"{measure.bank_org}超时未反馈{measure.get_kind_display()} #{measure.pk}"
        f"（{money(measure.requested_fen)}，时限 {_window_text(measure.kind)}，"
        f"应于 {due:%m-%d %H:%M} 前反馈）"
    )


def _tell_bank_gone(measure: Measure) -> None:
    """The bank unit was deactivated: the officers are told to re-send (改发) to the bank's current unit,
    its former staff are not reminded."""
    text = (
        f"{measure.get_kind_display()} #{measure.pk} 超时未反馈：接收银行单位{measure.bank_org}已停用，"
        "请改发至该行现用的银行单位。"
    )
    notify(
        recipients=_recipients(measure),
        title=f"接收银行单位已停用（{measure.case.number}）",
        body=text,
        link=reverse("case_measure_redirect", kwargs={"pk": measure.pk}),
        level=NotificationLevel.DANGER,
    )
    add_event(measure.case, None, EventKind.ALERT, text)


def _tell_overdue(measure: Measure) -> None:
    if bank_unit_gone(measure):
        _tell_bank_gone(measure)
        return
    text = _overdue_text(measure)
    _notify_officer(measure, "银行超时未反馈", text + "，请电话催办。")
    notify(
        recipients=_bank_staff(measure),
        title=f"{measure.get_kind_display()}请求超时未反馈（{measure.case.number}）",
        body=text + "，请立即处理并反馈。",
        link=reverse("case_bank_measure", kwargs={"pk": measure.pk}),
        level=NotificationLevel.DANGER,
    )
    add_event(measure.case, None, EventKind.ALERT, text)


def _answers_overdue(now: dt.datetime, report: ClockReport) -> None:
    """Requests still waiting for the bank past their answer deadline: told once (the mark is set by a
    conditional update, so two overlapping checks tell it once)."""
    for kind in MeasureKind.values:
        late = Measure.objects.filter(
            kind=kind,
            status=MeasureStatus.SENT,
            answer_overdue_at__isnull=True,
            sent_at__lte=now - clocks.answer_within(kind),
        ).select_related("case", "case__officer", "sent_by", "bank_org")
        for measure in late:
            marked = Measure.objects.filter(
                pk=measure.pk, status=MeasureStatus.SENT, answer_overdue_at__isnull=True
            ).update(answer_overdue_at=now)
            if marked:
                _tell_overdue(measure)
                report.answers_overdue += 1


def _alert_text(measure: Measure) -> str:
    due = timezone.localtime(measure.expires_at)
    text = f"{measure.get_kind_display()} {money(measure.effective_fen)} 将于 {due:%m-%d %H:%M} 到期。"
    if measure.kind == MeasureKind.STOP:
        left = clocks.stop_repeats_left(measure.sequence)
        return text + (
            f"可再次止付（还可 {left} 次）或转为冻结。" if left else "已达止付次数上限，请及时冻结。"
        )
    return text + "如需继续冻结请办理续冻。"


def _alert_due(now: dt.datetime, report: ClockReport) -> None:
    for kind in MeasureKind.values:
        horizon = now + clocks.alert_before(kind)
        due = Measure.objects.filter(
            kind=kind,
            status=MeasureStatus.IN_FORCE,
            alerted=False,
            expires_at__lte=horizon,
            expires_at__gt=now,
        ).select_related("case", "case__officer", "sent_by")
        for measure in due:
            _notify_officer(measure, "止付冻结即将到期", _alert_text(measure))
            add_event(measure.case, None, EventKind.ALERT, _alert_text(measure))
            Measure.objects.filter(pk=measure.pk).update(alerted=True)
            report.alerted += 1


def _expire(now: dt.datetime, report: ClockReport) -> None:
    ran_out = Measure.objects.filter(status=MeasureStatus.IN_FORCE, expires_at__lte=now).select_related(
        "case"
    )
    for measure in ran_out:
        Measure.objects.filter(pk=measure.pk, status=MeasureStatus.IN_FORCE).update(
            status=MeasureStatus.EXPIRED
        )
        add_event(measure.case, None, EventKind.ALERT, f"{measure.get_kind_display()} #{measure.pk} 已到期")
        audit_record(actor=None, action="case.measure_expire", obj=measure)
        _notify_officer(
            measure, "止付冻结已到期", f"{measure.get_kind_display()} #{measure.pk} 已到期，资金可能被转走。"
        )
        report.expired += 1


@transaction.atomic
def clock_check(now: dt.datetime | None = None) -> ClockReport:
    from fanzha.cases.recovery import alert_due_returns

    now = now or timezone.now()
    report = ClockReport()
    _answers_overdue(now, report)
    _alert_due(now, report)
    _expire(now, report)
    report.returns_alerted = alert_due_returns(now.date() if now.tzinfo is None else timezone.localdate(now))
    return report


@transaction.atomic
def measure_account_reveal(*, actor: Any, measure: Measure, purpose: str) -> str:
    """The account number in clear, for the bank that must act on it or the case's officers (audited)."""
    own_bank = measure.bank_org_id is not None and measure.bank_org_id == getattr(
        actor, "organisation_id", None
    )
    if own_bank:
        access.require(actor, "case.bank")
    else:
        require_case(actor, measure.case, "case.measure")
    if purpose not in REVEAL_PURPOSES:
        raise ValidationError({"purpose": "请先选择查看原因"})
    audit_pii_read(actor=actor, obj=measure, fields=["account"], purpose=purpose)
    return measure.account


MOVED_SPLIT = re.compile(r"[,，;；、/|\s]+")


@dataclass
class Onward:
    sent: list[Measure]
    skipped: list[str]  # masked account + why


@dataclass
class OnwardAccount:
    """An account the bank said the money moved on to."""

    account: str
    bank_org: Organisation | None
    busy: bool  # this case already has a request waiting or in force for it

    @property
    def masked(self) -> str:
        return mask_account(self.account)

    @property
    def why_not(self) -> str:
        """Why no request can go to it now ("" when one can)."""
        if self.busy:
            return "该账户已有待反馈或生效中的止付/冻结"
        if is_masked(self.account):
            return MASKED_ACCOUNT
        if self.bank_org is None:
            return "未能从卡号识别开户行对应的银行单位"
        return ""


def onward_fen(measure: Measure) -> int:
    """What the bank did not hold of the request: the most that can have moved on (a partial stop's
    rest, all of it when nothing was held)."""
    return max(0, measure.requested_fen - measure.effective_fen)


def onward_cap_fen(measure: Measure) -> int:
    """The most the requests sent onward from this answer may ask together, however many accounts the
    money went to: what moved on, never more than the payment."""
    cap = onward_fen(measure)
    if measure.payment is not None:
        cap = min(cap, measure.payment.amount_fen)
    return cap


def onward_requested_fen(measure: Measure) -> int:
    """What the requests already sent onward from this answer asked together, whatever their banks
    answered (the money did go to those accounts) — except 非本行账户: that request reached a bank that
    does not hold the account, and what it asked is still to be asked of the right one."""
    onward = Measure.objects.filter(onward_from=measure).exclude(answer=Answer.NO_ACCOUNT)
    asked = onward.aggregate(s=Sum("requested_fen"))["s"]
    return int(asked or 0)


def onward_available_fen(measure: Measure) -> int:
    """可申请止付余额: what may still be asked of the accounts the money moved on to."""
    return max(0, onward_cap_fen(measure) - onward_requested_fen(measure))


def onward_summary(measure: Measure) -> str:
    """The cap in words, for the form and its errors."""
    return (
        f"银行未止付/冻结 {money(onward_cap_fen(measure))}，已向转入账户申请 "
        f"{money(onward_requested_fen(measure))}，可申请止付余额 {money(onward_available_fen(measure))}"
    )


def may_follow_money(measure: Measure) -> bool:
    """The bank named the accounts the money went on to: 资金已转出, or a partial stop or freeze whose
    rest moved on."""
    answered = measure.answer == Answer.MOVED_ON or measure.answer in EFFECTIVE_ANSWERS
    return answered and bool(measure.moved_to) and onward_fen(measure) > 0


def onward_accounts(measure: Measure) -> list[OnwardAccount]:
    """The accounts the bank named, each once, in the bank's order."""
    busy = set(
        Measure.objects.filter(case=measure.case, status__in=OPEN_MEASURE).values_list(
            "account_hash", flat=True
        )
    )
    return [
        OnwardAccount(account, bank_organisation("", account), account_hash(account) in busy)
        for account in dict.fromkeys(a for a in MOVED_SPLIT.split(measure.moved_to) if a)
    ]


def _onward_amounts(
    measure: Measure, accounts: list[OnwardAccount], amounts: dict[str, int] | None
) -> dict[str, int]:
    """What to ask of each account. Without ``amounts`` (one click) the one account that can be asked
    gets all that is left; with several the officer splits it. Together never above 可申请止付余额."""
    available = onward_available_fen(measure)
    sendable = [a.account for a in accounts if not a.why_not]
    if amounts is None:
        if len(sendable) > 1:
            split = (
                f"资金转入多个账户，请分别填写各账户的请求金额（合计不超过可申请止付余额 {money(available)}）"
            )
            raise ValidationError({"amount": split})
        amounts = dict.fromkeys(sendable, available)
        if not amounts:
            return {}
    _check_onward_amounts(measure, accounts, amounts, available)
    return amounts


def _check_onward_amounts(
    measure: Measure, accounts: list[OnwardAccount], amounts: dict[str, int], available: int
) -> None:
    named = {a.account: a for a in accounts}
    if not amounts:
        raise ValidationError({"amount": "请至少为一个转入账户填写请求金额"})
    if available <= 0:
        raise ValidationError({"amount": f"已无可申请止付余额（{onward_summary(measure)}）"})
    for account, fen in amounts.items():
        found = named.get(account)
        if found is None:
            raise ValidationError({"amount": f"{mask_account(account)}不是银行反馈的转入账户"})
        if found.why_not:
            raise ValidationError({"amount": f"{found.masked}：{found.why_not}"})
        if fen <= 0:
            raise ValidationError({"amount": f"{found.masked}：请求金额须大于 0"})
    total = sum(amounts.values())
    if total > available:
        raise ValidationError(
            {
                "amount": f"向转入账户申请的止付合计 {money(total)}，超过可申请止付余额 {money(available)}"
                f"（{onward_summary(measure)}）"
            }
        )


@transaction.atomic
def measure_follow_money(*, actor: Any, measure: Measure, amounts: dict[str, int] | None = None) -> Onward:
    """资金已转出: stop-payments to the accounts the bank said the money went on to (one level down).
    ``amounts`` (account → fen) splits what moved on between them; all the requests sent onward from
    one answer together ask at most what moved on (``onward_available_fen``), never more than the
    payment. Accounts with a request waiting or in force are left out; those whose bank is not known
    here are listed in ``skipped``."""
    measure = _locked(measure)
    require_case(actor, measure.case, "case.measure")
    if not may_follow_money(measure):
        raise ValidationError({"measure": "银行未反馈资金转出账户"})
    accounts = onward_accounts(measure)
    asked = _onward_amounts(measure, accounts, amounts)
    outcome = Onward([], [f"{a.masked}：{a.why_not}" for a in accounts if a.bank_org is None])
    reason = f"{measure.bank_org}反馈资金转入该账户"
    for account in accounts:
        if account.account not in asked:
            continue
        target = Target(
            account.account,
            asked[account.account],
            "",
            account.bank_org,
            "",
            measure.hop + 1,
            measure.payment,
        )
        _check_target(measure.case, target)
        outcome.sent.append(
            _create(actor, measure.case, target, MeasureKind.STOP, None, reason, onward_from=measure)
        )
    return outcome
