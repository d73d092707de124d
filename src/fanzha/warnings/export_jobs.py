"""Exports made by the worker: the list's and the feedback's, when they hold more rows than
``settings.EXPORT_INLINE_ROWS`` (a city's month took 50 s in the request, past the proxy's 60 s).

The request stores what was asked (:class:`WarningExport`: the filters as the list applied them, or the
feedback form's source, period and format — codes and dates, no personal data; the job's own arguments
are the export's id only) and queues the job "warnings.export". The job checks again that the requester
may export, builds the file with the same builders as the request (``exports.list_made``,
``exports.feedback_made``: the same bytes, audited ``pii.export`` as the requester), stores it encrypted
with the personal-data key under ``var/exports`` and notifies the requester, who downloads it from
我的导出 (only they; each download audited ``export.download``). A file expires after
:data:`KEEP`; the sweep "warnings.exports_sweep" deletes expired files, those no ready export names, and
fails the exports whose job ended without them.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from fanzha.audit.services import audit_record
from fanzha.core import access
from fanzha.core.exports import CSV_TYPE
from fanzha.core.models import Area
from fanzha.core.pii.crypto import decrypt_bytes, encrypt_bytes
from fanzha.core.pii.masking import scrub_text
from fanzha.jobs.models import FINISHED_STATUSES
from fanzha.jobs.registry import JobFailed
from fanzha.jobs.services import job_enqueue, notify
from fanzha.warnings import exports, selectors, typology
from fanzha.warnings.intake import source_label
from fanzha.warnings.models import ExportKind, ExportStatus, Grade, Status, WarningExport

ProgressReport = Callable[[int, str], None]

RUN_TASK = "warnings.export"
SWEEP_TASK = "warnings.exports_sweep"
RUN_MAX_ATTEMPTS = 2  # a worker killed mid-file gets one more go
KEEP = timedelta(hours=24)  # a made file is downloadable this long, then deleted
ORPHAN_AGE = timedelta(hours=1)  # a file no ready export names, older than this: left by a failed commit
ACTIVE = (ExportStatus.QUEUED, ExportStatus.RUNNING)
# An active export without a job (its job deleted) this old is not going to be made.
STALE_WITHOUT_JOB = timedelta(hours=6)

NO_PERMISSION = "导出人已没有导出预警的权限（或账户、单位已停用），未生成文件"
ERROR = "生成导出文件时出错，未生成文件；请重新导出或联系管理员"
INTERRUPTED = "后台任务已中断（进程失联或任务被取消），未生成文件；请重新导出"
UNREADABLE = "导出文件已无法读取（已过期删除，或密钥已更换），请重新导出"
PERSONAL_FILTERS = "筛选条件中含有身份证号、手机号或银行卡号，不能在后台导出；请去掉该条件后再导出"


def queued_message(rows: int) -> str:
    return f"导出共 {rows} 条，已在后台生成，完成后会在通知中提供下载链接"


def export_dir() -> Path:
    """Where the made files are kept (read at call time: tests and deployments move ``VAR_DIR``)."""
    return Path(settings.VAR_DIR) / "exports"


def file_context(export_id: int) -> bytes:
    """Associated data binding an encrypted file to its export."""
    return f"warnings.export:{export_id}".encode("ascii")


def goes_to_worker(rows: int) -> bool:
    return rows > settings.EXPORT_INLINE_ROWS


def feedback_params(source: str, start: dt.date, end: dt.date, fmt: str) -> dict[str, str]:
    return {"source": source, "start": start.isoformat(), "end": end.isoformat(), "format": fmt}


# ── asked for ────────────────────────────────────────────────────────────────


@transaction.atomic
def export_enqueue(*, actor: Any, kind: str, params: dict[str, str], rows: int) -> WarningExport:
    """A queued export of ``kind`` with the filters ``params``, and the job "warnings.export" that makes
    it. Filters that would store personal data (a phone number typed as a source) are refused."""
    access.require(actor, "warning.export")
    encoded = json.dumps(params, ensure_ascii=False, sort_keys=True)
    if scrub_text(encoded) != encoded:
        raise ValidationError(PERSONAL_FILTERS)
    export = WarningExport.objects.create(kind=kind, requested_by=actor, params=params, rows=rows)
    export.job = job_enqueue(
        actor=actor, kind=RUN_TASK, args={"export_id": export.pk}, max_attempts=RUN_MAX_ATTEMPTS
    )
    export.save(update_fields=["job"])
    return export


# ── the job ──────────────────────────────────────────────────────────────────


def export_run_queued(*, export_id: int, report: ProgressReport) -> dict[str, Any]:
    """The body of "warnings.export": make the file as its requester, now, store it and tell them."""
    export = WarningExport.objects.select_related("requested_by__organisation").filter(pk=export_id).first()
    if export is None:
        return {"export_id": export_id, "status": "missing"}
    if export.status not in ACTIVE:  # already settled (a retry after the end, or the sweep)
        return _outcome(export)
    WarningExport.objects.filter(pk=export_id).update(status=ExportStatus.RUNNING)
    if not access.user_can(export.requested_by, "warning.export"):
        export_fail(export_id=export_id, message=NO_PERMISSION)
        raise JobFailed(NO_PERMISSION)
    report(5, f"正在生成：{export.get_kind_display()}，约 {export.rows} 条")
    made = _make(export)  # read outside a transaction: on SQLite one holds the write lock (list_made)
    content = made.content()
    # Still this worker's job? A worker paused past its heartbeat lost it (the job then retried or
    # failed, the export failed by the sweep): JobLost, and its file is not stored.
    report(90, f"正在保存：{made.rows} 条")
    if not _store(export, made, content):
        export.refresh_from_db()  # settled meanwhile (failed, or made by another attempt): left as it is
    return _outcome(export)


def _make(export: WarningExport) -> exports.Made:
    """The file, built as the request would for the requester's permissions and jurisdiction now."""
    user, params = export.requested_by, export.params
    if export.kind == ExportKind.FEEDBACK:
        return exports.feedback_made(
            actor=user,
            source=params["source"],
            start=dt.date.fromisoformat(params["start"]),
            end=dt.date.fromisoformat(params["end"]),
            fmt=params["format"],
            export_id=export.pk,
        )
    qs, applied = selectors.filtered(user, params)
    return exports.list_made(actor=user, qs=qs, applied=applied, export_id=export.pk)


def _store(export: WarningExport, made: exports.Made, content: bytes) -> bool:
    """The file encrypted under ``var/exports`` and the export ready until it expires, its requester
    told; False (the file deleted) when the export was settled meanwhile."""
    name = _write_file(export.pk, content)  # left by a commit that fails: the sweep's (ORPHAN_AGE)
    with transaction.atomic():
        ready = _settle_ready(export, made, name, len(content))
        if ready:
            _notify_ready(export)
    if not ready:
        (export_dir() / name).unlink(missing_ok=True)
    return ready


def _write_file(export_id: int, content: bytes) -> str:
    """``content`` encrypted in a new file of ``var/exports`` (written whole, then renamed into place)."""
    folder = export_dir()
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    name = f"{export_id}-{secrets.token_hex(8)}.enc"
    part = folder / f"{name}.part"
    descriptor = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(encrypt_bytes(content, context=file_context(export_id)))
    os.replace(part, folder / name)
    return name


def _settle_ready(export: WarningExport, made: exports.Made, name: str, size: int) -> bool:
    """The export ready with the file ``name``, if it is still queued or running."""
    now = timezone.now()
    values = {
        "status": ExportStatus.READY,
        "stored_name": name,
        "filename": made.filename,
        "rows": made.rows,
        "size": size,
        "message": "",
        "finished_at": now,
        "expires_at": now + KEEP,
    }
    if not WarningExport.objects.filter(pk=export.pk, status__in=ACTIVE).update(**values):
        return False
    for field, value in values.items():
        setattr(export, field, value)
    return True


def _notify_ready(export: WarningExport) -> None:
    hours = int(KEEP.total_seconds() // 3600)
    notify(
        recipients=[export.requested_by],
        title=f"导出已完成：{export.get_kind_display()}（{export.rows} 条）",
        body=f"文件“{export.filename}”已生成，请在“我的导出”中下载；{hours} 小时后自动删除。",
        link=reverse("warning_exports"),
        level="success",
    )


def _outcome(export: WarningExport) -> dict[str, Any]:
    return {"export_id": export.pk, "status": export.status, "rows": export.rows}


@transaction.atomic
def export_fail(*, export_id: int, message: str) -> bool:
    """Mark an unfinished export failed, saying why, and tell its requester; False when it had ended."""
    updated = WarningExport.objects.filter(pk=export_id, status__in=ACTIVE).update(
        status=ExportStatus.FAILED, message=message[:500], finished_at=timezone.now()
    )
    if updated:
        export = WarningExport.objects.select_related("requested_by").get(pk=export_id)
        notify(
            recipients=[export.requested_by],
            title=f"导出未完成：{export.get_kind_display()}",
            body=message,
            link=reverse("warning_exports"),
            level="warning",
        )
    return bool(updated)


# ── download ─────────────────────────────────────────────────────────────────


def is_downloadable(export: WarningExport, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    return export.status == ExportStatus.READY and export.expires_at is not None and export.expires_at > now


def content_type(export: WarningExport) -> str:
    return CSV_TYPE if export.filename.endswith(".csv") else exports.XLSX_TYPE


@transaction.atomic
def export_download(*, actor: Any, export: WarningExport) -> bytes:
    """The made file's bytes for its requester, audited ``export.download``. Raises
    :class:`~fanzha.core.pii.crypto.PiiDecryptError` or ``OSError`` when it cannot be read."""
    access.require(actor, "warning.export")
    if export.requested_by_id != actor.pk or not is_downloadable(export):
        raise PermissionDenied("warning.export")
    data = decrypt_bytes((export_dir() / export.stored_name).read_bytes(), context=file_context(export.pk))
    audit_record(
        actor=actor, action="export.download", obj=export, details={"kind": export.kind, "rows": export.rows}
    )
    return data


# ── the sweep ────────────────────────────────────────────────────────────────


def exports_sweep(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Delete the files past their time (the export ``expired``), the files no ready export names (left
    by a commit that failed, or by an export the retention purge deleted), and fail the exports whose
    job ended without them (or lost its job long ago)."""
    now = now or timezone.now()
    active = WarningExport.objects.filter(status__in=ACTIVE)
    ended = active.filter(job__status__in=FINISHED_STATUSES).values_list("pk", flat=True)
    lost = active.filter(job__isnull=True, created_at__lt=now - STALE_WITHOUT_JOB).values_list(
        "pk", flat=True
    )
    failed = sum(export_fail(export_id=pk, message=INTERRUPTED) for pk in [*ended, *lost])
    expired = 0
    for export in WarningExport.objects.filter(status=ExportStatus.READY, expires_at__lte=now):
        (export_dir() / export.stored_name).unlink(missing_ok=True)
        expired += WarningExport.objects.filter(pk=export.pk, status=ExportStatus.READY).update(
            status=ExportStatus.EXPIRED, stored_name=""
        )
    return {"failed": failed, "expired": expired, "removed": _remove_orphans(now)}


def _remove_orphans(now: dt.datetime) -> int:
    folder = export_dir()
    if not folder.is_dir():
        return 0
    named = set(WarningExport.objects.filter(status=ExportStatus.READY).values_list("stored_name", flat=True))
    cutoff = (now - ORPHAN_AGE).timestamp()
    removed = 0
    for path in folder.iterdir():
        if path.is_file() and path.name not in named and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            removed += 1
    return removed


# ── what the page says of an export ──────────────────────────────────────────
FILTER_NAMES = {
    "area": "区划",
    "grade": "等级",
    "status": "状态",
    "source": "来源",
    "fraud_type": "类型",
    "start": "接收自",
    "end": "至",
    "batch": "导入批次",
}


def area_names(exports_: list[WarningExport]) -> dict[str, str]:
    """The names of the areas the exports filter by, read in one query."""
    ids = {e.params["area"] for e in exports_ if e.kind == ExportKind.LIST and "area" in e.params}
    return {str(pk): name for pk, name in Area.objects.filter(pk__in=ids).values_list("pk", "name")}


def described(export: WarningExport, areas: dict[str, str]) -> str:
    """What was asked, in words: 上级推送 2026-11-01 至 2026-11-30（XLSX）; 等级 中、接收自 2026-11-01
    (``areas``: :func:`area_names`)."""
    params = export.params
    if export.kind == ExportKind.FEEDBACK:
        period = f"{params['start']} 至 {params['end']}"
        return f"{source_label(params['source'])} {period}（{params['format'].upper()}）"
    # In the list's order, not the stored one: PostgreSQL's jsonb keeps its keys by length, then bytes.
    words = [f"{label} {_shown(k, params[k], areas)}" for k, label in FILTER_NAMES.items() if k in params]
    if params.get("queue") == "1":
        words.append("中心待分派")
    return "、".join(words) or "全部预警"


def _shown(name: str, value: str, areas: dict[str, str]) -> str:
    if name == "grade":
        return str(dict(Grade.choices).get(value, value))
    if name == "status":
        return str(dict(Status.choices).get(value, value))
    if name == "source":
        return source_label(value)
    if name == "fraud_type":
        return str(dict(typology.choices()).get(value, value))
    if name == "area":
        return areas.get(value, f"#{value}")
    return f"#{value}" if name == "batch" else value
