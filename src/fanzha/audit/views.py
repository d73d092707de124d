"""Auditor pages: search, export, one record, chain verification. Nothing here edits or deletes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from fanzha.audit import selectors
from fanzha.audit.events import EVENT_TYPES
from fanzha.audit.forms import AuditSearchForm, filters_for_log
from fanzha.audit.models import AuditEvent
from fanzha.audit.services import audit_record, audit_verify_chain
from fanzha.core import access
from fanzha.core.exports import csv_response

PAGE_SIZE = 50
EXPORT_HEADER = [
    "编号",
    "时间",
    "操作人",
    "操作人单位",
    "事件",
    "事件说明",
    "对象类型",
    "对象ID",
    "对象",
    "字段",
    "详情",
    "IP",
    "请求ID",
    "渠道",
    "上一条哈希",
    "哈希",
]


@login_required
@require_safe
def audit_list(request: HttpRequest) -> HttpResponse:
    """Search the log (GET, non-personal filters only); every search is itself recorded."""
    access.require(request.user, "audit.view")
    form = AuditSearchForm(request.GET)
    page, rows = None, []
    if form.is_valid():
        filters = form.filters()
        page_number = request.GET.get("page") or "1"
        audit_record(
            actor=request.user,
            action="audit.search",
            details={"filters": filters_for_log(filters), "page": page_number[:10]},
        )
        events = selectors.audit_search(**filters)
        page = Paginator(events, PAGE_SIZE).get_page(page_number)
        rows = [(event, EVENT_TYPES.get(event.action, "")) for event in page]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/audit_list.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "query": query.urlencode(),
        },
        status=200 if page is not None else 400,
    )


def _export_rows(events: QuerySet[AuditEvent]) -> Iterator[list[Any]]:
    for e in events.iterator(chunk_size=2000):
        at = timezone.localtime(e.at).isoformat(timespec="seconds")
        yield [
            e.pk,
            at,
            e.actor_username,
            e.actor_organisation,
            e.action,
            EVENT_TYPES.get(e.action, ""),
            e.object_type,
            e.object_id,
            e.object_label,
            "、".join(e.fields),
            json.dumps(e.details, ensure_ascii=False, sort_keys=True),
            e.ip,
            e.request_id,
            e.channel,
            e.prev_hash,
            e.hash,
        ]


@login_required
@require_safe
def audit_export(request: HttpRequest) -> HttpResponse:
    """The current search as CSV, streamed; the export itself is recorded."""
    access.require(request.user, "audit.view")
    form = AuditSearchForm(request.GET)
    if not form.is_valid():
        return render(request, "audit/audit_list.html", {"form": form, "page": None}, status=400)
    filters = form.filters()
    audit_record(actor=request.user, action="audit.export", details={"filters": filters_for_log(filters)})
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    rows = _export_rows(selectors.audit_search(**filters))
    return csv_response(f"审计日志-{stamp}.csv", EXPORT_HEADER, rows)


@login_required
@require_safe
def audit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    access.require(request.user, "audit.view")
    event = get_object_or_404(AuditEvent, pk=pk)
    details = json.dumps(event.details, ensure_ascii=False, sort_keys=True, indent=2)
    return render(
        request,
        "audit/audit_detail.html",
        {
            "event": event,
            "event_label": EVENT_TYPES.get(event.action, ""),
            "details": details,
        },
    )


@login_required
@require_POST
def audit_verify(request: HttpRequest) -> HttpResponse:
    """Recompute the whole hash chain and show the result; the check itself is recorded."""
    access.require(request.user, "audit.view")
    report = audit_verify_chain()
    audit_record(
        actor=request.user,
        action="audit.verify",
        details={
            "ok": report.ok,
            "checked": report.checked,
            "first_bad_id": report.first_bad_id,
            "problem": report.problem,
            "head_hash": report.head_hash,
        },
    )
    return render(request, "audit/audit_verify.html", {"report": report})
