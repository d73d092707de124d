"""Money pages: stop-payment and freeze requests, statements and their mapping, returns, attachments."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from fanzha.cases import measures, recovery, services, statements
from fanzha.cases.forms import (
    AttachmentForm,
    FollowUpForm,
    MeasureForm,
    OnwardForm,
    RedirectForm,
    ReturnDoneForm,
    ReturnForm,
    StatementForm,
)
from fanzha.cases.models import (
    Attachment,
    Case,
    Measure,
    MeasureKind,
    MeasureStatus,
    Payment,
    Return,
    Statement,
)
from fanzha.cases.views import get_case, run_form
from fanzha.core import access
from fanzha.tracing.layouts import FIELDS


def _payment(request: HttpRequest, pk: int, permission: str) -> Payment:
    access.require(request.user, permission)
    return access.get_visible_or_404(
        Payment.objects.select_related("case", "case__area", "bank_org", "victim"),
        request.user,
        pk=pk,
    )


def _measure(request: HttpRequest, pk: int) -> Measure:
    access.require(request.user, "case.measure")
    qs = Measure.objects.select_related("case", "case__area", "bank_org")
    return access.get_visible_or_404(
        qs.filter(case__in=Case.objects.visible_to(request.user)), request.user, pk=pk
    )


@login_required
def case_payment_stop(request: HttpRequest, pk: int) -> HttpResponse:
    """Send a stop-payment (or freeze) request for the account the victim paid into."""
    payment = _payment(request, pk, "case.measure")
    initial = {
        "amount": f"{payment.amount_fen / 100:.2f}",
        "bank_org": payment.bank_org_id,
        "kind": MeasureKind.STOP,
    }
    form = MeasureForm(request.POST or None, initial=initial)

    def send(d: dict[str, Any]) -> None:
        target = measures.target_of_payment(payment)
        target.amount_fen, target.bank_org = d["amount"], d["bank_org"]
        measures.measure_send(
            actor=request.user, case=payment.case, target=target, kind=d["kind"], reason=d["reason"]
        )

    if run_form(request, form, send, "请求已发送至银行。"):
        return redirect("case_detail", pk=payment.case_id)
    return render(
        request,
        "cases/case_subform.html",
        {"form": form, "title": "发起紧急止付 / 冻结", "case": payment.case},
    )


@login_required
def case_measure_redirect(request: HttpRequest, pk: int) -> HttpResponse:
    """改发: send a waiting request whose bank unit was deactivated to the bank's current unit; any other
    request goes back to the case page, saying why."""
    measure = _measure(request, pk)
    refusal = measures.why_not_redirected(measure)
    if refusal:
        messages.warning(request, f"{measure.get_kind_display()} #{measure.pk}：{refusal}。")
        return redirect("case_detail", pk=measure.case_id)
    form = RedirectForm(request.POST or None)

    def send(d: dict[str, Any]) -> None:
        measures.measure_redirect(actor=request.user, measure=measure, bank_org=d["bank_org"])

    if run_form(request, form, send, "请求已改发至银行。"):
        return redirect("case_detail", pk=measure.case_id)
    title = f"改发{measure.get_kind_display()} #{measure.pk}（原接收单位{measure.bank_org}已停用）"
    return render(request, "cases/case_subform.html", {"form": form, "title": title, "case": measure.case})


@login_required
def case_measure_follow_up(request: HttpRequest, pk: int) -> HttpResponse:
    """Repeat a stop-payment, turn it into a freeze, or renew a freeze — a button on the case page; when
    the measure's bank unit was deactivated, a page choosing the bank's current unit."""
    measure = _measure(request, pk)
    if measures.bank_unit_gone(measure):
        return _follow_up_to_current_unit(request, measure)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    kind = request.POST.get("kind", "")
    try:
        if kind not in MeasureKind.values:
            raise ValidationError("未知的措施")
        measures.measure_follow_up(
            actor=request.user, measure=measure, kind=kind, reason=request.POST.get("reason", "")
        )
        messages.success(request, "请求已发送至银行。")
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect("case_detail", pk=measure.case_id)


def _follow_up_to_current_unit(request: HttpRequest, measure: Measure) -> HttpResponse:
    """The follow-up of a measure whose bank unit was deactivated goes to the unit the officer chooses."""
    kind = request.GET.get("kind", "")
    form = FollowUpForm(
        request.POST or None, initial={"kind": kind}, kinds=measures.follow_up_choices(measure)
    )

    def send(d: dict[str, Any]) -> None:
        measures.measure_follow_up(
            actor=request.user, measure=measure, kind=d["kind"], reason=d["reason"], bank_org=d["bank_org"]
        )

    if run_form(request, form, send, "请求已发送至银行。"):
        return redirect("case_detail", pk=measure.case_id)
    title = f"{measure.get_kind_display()} #{measure.pk} 后续请求（原接收单位{measure.bank_org}已停用）"
    return render(request, "cases/case_subform.html", {"form": form, "title": title, "case": measure.case})


@login_required
def case_measure_follow_money(request: HttpRequest, pk: int) -> HttpResponse:
    """Stop-payments to the accounts the bank said the money moved on to: an amount for each, together
    at most 可申请止付余额 (what moved on, less what was already asked onward)."""
    measure = _measure(request, pk)
    if not measures.may_follow_money(measure):
        messages.warning(request, f"{measure}：银行未反馈资金转出账户。")
        return redirect("case_detail", pk=measure.case_id)
    accounts = measures.onward_accounts(measure)
    available = measures.onward_available_fen(measure)
    form = OnwardForm(request.POST or None, accounts=accounts, initial_fen=available)

    def send(d: dict[str, Any]) -> None:
        asked = {a.account: d[f"amount_{n}"] for n, a in enumerate(accounts) if d.get(f"amount_{n}")}
        onward = measures.measure_follow_money(actor=request.user, measure=measure, amounts=asked)
        for line in onward.skipped:
            messages.warning(request, line)

    if run_form(request, form, send, "已向转入账户发送止付请求。"):
        return redirect("case_detail", pk=measure.case_id)
    context = {
        "form": form,
        "title": f"向转入账户止付（{measure} 的下一级）",
        "case": measure.case,
        "lead": f"{measures.onward_summary(measure)}。各账户请求金额合计不能超过可申请止付余额。",
    }
    return render(request, "cases/case_subform.html", context)


@login_required
@require_POST
def case_measure_release(request: HttpRequest, pk: int) -> HttpResponse:
    measure = _measure(request, pk)
    try:
        measures.measure_release(actor=request.user, measure=measure, reason=request.POST.get("reason", ""))
        messages.success(request, "已解除。")
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect("case_detail", pk=measure.case_id)


@login_required
def case_statement_upload(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_case(request, pk, "case.trace")
    form = StatementForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            statement, new = statements.statement_upload(
                actor=request.user,
                case=case,
                file_name=upload.name,
                data=upload.read(),
                account=form.cleaned_data["account"],
                bank_name=form.cleaned_data["bank_name"],
            )
        except ValidationError as exc:
            form.add_error("file", "；".join(exc.messages))
        else:
            if statement.data is not None:
                messages.info(request, "未能识别该流水的列格式，请指定各列含义。")
                return redirect("case_statement_map", pk=statement.pk)
            messages.success(request, _statement_message(statement, new))
            return redirect("case_detail", pk=case.pk)
    return render(
        request,
        "cases/case_subform.html",
        {"form": form, "title": "导入银行流水", "case": case, "multipart": True},
    )


def _statement_message(statement: Statement, new: bool) -> str:
    if not new:
        return "该流水已导入过，未重复导入。"
    text = f"已导入 {statement.rows_added} 笔，重复 {statement.duplicates} 笔"
    if statement.errors:
        text += f"，{len(statement.errors)} 行有问题（见流水列表）"
    if statement.balance_break:
        text += f"；余额在第 {statement.balance_break['row']} 行对不上"
    return text + "。"


@login_required
def case_statement_map(request: HttpRequest, pk: int) -> HttpResponse:
    """The mapping step for a statement of an unknown layout: which column is which."""
    access.require(request.user, "case.trace")
    statement = access.get_visible_or_404(Statement.objects.select_related("case"), request.user, pk=pk)
    rows = statements.preview_rows(statement)
    header_row = int(request.POST.get("header_row", statements.header_guess(rows)) or 0)
    header = rows[header_row] if 0 <= header_row < len(rows) else []
    error = ""
    if request.method == "POST" and "import" in request.POST:
        choice = {name: request.POST.get(f"f_{name}", "") for name in FIELDS}
        try:
            statements.statement_map(
                actor=request.user, statement=statement, header_row=header_row, choice=choice
            )
        except ValidationError as exc:
            error = "；".join(exc.messages)
        else:
            messages.success(request, "流水已按指定的列导入。")
            return redirect("case_detail", pk=statement.case_id)
    context = {
        "statement": statement,
        "rows": rows,
        "header_row": header_row,
        "header": header,
        "fields": FIELDS.items(),
        "error": error,
        "case": statement.case,
    }
    return render(request, "cases/statement_map.html", context)


@login_required
def case_return_add(request: HttpRequest, pk: int) -> HttpResponse:
    """A return decision: frozen money back to a victim within the legal working days."""
    case = get_case(request, pk, "case.recover")
    frozen = case.measures.filter(kind=MeasureKind.FREEZE, status=MeasureStatus.IN_FORCE)
    form = ReturnForm(
        request.POST or None,
        victims=case.victims.select_related("person"),
        measures=frozen,
        initial={"decided_on": timezone.localdate().isoformat()},
    )

    def decide(d: dict[str, Any]) -> None:
        recovery.return_decide(
            actor=request.user,
            case=case,
            victim=d["victim"],
            amount_fen=d["amount"],
            decided_on=d["decided_on"],
            measure=d["measure"],
        )

    if run_form(request, form, decide, "返还决定已登记。"):
        return redirect("case_detail", pk=case.pk)
    return render(request, "cases/case_subform.html", {"form": form, "title": "资金返还决定", "case": case})


@login_required
def case_return_done(request: HttpRequest, pk: int) -> HttpResponse:
    access.require(request.user, "case.recover")
    decision = access.get_visible_or_404(Return.objects.select_related("case"), request.user, pk=pk)
    initial = {"returned_on": timezone.localdate().isoformat(), "amount": f"{decision.amount_fen / 100:.2f}"}
    form = ReturnDoneForm(request.POST or None, initial=initial)
    action = lambda d: recovery.return_record(  # noqa: E731
        actor=request.user, decision=decision, returned_on=d["returned_on"], returned_fen=d["amount"]
    )
    if run_form(request, form, action, "返还已登记。"):
        return redirect("case_detail", pk=decision.case_id)
    return render(
        request, "cases/case_subform.html", {"form": form, "title": "登记实际返还", "case": decision.case}
    )


@login_required
def case_attachment_add(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_case(request, pk, "case.edit")
    form = AttachmentForm(request.POST or None, request.FILES or None)

    def action(d: dict[str, Any]) -> None:
        services.attachment_add(actor=request.user, case=case, title=d["title"], data=d["file"].read())

    if run_form(request, form, action, "附件已上传。"):
        return redirect("case_detail", pk=case.pk)
    return render(
        request,
        "cases/case_subform.html",
        {"form": form, "title": "上传附件", "case": case, "multipart": True},
    )


@login_required
def case_attachment(request: HttpRequest, pk: int) -> HttpResponse:
    access.require(request.user, "case.view")
    attachment = access.get_visible_or_404(Attachment.objects.select_related("case"), request.user, pk=pk)
    data = services.attachment_read(actor=request.user, attachment=attachment)
    response = HttpResponse(data, content_type=attachment.content_type)
    response["Content-Disposition"] = f'inline; filename="attachment-{attachment.pk}"'
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
