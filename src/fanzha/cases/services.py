"""Writes to cases: register (counter, warning, import), status, victims, payments, suspects, results.

Every function checks access, runs in one transaction and writes its audit record in it.
Measures and returns are in ``measures`` and ``recovery``; statements and tracing in ``funds``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from fanzha.audit.services import audit_record
from fanzha.cases.common import (
    CLOCK_SKEW,
    account_hash,
    add_event,
    bank_organisation,
    clean_account,
    free_text,
    money,
    require_case,
)
from fanzha.cases.models import (
    ORDER_OF_STATUS,
    TRANSITIONS,
    Attachment,
    Case,
    EventKind,
    Origin,
    Payment,
    Status,
    Suspect,
    SuspectKind,
    Victim,
)
from fanzha.core import access
from fanzha.core.models import Area, Organisation, Person
from fanzha.core.models.organisations import OrganisationKind
from fanzha.core.pii import crypto
from fanzha.core.roles import ROLES
from fanzha.core.services import persons as person_services


@dataclass
class CaseData:
    area: Area
    reported_at: dt.datetime
    fraud_type: str = ""
    contact_method: str = ""
    occurred_at: dt.datetime | None = None
    summary: str = ""
    loss_fen: int = 0


@dataclass
class PaymentData:
    victim: Victim
    paid_at: dt.datetime
    amount_fen: int
    to_account: str
    to_bank: str = ""
    to_name: str = ""
    from_account: str = ""
    channel: str = "bank"
    reference: str = ""


def _handling_unit(area: Area) -> Organisation | None:
    """The police station whose jurisdiction holds the area (the nearest one up the tree)."""
    stations = Organisation.objects.filter(kind=OrganisationKind.POLICE_STATION, is_active=True)
    best: tuple[int, Organisation] | None = None
    for station in stations.prefetch_related("covered_areas").select_related("area"):
        for path in station.jurisdiction_paths():
            if area.path.startswith(path) and (best is None or len(path) > best[0]):
                best = (len(path), station)
    return best[1] if best else None


def _unit_for(actor: Any, area: Area) -> Organisation:
    unit = _handling_unit(area)
    if unit is not None:
        return unit
    if actor is not None and getattr(actor, "organisation", None) is not None:
        return actor.organisation  # type: ignore[no-any-return]
    raise ValidationError({"area": "发案地没有对应的派出所，请联系系统管理员维护单位辖区"})


def _officer_for(actor: Any, unit: Organisation) -> Any:
    if actor is not None and getattr(actor, "organisation_id", None) == unit.pk:
        return actor
    return None


def case_time_errors(reported_at: dt.datetime, occurred_at: dt.datetime | None) -> dict[str, str]:
    """What is wrong with a case's 报案时间 and 发案时间 (field → message): both are past moments (the
    clock skew allowed, as for payments), and the fraud happened before it was reported."""
    errors: dict[str, str] = {}
    latest = timezone.now() + CLOCK_SKEW
    if reported_at > latest:
        errors["reported_at"] = "报案时间不能晚于现在"
    if occurred_at and occurred_at > latest:
        errors["occurred_at"] = "发案时间不能晚于现在"
    elif occurred_at and occurred_at > reported_at + dt.timedelta(hours=48):
        errors["occurred_at"] = "发案时间不能晚于报案时间"
    return errors


def _create(actor: Any, data: CaseData, *, origin: str, source_ref: str = "", draft: bool = False) -> Case:
    if data.loss_fen < 0:
        raise ValidationError({"loss": "损失金额不能为负数"})
    times = case_time_errors(data.reported_at, data.occurred_at)
    if times:
        raise ValidationError(times)
    unit = _unit_for(actor, data.area)
    case = Case.objects.create(
        number=f"T-{uuid.uuid4().hex}"[:32],  # replaced by the number from the primary key below
        origin=origin,
        source_ref=source_ref,
        fraud_type=data.fraud_type,
        contact_method=data.contact_method,
        area=data.area,
        organisation=unit,
        officer=_officer_for(actor, unit),
        occurred_at=data.occurred_at,
        reported_at=data.reported_at,
        loss_fen=data.loss_fen,
        summary=free_text(data.summary),
        is_draft=draft,
    )
    case.number = f"AJ{timezone.localtime(data.reported_at):%Y}{case.pk:06d}"
    case.save(update_fields=["number"])
    return case


def victim_person(*, actor: Any, data: person_services.PersonData) -> Person:
    """The person with this ID number in the actor's scope, else a new registration."""
    if data.id_number:
        found = person_services.find_by_id_number(actor=actor, id_number=data.id_number)
        if found is not None:
            return found
    return person_services.person_create(actor=actor, data=data)


@transaction.atomic
def case_register(*, actor: Any, data: CaseData, victim: Person) -> Case:
    """A case reported at the counter (or by telephone), with its first victim."""
    access.require(actor, "case.edit")
    if not access.area_visible_to(actor, data.area):
        raise ValidationError({"area": "发案地不在您的管辖范围内"})
    case = _create(actor, data, origin=Origin.COUNTER)
    Victim.objects.create(case=case, person=victim, loss_fen=data.loss_fen)
    add_event(case, actor, EventKind.CREATED, f"窗口报案登记，损失 {money(data.loss_fen)}")
    audit_record(actor=actor, action="case.create", obj=case, details={"origin": case.origin})
    return case


@transaction.atomic
def case_import(*, actor: Any, data: CaseData, victim: Person, ref: str) -> Case:
    """A case from the case-handling system's list, keyed by its 案件编号 (``ref``)."""
    access.require(actor, "case.import")
    if not access.area_visible_to(actor, data.area):
        raise ValidationError({"area": "发案地不在您的管辖范围内"})
    case = _create(actor, data, origin=Origin.IMPORT, source_ref=ref)
    Victim.objects.create(case=case, person=victim, loss_fen=data.loss_fen)
    add_event(case, actor, EventKind.CREATED, f"导入案件（案件编号 {ref}），损失 {money(data.loss_fen)}")
    audit_record(actor=actor, action="case.create", obj=case, details={"origin": case.origin})
    return case


def _loss_from_warning(warning: Any) -> int:
    return int(round(float(warning.amount) * 100)) if warning.amount else 0


@transaction.atomic
def case_draft_from_warning(*, actor: Any, warning: Any) -> Case:
    """已被骗 on a warning: a case draft with the person, type, place and reported loss (once)."""
    existing = Case.objects.filter(warning=warning).first()
    if existing is not None:
        return existing
    data = CaseData(
        area=warning.area,
        reported_at=timezone.now(),
        fraud_type=warning.fraud_type,
        occurred_at=warning.warned_at,
        loss_fen=_loss_from_warning(warning),
    )
    case = _create(actor, data, origin=Origin.WARNING, draft=True)
    case.warning = warning
    case.save(update_fields=["warning"])
    Victim.objects.create(case=case, person=warning.person, loss_fen=data.loss_fen)
    add_event(case, actor, EventKind.CREATED, f"预警 #{warning.pk} 处置结果为已被骗，生成案件草稿")
    transaction.on_commit(lambda: _notify_station(case))
    audit_record(
        actor=actor, action="case.create", obj=case, details={"origin": case.origin, "warning": warning.pk}
    )
    return case


def _notify_station(case: Case) -> None:
    """The handling station's officers hear of a case drafted from a warning (masked name only)."""
    from django.urls import reverse

    from fanzha.core.models import User
    from fanzha.jobs.models import NotificationLevel
    from fanzha.jobs.services import notify

    officers = [
        u
        for u in User.objects.filter(organisation=case.organisation, is_active=True)
        if "police_officer" in u.role_codes
    ]
    notify(
        recipients=officers,
        title=f"预警转案件待核实（{case.number}）",
        body=f"{case.victims.first()} 在预警处置中确认已被骗，请核实案情、登记付款并及时止付。",
        link=reverse("case_detail", kwargs={"pk": case.pk}),
        level=NotificationLevel.DANGER,
    )


def _check_transition(case: Case, to: str) -> None:
    if to not in TRANSITIONS[case.status]:
        raise ValidationError(
            {"status": f"案件当前为“{case.get_status_display()}”，不能变更为“{Status(to).label}”"}
        )


@transaction.atomic
def case_status_change(*, actor: Any, case: Case, to: str, note: str = "") -> Case:
    case = Case.objects.select_for_update().get(pk=case.pk)
    require_case(actor, case, "case.edit")
    if to not in Status.values:
        raise ValidationError({"status": "未知的案件状态"})
    _check_transition(case, to)
    before = case.get_status_display()
    case.status = to
    case.is_draft = False
    if to in (Status.CLOSED, Status.NOT_FILED):
        case.closed_at = timezone.now()
    if case.officer_id is None and getattr(actor, "organisation_id", None) == case.organisation_id:
        case.officer = actor
    case.save()
    suffix = f"（{note[:100]}）" if note else ""
    add_event(case, actor, EventKind.STATUS, f"{before} → {case.get_status_display()}{suffix}")
    audit_record(actor=actor, action="case.status", obj=case, details={"from": before, "to": to})
    return case


def _officer_candidates() -> list[Any]:
    """Active users whose roles work cases, their units and jurisdictions loaded (by unit name, id): a
    fixed number of queries however many users."""
    from fanzha.core.models import User

    working = [role.code for role in ROLES.values() if "case.edit" in role.permissions]  # fewer to check
    users = list(
        User.objects.filter(is_active=True, roles__role__in=working)
        .distinct()
        .select_related("organisation__area")
        .prefetch_related("roles", "organisation__covered_areas")
        .order_by("organisation__name", "id")
    )
    for user in users:  # the roles from the prefetch
        user._role_codes = frozenset(held.role for held in user.roles.all())
    return users


def eligible_officers(case: Case) -> list[Any]:
    """Who may be the case's officer (承办民警): active users of an active unit whose roles work cases
    (``case.edit``) and whose unit's jurisdiction covers the case's area."""
    return [u for u in _officer_candidates() if _may_be_officer(u, case)]


def eligible_officers_by_area(areas: Iterable[Area]) -> dict[int, list[Any]]:
    """:func:`eligible_officers` for cases in each of ``areas`` (area id → officers), the candidates
    read once: as many queries for ten areas as for one."""
    users = _officer_candidates()
    return {area.pk: [u for u in users if _may_work_in(u, area)] for area in areas}


def _may_work_in(user: Any, area: Area) -> bool:
    return access.user_can(user, "case.edit") and access.area_visible_to(user, area)


def _may_be_officer(user: Any, case: Case) -> bool:
    return _may_work_in(user, case.area)


def _check_reassign(case: Case, officer: Any, reason: str) -> None:
    """Open or closed alike (an officer who leaves hands over closed cases too): the new officer must
    be able to work the case here, be someone else, and a reason given."""
    errors: dict[str, str] = {}
    if officer is None or not _may_be_officer(officer, case):
        errors["officer"] = "新承办民警须为在岗、可办理案件且所在单位辖区包含发案地的用户"
    elif officer.pk == case.officer_id:
        errors["officer"] = "新承办民警与现承办民警相同"
    if not reason.strip():
        errors["reason"] = "请填写更换原因"
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def case_reassign(*, actor: Any, case: Case, officer: Any, reason: str) -> Case:
    """更换承办民警: the case goes to another officer who may work it (the unit stays the handling
    station); history names both, the audit (``case.reassign``) keeps their ids and the case's status.

    A closed case (结案, 不予立案) may be reassigned too, as the same refusals allow: when its officer
    leaves, the returns, releases and enquiries that still come for it need someone to answer for it.
    It stays closed. Only the new officer is told, as something to know rather than work to pick up;
    for an open case both are told (the old officer stops working it).

    The new officer's user row is locked and read afresh, then the case's row (user rows before case
    rows, the one order): a transfer or a role change of that user (which lock the same row) either
    finishes first and is seen here, or waits and then counts this case among the user's work."""
    if officer is not None:
        officer = (
            type(officer)
            .objects.select_for_update(of=("self",))
            .select_related("organisation")
            .get(pk=officer.pk)
        )
    # of "self": the present officer (a nullable join) is read, not locked; PostgreSQL refuses to lock it
    case = Case.objects.select_for_update(of=("self",)).select_related("officer").get(pk=case.pk)
    require_case(actor, case, "case.edit")
    _check_reassign(case, officer, reason)
    before = case.officer
    case.officer = officer
    case.save(update_fields=["officer", "updated_at"])
    add_event(
        case,
        actor,
        EventKind.EDITED,
        f"承办民警由 {before or '未指定'} 更换为 {officer}：{reason.strip()[:80]}",
    )
    audit_record(
        actor=actor,
        action="case.reassign",
        obj=case,
        details={"from": before.pk if before else None, "to": officer.pk, "status": case.status},
    )
    if case.is_open:
        transaction.on_commit(lambda: _notify_reassigned(case, before, officer))
    else:
        transaction.on_commit(lambda: _notify_closed_reassigned(case, officer))
    return case


def _notify_closed_reassigned(case: Case, officer: Any) -> None:
    from django.urls import reverse

    from fanzha.jobs.services import notify

    notify(
        recipients=[officer],
        title=f"已{case.get_status_display()}案件改由您承办（{case.number}）",
        body=(
            f"案件 {case.number} 已{case.get_status_display()}，现改由您承办；"
            "此后该案的资金返还、解除措施等后续事项和相关询问由您负责。"
        ),
        link=reverse("case_detail", kwargs={"pk": case.pk}),
    )


def _notify_reassigned(case: Case, before: Any, officer: Any) -> None:
    from django.urls import reverse

    from fanzha.jobs.services import notify

    link = reverse("case_detail", kwargs={"pk": case.pk})
    notify(
        recipients=[officer],
        title=f"您已成为案件承办民警（{case.number}）",
        body=(
            f"案件 {case.number} 的承办民警由 {before or '未指定'} 更换为您，"
            "请及时跟进案件及其止付、冻结时限。"
        ),
        link=link,
    )
    if before is not None:
        notify(
            recipients=[before],
            title=f"案件已更换承办民警（{case.number}）",
            body=f"案件 {case.number} 的承办民警已由您更换为 {officer}。",
            link=link,
        )


def case_advance(*, actor: Any, case: Case, to: str) -> Case:
    """Walk a case from its status to ``to`` along the normal path, each step recorded and audited
    (不予立案 directly; the status it has already, nothing). ValidationError, saying why, for a status
    behind it or off its path (立案 → 受理, 不予立案 → 立案): nothing is changed."""
    if to == case.status:
        return case
    if to == Status.NOT_FILED or case.status not in ORDER_OF_STATUS:
        return case_status_change(actor=actor, case=case, to=to)
    here, there = ORDER_OF_STATUS.index(Status(case.status)), ORDER_OF_STATUS.index(Status(to))
    if there < here:
        _check_transition(case, to)  # refused, saying why
    for step in ORDER_OF_STATUS[here + 1 : there + 1]:
        case = case_status_change(actor=actor, case=case, to=step)
    return case


# What the case form writes (case_update), by the model's field names.
EDITED_FIELDS = (
    "fraud_type",
    "contact_method",
    "area_id",
    "occurred_at",
    "summary",
    "reported_at",
    "loss_fen",
)


@transaction.atomic
def case_update(*, actor: Any, case: Case, data: CaseData) -> Case:
    require_case(actor, case, "case.edit")
    if not access.area_visible_to(actor, data.area):
        raise ValidationError({"area": "发案地不在您的管辖范围内"})
    times = case_time_errors(data.reported_at, data.occurred_at)
    if times:
        raise ValidationError(times)
    before = {name: getattr(case, name) for name in EDITED_FIELDS}
    case.fraud_type, case.contact_method = data.fraud_type, data.contact_method
    case.area, case.occurred_at, case.summary = data.area, data.occurred_at, free_text(data.summary)
    case.reported_at = data.reported_at  # the case number keeps the year it was given
    case.loss_fen = data.loss_fen
    changed = [name for name in EDITED_FIELDS if getattr(case, name) != before[name]]
    if not changed:  # saved as it stands (保存 clicked twice): no history line, nothing to audit
        return case
    case.save()
    add_event(case, actor, EventKind.EDITED, "修改案件信息")
    audit_record(actor=actor, action="case.update", obj=case, fields=changed, details={"part": "case"})
    return case


@transaction.atomic
def victim_add(*, actor: Any, case: Case, person: Person, loss_fen: int) -> Victim:
    require_case(actor, case, "case.edit")
    if loss_fen < 0:
        raise ValidationError({"loss": "损失金额不能为负数"})
    if Victim.objects.filter(case=case, person=person).exists():
        raise ValidationError({"person": "该人员已是本案受害人"})
    victim = Victim.objects.create(case=case, person=person, loss_fen=loss_fen)
    _sync_loss(case)
    add_event(case, actor, EventKind.VICTIM, f"增加受害人 {victim}，损失 {money(loss_fen)}")
    audit_record(actor=actor, action="case.update", obj=case, details={"part": "victim"})
    return victim


def _sync_loss(case: Case) -> None:
    total = sum(case.victims.values_list("loss_fen", flat=True))
    if total > case.loss_fen:
        case.loss_fen = total
        case.save(update_fields=["loss_fen", "updated_at"])


def _check_payment(case: Case, data: PaymentData) -> None:
    errors: dict[str, str] = {}
    if data.victim.case_id != case.pk:
        errors["victim"] = "付款人不是本案受害人"
    if data.amount_fen <= 0:
        errors["amount"] = "付款金额须大于 0"
    if not clean_account(data.to_account):
        errors["to_account"] = "请填写收款账号"
    if data.paid_at > timezone.now() + CLOCK_SKEW:
        errors["paid_at"] = "付款时间不能晚于现在"
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def payment_add(*, actor: Any, case: Case, data: PaymentData) -> Payment:
    """One payment of a victim; the receiving bank organisation is found from the bank name or BIN."""
    require_case(actor, case, "case.edit")
    _check_payment(case, data)
    account = clean_account(data.to_account)
    payment = Payment.objects.create(
        case=case,
        victim=data.victim,
        paid_at=data.paid_at,
        amount_fen=data.amount_fen,
        channel=data.channel,
        from_account=clean_account(data.from_account),
        to_account=account,
        to_account_hash=account_hash(account),
        to_name=data.to_name.strip(),
        to_bank=data.to_bank.strip(),
        bank_org=bank_organisation(data.to_bank, account),
        reference=data.reference.strip(),
    )
    add_event(
        case,
        actor,
        EventKind.PAYMENT,
        f"登记付款 {money(data.amount_fen)}（{payment.to_bank or '未知银行'}）",
    )
    audit_record(
        actor=actor, action="case.update", obj=case, details={"part": "payment", "payment": payment.pk}
    )
    return payment


def suspect_hash(kind: str, value: str) -> str:
    if kind == SuspectKind.PHONE:
        return crypto.search_hash("phone", value)
    if kind == SuspectKind.ACCOUNT:
        return account_hash(value)
    return crypto.search_hash("name", f"{kind}:{clean_account(value).lower()}")


@transaction.atomic
def suspect_add(*, actor: Any, case: Case, kind: str, value: str, note: str = "") -> Suspect:
    require_case(actor, case, "case.edit")
    if kind not in SuspectKind.values:
        raise ValidationError({"kind": "未知的类别"})
    value = value.strip()
    if not value:
        raise ValidationError({"value": "请填写号码、账号或网址"})
    digest = suspect_hash(kind, value)
    found = Suspect.objects.filter(case=case, kind=kind, value_hash=digest).first()
    if found is not None:
        return found
    suspect = Suspect.objects.create(
        case=case, kind=kind, value=value, value_hash=digest, note=free_text(note, 200)
    )
    add_event(case, actor, EventKind.SUSPECT, f"登记涉案{suspect.get_kind_display()}")
    audit_record(actor=actor, action="case.update", obj=case, details={"part": "suspect", "kind": kind})
    return suspect


@transaction.atomic
def result_record(*, actor: Any, case: Case, detained: int, note: str) -> Case:
    """Police results: suspects detained and what was achieved (破案战果)."""
    require_case(actor, case, "case.edit")
    if detained < 0:
        raise ValidationError({"detained": "人数不能为负数"})
    case.detained, case.results_note = detained, free_text(note)
    case.save(update_fields=["detained", "results_note", "updated_at"])
    add_event(case, actor, EventKind.RESULT, f"登记战果：抓获嫌疑人 {detained} 名")
    audit_record(actor=actor, action="case.result", obj=case, details={"detained": detained})
    return case


ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
ATTACHMENT_CONTEXT = b"cases.attachment"
_MAGIC = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"%PDF-", "application/pdf"),
)


def attachment_type(data: bytes) -> str:
    if not data or len(data) > ATTACHMENT_MAX_BYTES:
        raise ValidationError({"file": "附件为空或超过 10 MB"})
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return kind
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    raise ValidationError({"file": "只能上传 JPEG、PNG、WebP 图片或 PDF"})


@transaction.atomic
def attachment_add(*, actor: Any, case: Case, title: str, data: bytes) -> Attachment:
    require_case(actor, case, "case.edit")
    kind = attachment_type(data)
    attachment = Attachment.objects.create(
        case=case,
        title=free_text(title, 100) or "附件",
        content_type=kind,
        size=len(data),
        data=crypto.encrypt_bytes(data, context=ATTACHMENT_CONTEXT),
        uploaded_by=actor,
    )
    add_event(case, actor, EventKind.ATTACHMENT, f"上传附件：{attachment.title}")
    audit_record(actor=actor, action="case.attachment", obj=attachment, details={"step": "upload"})
    return attachment


@transaction.atomic
def attachment_read(*, actor: Any, attachment: Attachment) -> bytes:
    require_case(actor, attachment.case, "case.view")
    audit_record(actor=actor, action="case.attachment", obj=attachment, details={"step": "read"})
    return crypto.decrypt_bytes(bytes(attachment.data), context=ATTACHMENT_CONTEXT)
