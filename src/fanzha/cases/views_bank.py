"""The bank's side: its queue of stop-payment and freeze requests, and its answers."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from fanzha.cases import measures, selectors
from fanzha.cases.forms import AnswerForm
from fanzha.cases.models import Measure, MeasureStatus
from fanzha.cases.views import run_form
from fanzha.core import access
from fanzha.core.services.persons import REVEAL_PURPOSES


@login_required
def case_bank_queue(request: HttpRequest) -> HttpResponse:
    access.require(request.user, "case.bank")
    state = "done" if request.GET.get("state") == "done" else "open"
    rows = selectors.measure_rows(selectors.bank_queue(request.user, state)[:200])
    return render(request, "cases/bank_queue.html", {"rows": rows, "state": state})


def _addressed(request: HttpRequest, pk: int) -> Measure:
    access.require(request.user, "case.bank")
    qs = Measure.objects.select_related("case", "bank_org").filter(bank_org_id=request.user.organisation_id)  # type: ignore[attr-defined]
    return access.get_visible_or_404(qs, request.user, pk=pk)


@login_required
def case_bank_measure(request: HttpRequest, pk: int) -> HttpResponse:
    measure = _addressed(request, pk)
    form = AnswerForm(request.POST or None)

    def answer(d: dict[str, object]) -> None:
        data = measures.AnswerData(
            answer=str(d["answer"]),
            effective_fen=int(d["effective"] or 0),
            balance_fen=d["balance"],  # type: ignore[arg-type]
            moved_to=str(d["moved_to"]),
            note=str(d["note"]),
            executed_at=d["executed_at"],  # type: ignore[arg-type]
        )
        measures.measure_answer(actor=request.user, measure=measure, data=data)

    if measure.status == MeasureStatus.SENT and run_form(
        request, form, answer, "已反馈，办案单位已收到通知。"
    ):
        return redirect("case_bank_queue")
    row = selectors.measure_rows([measure])[0]
    context = {
        "row": row,
        "m": measure,
        "form": form,
        "reveal_purposes": REVEAL_PURPOSES,
        "can_answer": measure.status == MeasureStatus.SENT,
    }
    return render(request, "cases/bank_measure.html", context)


@login_required
@require_POST
def case_measure_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """The account in clear (bank addressee or the case's officers); the purpose is audited."""
    if not (access.user_can(request.user, "case.measure") or access.user_can(request.user, "case.bank")):
        raise PermissionDenied("case.measure")
    measure = access.get_visible_or_404(
        Measure.objects.select_related("case", "case__area"), request.user, pk=pk
    )
    try:
        value = measures.measure_account_reveal(
            actor=request.user, measure=measure, purpose=request.POST.get("purpose", "")
        )
    except ValidationError:
        return render(request, "core/_reveal_refused.html", status=200 if request.htmx else 400)
    response = render(request, "core/_revealed.html", {"value": value})
    response["Cache-Control"] = "no-store"
    return response
