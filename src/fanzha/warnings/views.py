"""Centre and field pages: the list with filters and summaries, the live board, my tasks, detail, entry."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from fanzha.core import access
from fanzha.core.pii.masking import mask, mask_phone, scrub_text
from fanzha.core.services.persons import REVEAL_PURPOSES
from fanzha.core.views.persons import revealed
from fanzha.warnings import reveal, routing, selectors, typology
from fanzha.warnings.forms import WarningForm, entry_source_id
from fanzha.warnings.intake import (
    QUALITY_FLAGS,
    SOURCES,
    TRANSFER_SAID,
    Unusable,
    WarningInput,
    shown_source_id,
    source_label,
)
from fanzha.warnings.models import Contact, Grade, Outcome, Status, Warning
from fanzha.warnings.services import MERGED, UNCHANGED, warning_receive
from fanzha.warnings.workflow import _can_work, can_record_contact, pending_follow_up

PAGE_SIZE = 50
BOARD_ROWS = 200  # the most urgent open warnings the board shows; it says when there are more
SUMMARY_ROWS = 300  # per-area / per-unit rows shown; the page says when there are more


def _labels() -> dict[str, Any]:
    return {
        "grades": Grade.choices,
        "statuses": Status.choices,
        "sources": [(c, n) for c, (n, _) in SOURCES.items()],
        "fraud_types": typology.choices(),
    }


def _area_choices(user: Any) -> list[tuple[int, str]]:
    """The area filter's options in tree order; a village is named with its township (a county has
    several 中山社区)."""
    areas = access.visible_areas(user).filter(level__in=["district", "township", "village"])
    rows = list(areas.values_list("pk", "name", "level", "parent__name"))
    return [
        (pk, f"{parent} · {name}" if level == "village" and parent else name)
        for pk, name, level, parent in rows
    ]


def _say_period_problems(request: HttpRequest) -> None:
    for problem in selectors.period_problems(request.GET):
        messages.warning(request, problem)


def _say_area_outside(request: HttpRequest, applied: dict[str, str]) -> None:
    if selectors.area_outside(request.GET, applied):
        messages.warning(request, selectors.AREA_OUTSIDE)


@login_required
def warning_list(request: HttpRequest) -> HttpResponse:
    access.require(request.user, "warning.view")
    _say_period_problems(request)
    qs, applied = selectors.filtered(request.user, request.GET)
    _say_area_outside(request, applied)
    page = selectors.list_page(qs, request.GET.get("page"), PAGE_SIZE)
    context = {
        "page": page,
        "applied": applied,
        "query": urlencode(applied),
        "areas": _area_choices(request.user),
        "can_create": access.user_can(request.user, "warning.create"),
        "can_export": access.user_can(request.user, "warning.export"),
        **_labels(),
    }
    return render(request, "warnings/warning_list.html", context)


STATS_TABS = (("", "按区划、单位"), ("people", "按人员"))


@login_required
def warning_stats(request: HttpRequest) -> HttpResponse:
    """Per-area and per-unit figures for the same filters as the list (a separate page: they scan); the
    按人员 tab (``?tab=people``) has the same figures per responsible person instead. Both are of the
    warnings the user sees (:func:`selectors.filtered`): a station's user finds its own people only.
    The totals and the tables are counted in one pass over the warnings (:func:`selectors.summaries`)."""
    access.require(request.user, "warning.view")
    _say_period_problems(request)
    qs, applied = selectors.filtered(request.user, request.GET)
    _say_area_outside(request, applied)
    tab = "people" if request.GET.get("tab") == "people" else ""
    context: dict[str, Any] = {
        "applied": applied,
        "query": urlencode(applied),
        "tab": tab,
        "tabs": [
            (code, label, urlencode({**applied, "tab": code} if code else applied))
            for code, label in STATS_TABS
        ],
        "rows_shown": SUMMARY_ROWS,
    }
    if tab == "people":
        totals, by_person = selectors.summaries(qs, ((), selectors.PERSON_FIELDS))
        context |= {"by_person": by_person[:SUMMARY_ROWS], "people_total": len(by_person)}
    else:
        totals, by_area, by_unit = selectors.summaries(qs, ((), selectors.AREA_FIELDS, selectors.UNIT_FIELDS))
        context |= {
            "by_area": by_area[:SUMMARY_ROWS],
            "by_unit": by_unit[:SUMMARY_ROWS],
            "areas_total": len(by_area),
            "units_total": len(by_unit),
        }
    context["totals"] = totals[0]
    return render(request, "warnings/warning_stats.html", context)


@login_required
def warning_board(request: HttpRequest) -> HttpResponse:
    """The live board: open warnings by time left (htmx refreshes the table every 30 s)."""
    access.require(request.user, "warning.view")
    rows = list(selectors.board(request.user)[: BOARD_ROWS + 1])  # one more: whether there are more
    template = "warnings/_board_rows.html" if request.htmx else "warnings/warning_board.html"
    context = {"rows": rows[:BOARD_ROWS], "more": len(rows) > BOARD_ROWS, "shown": BOARD_ROWS}
    return render(request, template, {**context, "now": timezone.now()})


@login_required
def warning_mine(request: HttpRequest) -> HttpResponse:
    """A field worker's phone page: what to acknowledge and whom to reach, most urgent first."""
    access.require(request.user, "warning.view")
    rows = list(selectors.mine(request.user)[:100])
    return render(request, "warnings/warning_mine.html", {"rows": rows, "now": timezone.now()})


@login_required
def warning_detail(request: HttpRequest, pk: int) -> HttpResponse:
    access.require(request.user, "warning.view")
    warning = access.get_visible_or_404(
        Warning.objects.select_related(
            "person", "area__parent", "organisation", "assignee", "acknowledged_by"
        ),  # area__parent: its 区划 “城关镇 · 城东社区” (area_label)
        request.user,
        pk=pk,
    )
    user = request.user
    works = access.user_can(user, "warning.work") and _can_work(user, warning)
    dispatches = access.user_can(user, "warning.dispatch")
    context = {
        "w": warning,
        "person": warning.person,
        "masked": {
            "name": mask("name", warning.person.name),
            "id_number": mask("id_number", warning.person.id_number or warning.id_number_raw),
            "phone": mask("phone", reveal.shown_value(warning, "phone")),
            "address": mask("address", reveal.shown_value(warning, "address")),
        },
        "flags": [QUALITY_FLAGS.get(f, f) for f in warning.quality_flags],
        "fraud_type": typology.label(warning.fraud_type) if warning.fraud_type else "未知",
        "events": warning.events.select_related("actor"),
        "contacts": _contacts_shown(warning),
        "can_ack": works and warning.status == Status.ASSIGNED,
        "can_contact": works and can_record_contact(warning),
        "follow_up": pending_follow_up(warning),
        "can_handover": (works or dispatches) and warning.is_open,
        "can_close": (works or dispatches) and warning.is_open,
        "can_place": dispatches and warning.is_open,
        "can_note": works or dispatches,
        "can_reveal": access.user_can(user, "person.reveal"),
        "reveal_purposes": REVEAL_PURPOSES,
        "unit": routing.describe_unit(warning.organisation),
        "why": scrub_text(warning.notes),  # the report's own words (号码研判: the contacts), numbers masked
        "suspects": suspects_shown(warning.suspect_numbers),
        "source_label": source_label(warning.source),
        "source_id": shown_source_id(warning.source_id),
        "case": _case_of(user, warning),
        "now": timezone.now(),
    }
    return render(request, "warnings/warning_detail.html", context)


@login_required
@require_POST
def warning_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """The warning's phone or address in clear (人工定位, the warning's page), audited; the field's name
    travels in the POST body, never in the URL."""
    access.require(request.user, "warning.view")
    warning = access.get_visible_or_404(Warning.objects.select_related("area", "person"), request.user, pk=pk)
    field_name = request.POST.get("field", "")
    if field_name not in reveal.REVEALABLE:
        return HttpResponse("未知字段", status=400)
    try:
        value = reveal.warning_reveal(
            actor=request.user,
            warning=warning,
            field_name=field_name,
            purpose=request.POST.get("purpose", ""),
        )
    except ValidationError:
        # htmx swaps only 2xx answers: it gets the message in place; a plain form post gets a 400.
        return render(request, "core/_reveal_refused.html", status=200 if request.htmx else 400)
    return revealed(request, value, phone=field_name == "phone")


_NUMBER = re.compile(r"\+?\d[\d -]{4,}\d")


def suspects_shown(text: str) -> str:
    """The warning's suspect numbers, each masked as a phone (a landline too), one line each."""
    return "、".join(mask_phone(n) for n in _NUMBER.findall(text or ""))


def _contacts_shown(warning: Warning) -> list[Contact]:
    """The contact records with the numbers in their notes masked (records kept before notes were
    masked on saving still hold them)."""
    contacts = list(warning.contacts.select_related("actor").prefetch_related("photos"))
    for contact in contacts:
        contact.notes = scrub_text(contact.notes)
    return contacts


def _case_of(user: Any, warning: Warning) -> Any:
    """The case drafted from this warning (已被骗), when the user may open cases and sees it."""
    if warning.outcome != Outcome.DEFRAUDED or not access.user_can(user, "case.view"):
        return None
    from fanzha.cases.models import Case

    return Case.objects.visible_to(user).filter(warning=warning).first()


def _input(form: WarningForm, actor: Any) -> WarningInput:
    data = form.cleaned_data
    return WarningInput(
        source=data["source"],
        source_id=data["source_id"] or entry_source_id(data["entry"], actor),
        name=data["name"],
        id_number=data["id_number"],
        phone=data["phone"],
        address=data["address"],
        fraud_type=data["fraud_type"],
        warned_at=data["warned_at"],
        amount=data["amount"],
        suspect_numbers=data["suspect_numbers"],
        suspect_accounts=data["suspect_accounts"],
        notes=data["notes"],
        call_count=str(data["call_count"] or ""),
        callback_count=str(data["callback_count"] or ""),
        transfer_in_progress=TRANSFER_SAID[data["transfer_in_progress"]],
    )


SENT_TWICE = "这张录入表已经提交过，预警只录入了一次。"  # a double tap: no 预警编号, the same form


@login_required
def warning_create(request: HttpRequest) -> HttpResponse:
    """人工录入: the same door as the API (new, merged or already received)."""
    access.require(request.user, "warning.create")
    form = WarningForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            received = warning_receive(actor=request.user, data=_input(form, request.user), channel="web")
        except Unusable as exc:
            form.add_error(None, str(exc))
        else:
            if received.outcome == MERGED:
                messages.info(request, "该人员已有未办结的预警，本次预警已合并到该预警。")
            elif received.outcome == UNCHANGED and not form.cleaned_data["source_id"]:
                messages.info(request, SENT_TWICE)
            elif received.outcome == UNCHANGED:
                messages.info(request, "该来源的这一预警编号此前已接收，未作改动。")
            else:
                messages.success(request, "预警已录入并定级、派发。")
            for _column, notice in received.notices:
                messages.warning(request, notice)
            return redirect("warning_detail", pk=received.warning.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "warnings/warning_form.html", {"form": form}, status=status)
