"""号码研判 pages: upload an extract, the runs, a run's high-risk numbers and potential victims."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from fanzha.core import access
from fanzha.jobs.models import Job, JobStatus
from fanzha.numbers import services
from fanzha.numbers.background import numbers_settle
from fanzha.numbers.forms import ACCEPT, ExtractForm
from fanzha.numbers.models import FileKind, IndicatorProposal, RunStatus, ScoringRun
from fanzha.numbers.quality import file_lines, quality_lines
from fanzha.numbers.services import (
    PERMISSION,
    UploadedFile,
    as_finding,
    listed_victims,
    numbers_proposal_decide,
    numbers_send_warnings,
    numbers_submit,
    uploaded_before_notice,
    victim_reason,
    victim_unusable,
)

POLL_SECONDS = 2
SHOW_NUMBERS = 200
SHOW_VICTIMS = 200


def _run(request: HttpRequest, pk: int) -> ScoringRun:
    access.require(request.user, PERMISSION)
    return access.get_visible_or_404(
        ScoringRun.objects.select_related("job", "created_by"), request.user, pk=pk
    )


def _errors(exc: ValidationError) -> str:
    return "；".join(exc.messages)


@login_required
def run_list(request: HttpRequest) -> HttpResponse:
    access.require(request.user, PERMISSION)
    runs = ScoringRun.objects.visible_to(request.user).select_related("created_by", "job")
    page = Paginator(runs, 50).get_page(request.GET.get("page"))
    for run in page:
        numbers_settle(run=run)  # a run whose job ended without it is shown failed, not running
    return render(request, "numbers/run_list.html", {"page": page})


@login_required
def run_upload(request: HttpRequest) -> HttpResponse:
    access.require(request.user, PERMISSION)
    form = ExtractForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        files = [
            UploadedFile(kind, upload.name or "", upload.read())
            for kind in FileKind.values
            for upload in form.cleaned_data.get(kind) or []
        ]
        try:
            run = numbers_submit(actor=request.user, files=files)
        except ValidationError as exc:
            form.add_error(None, _errors(exc))
        else:
            messages.info(request, "文件已加密保存并提交后台研判；本页会自动刷新进度")
            for notice in filter(None, map(uploaded_before_notice, run.files)):
                messages.warning(request, notice)  # the same extract again: said, never refused
            return redirect("numbers_run_detail", pk=run.pk)
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "accept": ACCEPT, "limit_mb": services.upload_limit_mb()}
    return render(request, "numbers/run_upload.html", context, status=status)


@login_required
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    run = _run(request, pk)
    numbers_settle(run=run)  # a run whose job ended without it is shown failed, not running
    active = run.status in (RunStatus.QUEUED, RunStatus.RUNNING)
    context = {
        "run": run,
        "active": active,
        "retrying": active and _retrying(run.job),
        "poll_seconds": POLL_SECONDS,
        "quality_lines": quality_lines(run.quality),
        "files": file_lines(run.files),
    }
    if getattr(request, "htmx", False) and active:
        return render(request, "numbers/_run_status.html", context)
    if getattr(request, "htmx", False):
        response = HttpResponse(status=200)
        response["HX-Refresh"] = "true"
        return response
    victims = _page(request, VICTIMS_PAGE, run.victims.select_related("warning"), SHOW_VICTIMS)
    listed = listed_victims(run, list(victims))  # fraud numbers themselves: never sent as victims
    for victim in victims:
        victim.short_reason = victim_reason(victim)  # type: ignore[attr-defined]
        victim.finding = as_finding(victim.reasons)  # type: ignore[attr-defined]
        victim.listed = victim.number_hash in listed  # type: ignore[attr-defined]
        victim.unusable = "" if victim.warning_id else victim_unusable(victim)  # type: ignore[attr-defined]
    context |= {
        "scored": _page(request, NUMBERS_PAGE, run.scored.filter(is_high_risk=True), SHOW_NUMBERS),
        "victims": victims,
        "proposals": _page(request, PROPOSALS_PAGE, run.proposals.select_related("decided_by"), SHOW_NUMBERS),
        "can_send": access.user_can(request.user, "warning.create"),
        "send_max": services.SEND_MAX,
    }
    return render(request, "numbers/run_detail.html", context)


# each list of a run's page turns its own pages, the others staying where they are
NUMBERS_PAGE, VICTIMS_PAGE, PROPOSALS_PAGE = "numbers_page", "victims_page", "proposals_page"


def _page(request: HttpRequest, param: str, rows: QuerySet[Any], per_page: int) -> Page:
    """One page of a run's list, by the query parameter ``param``, with the links to the pages before
    and after it (``previous_query``, ``next_query``: the page's query string, that parameter changed)."""
    page = Paginator(rows, per_page).get_page(request.GET.get(param))
    before = _query(request, param, page.previous_page_number()) if page.has_previous() else ""
    after = _query(request, param, page.next_page_number()) if page.has_next() else ""
    page.previous_query, page.next_query = before, after  # type: ignore[attr-defined]
    return page


def _query(request: HttpRequest, param: str, number: int) -> str:
    query = request.GET.copy()
    query[param] = str(number)
    return query.urlencode()


def _retrying(job: Job | None) -> bool:
    """The run's job failed an attempt and waits for its retry (its progress is that of the failed one)."""
    return job is not None and job.status == JobStatus.QUEUED and job.attempts > 0


ID_DIGITS = 18  # a row id or a count longer than this is no number of ours (and past a database integer)


def _number(value: str) -> int | None:
    """A form value as a whole number, or None: decimal digits only — "²" or "①" are digits to
    ``str.isdigit`` but not to ``int()`` — and not so long that the database could not hold it."""
    value = value.strip()
    return int(value) if value.isdecimal() and len(value) <= ID_DIGITS else None


def _ints(values: list[str]) -> list[int]:
    return [n for n in map(_number, values) if n is not None]


@login_required
@require_POST
def run_send_warnings(request: HttpRequest, pk: int) -> HttpResponse:
    run = _run(request, pk)
    access.require(request.user, "warning.create")
    try:
        result = numbers_send_warnings(
            actor=request.user,
            run=run,
            victim_ids=_ints(request.POST.getlist("victim")),
            top=_number(request.POST.get("top", "")),
            start=_number(request.POST.get("start", "")),
        )
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(
            request,
            f"已发送预警：新建 {result.new} 条、并入已有预警 {result.merged} 条、"
            f"此前已发送 {result.unchanged} 条、无法识别 {result.skipped} 条"
            + (
                f"；{result.listed} 人本身是涉诈名单（或待确认建议）中的号码，未发送" if result.listed else ""
            ),
        )
    return redirect("numbers_run_detail", pk=run.pk)


@login_required
@require_POST
def proposal_decide(request: HttpRequest, pk: int) -> HttpResponse:
    access.require(request.user, PERMISSION)
    proposal = _proposal(request, pk)
    decision = request.POST.get("decision", "")
    if decision not in ("confirm", "reject"):
        messages.error(request, "请选择确认或驳回")
    else:
        try:
            numbers_proposal_decide(
                actor=request.user,
                proposal=proposal,
                confirm=decision == "confirm",
                reason=request.POST.get("reason", ""),
            )
            messages.success(request, "已确认列入涉诈名单建议" if decision == "confirm" else "已驳回该建议")
        except ValidationError as exc:
            messages.error(request, _errors(exc))
    return _back_to_proposals(proposal.run_id, request.POST.get(PROPOSALS_PAGE, ""))


def _back_to_proposals(run_id: int, page: str) -> HttpResponse:
    """The run's page, at the page of proposals the decision was made on."""
    url = reverse("numbers_run_detail", args=[run_id])
    number = _number(page)
    return redirect(f"{url}?{PROPOSALS_PAGE}={number}#proposals" if number else f"{url}#proposals")


def _proposal(request: HttpRequest, pk: int) -> IndicatorProposal:
    """A proposal of a run the user may see; otherwise 404 (the same as a missing one)."""
    runs = ScoringRun.objects.visible_to(request.user)
    found = IndicatorProposal.objects.filter(pk=pk, run__in=runs).first()
    if found is None:
        raise Http404("记录不存在")
    return found
