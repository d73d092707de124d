"""Case pages: list, counter registration, detail with clocks, status, victims, payments, suspects."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from fanzha.cases import recovery, selectors, services
from fanzha.cases.common import free_text, mask_account, money
from fanzha.cases.forms import (
    CaseForm,
    CaseRegisterForm,
    PaymentForm,
    ReassignForm,
    ResultForm,
    StatusForm,
    SuspectForm,
    VictimForm,
)
from fanzha.cases.models import TRANSITIONS, Case, Status
from fanzha.core import access
from fanzha.core.models import Person, User
from fanzha.core.pii.masking import mask, scrub_text
from fanzha.core.services import persons as person_services
from fanzha.core.views import edit_conflicts
from fanzha.warnings import typology


def get_case(request: HttpRequest, pk: int, permission: str = "case.view") -> Case:
    access.require(request.user, permission)
    return access.get_visible_or_404(
        Case.objects.select_related("area", "organisation", "officer", "warning"), request.user, pk=pk
    )


def form_errors(form: Any, exc: ValidationError) -> None:
    """Put a service's errors on the form (unknown field names go to the form as a whole)."""
    details = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    for name, errors in details.items():
        for error in errors:
            form.add_error(name if name in form.fields else None, error)


def run_form(request: HttpRequest, form: Any, action: Callable[[dict[str, Any]], Any], success: str) -> bool:
    """Validate, call the service, flash success; False (errors on the form) when anything refused."""
    if request.method != "POST" or not form.is_valid():
        return False
    try:
        action(form.cleaned_data)
    except ValidationError as exc:
        form_errors(form, exc)
        return False
    messages.success(request, success)
    return True


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    access.require(request.user, "case.view")
    qs, applied = selectors.filtered(request.user, request.GET)
    context = {
        "page": selectors.case_page(qs, request.GET.get("page")),
        "applied": applied,
        "query": "&".join(f"{k}={v}" for k, v in applied.items()),
        "statuses": Status.choices,
        "fraud_types": typology.choices(),
        "areas": access.visible_areas(request.user).filter(level__in=["district", "township", "village"]),
        "can_create": access.user_can(request.user, "case.edit"),
        "clocks": selectors.clocks_board(request.user)[:20],
        "labels": dict(typology.choices()),
    }
    return render(request, "cases/case_list.html", context)


def _victim_person(actor: Any, data: dict[str, Any], area: Any) -> Person:
    person_data = person_services.PersonData(
        name=data["name"],
        area=area,
        id_number=data.get("id_number", ""),
        phone=data.get("phone", ""),
        address=data.get("address", ""),
    )
    return services.victim_person(actor=actor, data=person_data)


def _case_data(data: dict[str, Any]) -> services.CaseData:
    return services.CaseData(
        area=data["area"],
        reported_at=data["reported_at"],
        fraud_type=data["fraud_type"],
        contact_method=data["contact_method"],
        occurred_at=data["occurred_at"],
        summary=data["summary"],
        loss_fen=data["loss"] or 0,
    )


@login_required
def case_create(request: HttpRequest) -> HttpResponse:
    """窗口报案: the case and its first victim in one step."""
    access.require(request.user, "case.edit")
    areas = access.visible_areas(request.user)
    initial = {"reported_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")}
    form = CaseRegisterForm(request.POST or None, areas=areas, initial=initial)
    created: list[Case] = []

    def register(data: dict[str, Any]) -> None:
        from django.db import transaction

        with transaction.atomic():
            person = _victim_person(request.user, data, data["area"])
            created.append(services.case_register(actor=request.user, data=_case_data(data), victim=person))

    if run_form(request, form, register, "案件已登记。"):
        return redirect("case_detail", pk=created[0].pk)
    return render(request, "cases/case_form.html", {"form": form, "title": "窗口报案登记"})


CASE_LABELS = {
    "fraud_type": "诈骗类型",
    "contact_method": "接触方式",
    "area": "发案地",
    "occurred_at": "发案时间",
    "reported_at": "报案时间",
    "loss": "损失金额",
    "summary": "简要案情",
    "detained": "抓获嫌疑人",
    "note": "战果说明",
}
# The fields the forms write, by the form's name where it is not the case's own (the token's names are
# the form's, so that what was typed into an unchanged field can be shown again on a refusal).
CASE_FIELDS = {
    "fraud_type": "fraud_type",
    "contact_method": "contact_method",
    "area": "area",
    "occurred_at": "occurred_at",
    "reported_at": "reported_at",
    "loss": "loss_fen",
    "summary": "summary",
}
RESULT_FIELDS = {"detained": "detained", "note": "results_note"}


def _stored_case(case: Case) -> dict[str, Any]:
    """What the 修改 form writes, as stored now (its edit token's values)."""
    return {name: case.serializable_value(field) for name, field in CASE_FIELDS.items()}


def _stored_result(case: Case) -> dict[str, Any]:
    """What the 登记破案战果 form writes, as stored now."""
    return {name: getattr(case, field) for name, field in RESULT_FIELDS.items()}


def _written_case(data: dict[str, Any]) -> dict[str, Any]:
    """What the posted 修改 form stores (``data``: its cleaned values), as :func:`_stored_case` reads
    it: the area by id, the times in UTC as the database gives them back."""
    values = {name: data[name] for name in CASE_FIELDS}
    values["area"] = data["area"].pk
    values["loss"] = data["loss"] or 0
    values["summary"] = free_text(data["summary"])
    for name in ("occurred_at", "reported_at"):
        values[name] = values[name] and values[name].astimezone(dt.UTC)
    return values


def _written_result(data: dict[str, Any]) -> dict[str, Any]:
    """What the posted 登记破案战果 form stores, as :func:`_stored_result` reads it."""
    return {"detained": data["detained"], "note": free_text(data["note"])}


def _case_form(request: HttpRequest, case: Case, data: Any = None) -> CaseForm:
    initial = {
        "fraud_type": case.fraud_type,
        "contact_method": case.contact_method,
        "area": case.area_id,
        "occurred_at": case.occurred_at and timezone.localtime(case.occurred_at).strftime("%Y-%m-%dT%H:%M"),
        "reported_at": timezone.localtime(case.reported_at).strftime("%Y-%m-%dT%H:%M"),
        "loss": f"{case.loss_fen / 100:.2f}" if case.loss_fen else "",
        "summary": scrub_text(case.summary),
    }
    form = CaseForm(data, areas=access.visible_areas(request.user), initial=initial)
    edit_conflicts.carry_token(form, case, _stored_case)
    return form


def run_edit_form(
    request: HttpRequest,
    form: Any,
    case: Case,
    stored: edit_conflicts.StoredValues,
    action: Callable[[dict[str, Any]], Any],
    form_again: Callable[[], Any],
    written: Callable[[dict[str, Any]], dict[str, Any]],
) -> Any:
    """An edit of the case: saved (None, success flashed), or the form to show again — with the
    service's refusal, or, when the case changed since the form was opened, the values stored now
    and which fields changed."""
    if request.method != "POST" or not form.is_valid():
        return form
    try:
        stale, _ = edit_conflicts.save_unless_changed(
            request, case, stored, lambda: action(form.cleaned_data), lambda _: written(form.cleaned_data)
        )
    except ValidationError as exc:
        form_errors(form, exc)
        return form
    if stale:
        message = edit_conflicts.refused_message(stale, CASE_LABELS)
        kept = edit_conflicts.unchanged(stale)
        return edit_conflicts.show_refused(form_again(), message, form, kept)
    messages.success(request, "已保存。")
    return None


@login_required
def case_edit(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_case(request, pk, "case.edit")
    form = run_edit_form(
        request,
        _case_form(request, case, request.POST or None),
        case,
        _stored_case,
        lambda d: services.case_update(actor=request.user, case=case, data=_case_data(d)),
        lambda: _case_form(request, case),
        _written_case,
    )
    if form is None:
        return redirect("case_detail", pk=case.pk)
    context = {"form": form, "title": f"修改 {case.number}", "case": case}
    return render(request, "cases/case_form.html", context)


def _recovery_cards(rec: recovery.Recovery) -> list[tuple[str, str]]:
    return [
        ("损失", money(rec.loss_fen)),
        ("止付", money(rec.stopped_fen)),
        ("冻结", money(rec.frozen_fen)),
        ("决定返还", money(rec.decided_fen)),
        ("已返还（挽回）", money(rec.returned_fen)),
    ]


def _victim_rows(case: Case) -> list[tuple[Any, ...]]:
    rows = []
    for victim, rec in recovery.recovery_by_victim(case):
        amounts = {
            "stopped": money(rec.stopped_fen),
            "frozen": money(rec.frozen_fen),
            "returned": money(rec.returned_fen),
        }
        person = victim.person
        rows.append(
            (victim, mask("name", person.name), mask("phone", person.phone), money(victim.loss_fen), amounts)
        )
    return rows


def _return_rows(case: Case) -> list[dict[str, Any]]:
    today = timezone.localdate()
    return [
        {
            "obj": r,
            "victim": r.victim,
            "decided": money(r.amount_fen),
            "returned": money(r.returned_fen),
            "overdue": (r.returned_on or today) > r.due_on,
        }
        for r in case.returns.select_related("victim__person")
    ]


def _detail_context(request: HttpRequest, case: Case) -> dict[str, Any]:
    user = request.user
    edits = access.user_can(user, "case.edit") and case.is_open
    payments = case.payments.select_related("victim__person", "bank_org")
    return {
        "case": case,
        "fraud_type": typology.label(case.fraud_type) if case.fraud_type else "待认定",
        "loss_text": money(case.loss_fen),
        "victim_rows": _victim_rows(case),
        "payment_rows": [(p, mask_account(p.to_account), money(p.amount_fen)) for p in payments],
        "suspect_rows": [(s, _mask_suspect(s.kind, s.value)) for s in case.suspects.all()],
        "measures": selectors.measure_rows(case.measures.select_related("bank_org", "payment")),
        "statements": case.statements.all(),
        "return_rows": _return_rows(case),
        "recovery_cards": _recovery_cards(recovery.recovery_of_case(case)),
        "attachments": case.attachments.all(),
        "related_warnings": _related_warnings(user, case),
        "events": case.events.select_related("actor")[:100],
        "status_form": StatusForm(choices=[(s, Status(s).label) for s in sorted(TRANSITIONS[case.status])]),
        "can_edit": edits,
        "can_reassign": access.user_can(user, "case.edit"),  # closed cases too
        "can_measure": access.user_can(user, "case.measure") and case.is_open,
        "can_trace": access.user_can(user, "case.trace"),
        "can_recover": access.user_can(user, "case.recover"),
        "can_reveal": access.user_can(user, "person.reveal"),
        "summary": scrub_text(case.summary),
    }


def _related_warnings(user: Any, case: Case) -> list[Any]:
    """Warnings about the case's victims that the user may see (the one it came from among them)."""
    if not access.user_can(user, "warning.view"):
        return []
    from fanzha.warnings.models import Warning

    people = case.victims.values_list("person_id", flat=True)
    return list(Warning.objects.visible_to(user).filter(person_id__in=people).order_by("-received_at")[:20])


def _mask_suspect(kind: str, value: str) -> str:
    if kind == "phone":
        return mask("phone", value)
    if kind in ("account", "payment_id"):
        return mask_account(value)
    return value[:3] + "***" + value[-2:] if len(value) > 6 else value[:1] + "***"


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_case(request, pk)
    return render(request, "cases/case_detail.html", _detail_context(request, case))


@login_required
@require_POST
def case_status(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_case(request, pk, "case.edit")
    try:
        services.case_status_change(
            actor=request.user, case=case, to=request.POST.get("to", ""), note=request.POST.get("note", "")
        )
        messages.success(request, "状态已变更。")
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect("case_detail", pk=case.pk)


def _sub_form(
    request: HttpRequest, case: Case, form: Any, action: Callable[[dict[str, Any]], Any], title: str
) -> HttpResponse:
    if run_form(request, form, action, "已保存。"):
        return redirect("case_detail", pk=case.pk)
    return render(request, "cases/case_subform.html", {"form": form, "title": title, "case": case})


@login_required
def case_victim_add(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_case(request, pk, "case.edit")
    form = VictimForm(request.POST or None)

    def add(data: dict[str, Any]) -> None:
        from django.db import transaction

        with transaction.atomic():
            person = _victim_person(request.user, data, case.area)
            services.victim_add(
                actor=request.user, case=case, person=person, loss_fen=data["victim_loss"] or 0
            )

    return _sub_form(request, case, form, add, "增加受害人")


@login_required
def case_payment_add(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_case(request, pk, "case.edit")
    form = PaymentForm(request.POST or None, victims=case.victims.select_related("person"))

    def add(d: dict[str, Any]) -> None:
        data = services.PaymentData(
            victim=d["victim"],
            paid_at=d["paid_at"],
            amount_fen=d["amount"],
            to_account=d["to_account"],
            to_bank=d["to_bank"],
            to_name=d["to_name"],
            from_account=d["from_account"],
            channel=d["channel"],
            reference=d["reference"],
        )
        services.payment_add(actor=request.user, case=case, data=data)

    return _sub_form(request, case, form, add, "登记付款（转账）记录")


@login_required
def case_suspect_add(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_case(request, pk, "case.edit")
    form = SuspectForm(request.POST or None)

    def action(d: dict[str, Any]) -> None:
        services.suspect_add(actor=request.user, case=case, kind=d["kind"], value=d["value"], note=d["note"])

    return _sub_form(request, case, form, action, "登记涉案号码、账号、网址")


def _result_form(case: Case, data: Any = None) -> ResultForm:
    form = ResultForm(data, initial={"detained": case.detained, "note": scrub_text(case.results_note)})
    edit_conflicts.carry_token(form, case, _stored_result)
    return form


@login_required
def case_result(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_case(request, pk, "case.edit")
    form = run_edit_form(
        request,
        _result_form(case, request.POST or None),
        case,
        _stored_result,
        lambda d: services.result_record(
            actor=request.user, case=case, detained=d["detained"], note=d["note"]
        ),
        lambda: _result_form(case),
        _written_result,
    )
    if form is None:
        return redirect("case_detail", pk=case.pk)
    context = {"form": form, "title": "登记破案战果", "case": case}
    return render(request, "cases/case_subform.html", context)


@login_required
def case_reassign(request: HttpRequest, pk: int) -> HttpResponse:
    """更换承办民警: a choice of the officers who may work the case, open or closed (an officer who
    leaves hands over closed cases too)."""
    case = get_case(request, pk, "case.edit")
    eligible = [u.pk for u in services.eligible_officers(case) if u.pk != case.officer_id]
    officers = User.objects.filter(pk__in=eligible).select_related("organisation")
    form = ReassignForm(request.POST or None, officers=officers.order_by("organisation__name", "id"))

    def action(d: dict[str, Any]) -> None:
        services.case_reassign(actor=request.user, case=case, officer=d["officer"], reason=d["reason"])

    status = case.get_status_display()
    closed = "" if case.is_open else f"（案件已{status}，更换后仍为{status}）"
    return _sub_form(request, case, form, action, f"更换承办民警{closed}")
