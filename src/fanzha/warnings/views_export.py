"""Exports: the feedback list per source and period, the centre's filtered list (masked); above
``settings.EXPORT_INLINE_ROWS`` rows made by the worker and downloaded from 我的导出."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from fanzha.core import access
from fanzha.core.exports import as_attachment
from fanzha.core.pii.crypto import PiiDecryptError
from fanzha.warnings import export_jobs, exports, selectors
from fanzha.warnings.forms import FeedbackForm
from fanzha.warnings.intake import source_label
from fanzha.warnings.models import ExportKind, WarningExport

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


def _in_background(
    request: HttpRequest, back: HttpResponse, kind: str, params: dict[str, str], rows: int
) -> HttpResponse:
    """Queue the export for the worker and go ``back`` at once, saying so (or why it cannot go)."""
    try:
        export_jobs.export_enqueue(actor=request.user, kind=kind, params=params, rows=rows)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return back
    messages.success(request, export_jobs.queued_message(rows))
    return back


def _feedback_file(request: HttpRequest, data: dict[str, Any], count: int) -> HttpResponseBase:
    """The feedback file in the response, or queued for the worker when it is long."""
    if export_jobs.goes_to_worker(count):
        params = export_jobs.feedback_params(data["source"], data["start"], data["end"], data["format"])
        back = redirect("warning_feedback")  # the form unbound: bound, it would export again
        return _in_background(request, back, ExportKind.FEEDBACK, params, count)
    return exports.export_feedback(
        actor=request.user, source=data["source"], start=data["start"], end=data["end"], fmt=data["format"]
    )


@login_required
def warning_feedback(request: HttpRequest) -> HttpResponseBase:
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
            return _feedback_file(request, data, count)
    status = 400 if form.errors else 200
    return render(request, "warnings/feedback.html", {"form": form, "nothing": nothing}, status=status)


@login_required
def warning_export(request: HttpRequest) -> HttpResponseBase:
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
    if export_jobs.goes_to_worker(count):
        return _in_background(request, back, ExportKind.LIST, applied, count)
    return exports.export_list(actor=request.user, qs=qs, applied=applied)


@login_required
def warning_exports(request: HttpRequest) -> HttpResponse:
    """我的导出: the exports the worker made or is making for the user, newest first."""
    access.require(request.user, "warning.export")
    page = Paginator(WarningExport.objects.visible_to(request.user), 50).get_page(request.GET.get("page"))
    now, areas = timezone.now(), export_jobs.area_names(list(page))
    for export in page:
        export.downloadable = export_jobs.is_downloadable(export, now)  # type: ignore[attr-defined]
        export.asked = export_jobs.described(export, areas)  # type: ignore[attr-defined]
    context = {"page": page, "inline_rows": settings.EXPORT_INLINE_ROWS}
    return render(request, "warnings/export_list.html", context)


@require_GET
@login_required
def warning_export_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The made file, for its requester only (anyone else: 404), each download audited."""
    access.require(request.user, "warning.export")
    export = access.get_visible_or_404(WarningExport.objects.all(), request.user, pk=pk)
    if not export_jobs.is_downloadable(export):
        messages.error(request, f"导出 #{export.pk} 的文件已过期或尚未生成，请重新导出。")
        return redirect("warning_exports")
    try:
        data = export_jobs.export_download(actor=request.user, export=export)
    except (PiiDecryptError, OSError):
        messages.error(request, export_jobs.UNREADABLE)
        return redirect("warning_exports")
    response = HttpResponse(data, content_type=export_jobs.content_type(export))
    return as_attachment(response, export.filename)
