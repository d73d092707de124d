"""Import pages: upload → validate → commit all or nothing; batches, masked row errors, area export."""

from __future__ import annotations

import itertools
from typing import Any
from urllib.parse import quote, urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from fanzha.core import access
from fanzha.core.exports import csv_response
from fanzha.imports import selectors
from fanzha.imports.background import import_submit
from fanzha.imports.blanks import template_csv, template_xlsx
from fanzha.imports.columns import all_fields
from fanzha.imports.exports import AREA_HEADER, area_rows, areas_xlsx
from fanzha.imports.forms import UploadForm
from fanzha.imports.importers import get_importer
from fanzha.imports.importers.ledger import LedgerImporter, committed_summary
from fanzha.imports.importers.warnings import WarningImporter
from fanzha.imports.models import BatchStatus, ImportBatch
from fanzha.warnings import selectors as warning_selectors

ERROR_HEADER = ["行号", "列", "内容（已脱敏）", "问题"]
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
POLL_SECONDS = 2
QUEUED_MESSAGE = (
    "文件已通过初步检查，正在后台导入；本页会自动刷新进度，也可以先离开，稍后在导入记录中查看结果"
)


def _require_importer(user: object) -> None:
    if not selectors.can_import_anything(user):
        raise PermissionDenied("import")


def _batch(request: HttpRequest, pk: int) -> ImportBatch:
    _require_importer(request.user)
    return get_object_or_404(selectors.batches_visible_to(request.user).select_related("job"), pk=pk)


@login_required
def import_list(request: HttpRequest) -> HttpResponse:
    _require_importer(request.user)
    page = Paginator(selectors.batches_visible_to(request.user), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "imports/import_list.html",
        {
            "page": page,
            "importers": selectors.importers_for(request.user),
        },
    )


def _importer_allowed(request: HttpRequest, code: str) -> Any:
    """The importer named ``code`` (404 for none), if the user may upload with it (else refused)."""
    imp = get_importer(code)
    if imp is None:
        raise Http404("没有这种导入")
    access.require(request.user, imp.permission)
    return imp


@login_required
def import_upload(request: HttpRequest, importer: str) -> HttpResponse:
    imp = _importer_allowed(request, importer)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        result = import_submit(
            actor=request.user,
            importer=imp,
            file_name=upload.name or "",
            data=upload.read(),
            dry_run=form.cleaned_data["dry_run"],
        )
        if result.batch.status == BatchStatus.RUNNING:
            messages.info(request, QUEUED_MESSAGE)
        elif result.batch.status != BatchStatus.CHECKED:  # a check's page says 已检查（未导入）, once
            level = messages.SUCCESS if result.ok else messages.ERROR
            messages.add_message(request, level, result.batch.outcome_text)
        return redirect("import_detail", pk=result.batch.pk)
    status = 400 if request.method == "POST" else 200
    fields = [(f.label, f.required, "、".join(f.synonyms[:4])) for f in all_fields(imp.fields)]
    return render(
        request,
        "imports/import_upload.html",
        {"form": form, "importer": imp, "fields": fields},
        status=status,
    )


@login_required
def import_template(request: HttpRequest, importer: str) -> HttpResponse:
    """The importer's blank template (空白模板): XLSX, or ``?format=csv``; for whoever may upload it."""
    imp = _importer_allowed(request, importer)
    if request.GET.get("format") == "csv":
        response = HttpResponse(template_csv(imp), content_type="text/csv; charset=utf-8")
        name = f"{imp.label}导入模板.csv"
    else:
        response = HttpResponse(template_xlsx(imp), content_type=XLSX_TYPE)
        name = f"{imp.label}导入模板.xlsx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


@login_required
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The batch; while it runs, its job's progress, refreshed by htmx every two seconds."""
    batch = _batch(request, pk)
    context = {
        "batch": batch,
        "job": batch.job,
        "running": batch.status == BatchStatus.RUNNING,
        "poll_seconds": POLL_SECONDS,
        "errors": batch.errors[:200],
        "more_errors": max(len(batch.errors) - 200, 0),
        "notices": batch.notices[:200],
        "more_notices": max(len(batch.notices) - 200, 0),
        "columns": _columns_read(batch),
        "warnings_link": _warnings_link(request.user, batch),
        "ledger_summary": committed_summary(batch),
    }
    if getattr(request, "htmx", False):
        return render(request, "imports/_batch_status.html", context)
    return render(request, "imports/import_detail.html", context)


WARNING_IMPORTERS = (WarningImporter.code, LedgerImporter.code)  # the batches whose rows are warnings


def _warnings_link(user: Any, batch: ImportBatch) -> dict[str, Any] | None:
    """A committed warnings import's 本批预警: the list filtered by the batch, with how many of them the
    user sees there (None for another batch, or a user who may not view warnings)."""
    if batch.importer not in WARNING_IMPORTERS or batch.status != BatchStatus.COMMITTED:
        return None
    if not access.user_can(user, "warning.view"):
        return None
    count, more = warning_selectors.batch_count(user, batch.pk)
    return {"query": urlencode({"batch": batch.pk}), "count": count, "more": more}


def _columns_read(batch: ImportBatch) -> list[tuple[str, str]]:
    """The file's columns in order with the field each was read as (its label; "" for one not read)."""
    importer = get_importer(batch.importer)
    labels = {f.name: f.label for f in all_fields(importer.fields)} if importer is not None else {}
    return [(text, labels.get(name, name)) for text, name in batch.columns]


@login_required
def import_errors(request: HttpRequest, pk: int) -> HttpResponse:
    """The row errors, then the notices of rows imported with something to check, as CSV; values were
    masked when the errors were recorded, and notices quote none."""
    batch = _batch(request, pk)
    errors = (
        [e.get("row", ""), e.get("column", ""), e.get("value", ""), e.get("message", "")]
        for e in batch.errors
    )
    notices = (
        [n.get("row", ""), n.get("column", ""), "", f"（提示，已导入）{n.get('message', '')}"]
        for n in batch.notices
    )
    return csv_response(f"导入问题清单_{batch.pk}.csv", ERROR_HEADER, itertools.chain(errors, notices))


@login_required
def area_import(request: HttpRequest) -> HttpResponse:
    access.require(request.user, "area.manage")
    return redirect("import_upload", importer="areas")


@login_required
def area_export(request: HttpRequest) -> HttpResponse:
    """All areas as CSV (default) or ``?format=xlsx``, readable by the area importer."""
    access.require(request.user, "area.manage")
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(areas_xlsx(), content_type=XLSX_TYPE)
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote('行政区划.xlsx')}"
        return response
    return csv_response("行政区划.csv", AREA_HEADER, area_rows(), digits_as_text=True)
