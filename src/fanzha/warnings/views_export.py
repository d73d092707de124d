"""Exports: the feedback list per source and period, the centre's filtered list (masked)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from fanzha.core import access
from fanzha.warnings import exports, selectors
from fanzha.warnings.forms import FeedbackForm
from fanzha.warnings.intake import source_label
from fanzha.warnings.models import WarningSourceRef


@login_required
def warning_feedback(request: HttpRequest) -> HttpResponse:
    access.require(request.user, "warning.export")
    seen = WarningSourceRef.objects.values_list("source", flat=True).distinct().order_by("source")
    sources = [(code, source_label(code)) for code in seen] or [("superior", source_label("superior"))]
    today = timezone.localdate()
    bound = "source" in request.GET
    form = FeedbackForm(
        request.GET if bound else None,
        sources=sources,
        initial={"start": today.replace(day=1), "end": today, "format": "xlsx"},
    )
    if bound and form.is_valid():
        data = form.cleaned_data
        return exports.export_feedback(
            actor=request.user,
            source=data["source"],
            start=data["start"],
            end=data["end"],
            fmt=data["format"],
        )
    return render(request, "warnings/feedback.html", {"form": form}, status=400 if bound else 200)


# Rows one export builds in memory: well under Excel's 1,048,576 and a worker's memory; more is a
# filter to narrow (a month, a township), not a spreadsheet anyone reads.
EXPORT_MAX_ROWS = 200_000


@login_required
def warning_export(request: HttpRequest) -> HttpResponse:
    access.require(request.user, "warning.export")
    qs, applied = selectors.filtered(request.user, request.GET)
    count = qs.count()
    if count > EXPORT_MAX_ROWS:
        messages.error(
            request,
            f"筛选结果有 {count} 条，超过一次导出的上限 {EXPORT_MAX_ROWS} 条；"
            "请按时间、区划等缩小范围后分批导出。",
        )
        return redirect(f"{reverse('warning_list')}?{request.GET.urlencode()}")
    return exports.export_list(actor=request.user, qs=qs, applied=applied)
