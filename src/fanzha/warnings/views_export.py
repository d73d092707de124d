"""Exports: the feedback list per source and period, the centre's filtered list (masked)."""

from __future__ import annotations

from typing import Any

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

# Rows one export builds in memory: well under Excel's 1,048,576 and a worker's memory; more is a
# filter to narrow (a month, a township), not a spreadsheet anyone reads.
EXPORT_MAX_ROWS = 200_000


def _feedback_fits(form: FeedbackForm, count: int) -> bool:
    """Whether the period's feedback is within one export; else the form says how many and to split it."""
    if count <= EXPORT_MAX_ROWS:
        return True
    form.add_error(
        None, f"该时段共有 {count} 条，超过一次导出的上限 {EXPORT_MAX_ROWS} 条；请缩短时段后分批导出。"
    )
    return False


def nothing_to_feed_back(data: dict[str, Any]) -> str:
    """What the form says when the source and period hold no pushed warning the user sees, instead of a
    file of a header and no rows (“2026-11-03 至 2026-11-05 没有来自 上级推送 的预警，未生成文件。”)."""
    start, end = data["start"], data["end"]
    period = f"{start:%Y-%m-%d}" if start == end else f"{start:%Y-%m-%d} 至 {end:%Y-%m-%d}"
    return f"{period} 没有来自 {source_label(data['source'])} 的预警，未生成文件。"


@login_required
def warning_feedback(request: HttpRequest) -> HttpResponse:
    access.require(request.user, "warning.export")
    seen = exports.feedback_sources(request.user)
    sources = [(code, source_label(code)) for code in seen] or [("superior", source_label("superior"))]
    today = timezone.localdate()
    bound = "source" in request.GET
    form = FeedbackForm(
        request.GET if bound else None,
        sources=sources,
        initial={"start": today.replace(day=1), "end": today, "format": "xlsx"},
    )
    nothing = ""
    if bound and form.is_valid():
        data = form.cleaned_data
        count = exports.feedback_count(request.user, data["source"], data["start"], data["end"])
        if count == 0:
            nothing = nothing_to_feed_back(data)
        elif _feedback_fits(form, count):
            return exports.export_feedback(
                actor=request.user,
                source=data["source"],
                start=data["start"],
                end=data["end"],
                fmt=data["format"],
            )
    status = 400 if form.errors else 200
    return render(request, "warnings/feedback.html", {"form": form, "nothing": nothing}, status=status)


@login_required
def warning_export(request: HttpRequest) -> HttpResponse:
    access.require(request.user, "warning.export")
    back = redirect(f"{reverse('warning_list')}?{request.GET.urlencode()}")
    if selectors.period_problems(request.GET):  # the list says which; exporting without it is not asked for
        messages.error(request, "筛选的日期有误，未导出；请改正日期后再导出。")
        return back
    qs, applied = selectors.filtered(request.user, request.GET)
    count = qs.count()
    if count > EXPORT_MAX_ROWS:
        messages.error(
            request,
            f"筛选结果有 {count} 条，超过一次导出的上限 {EXPORT_MAX_ROWS} 条；"
            "请按时间、区划等缩小范围后分批导出。",
        )
        return back
    return exports.export_list(actor=request.user, qs=qs, applied=applied)
