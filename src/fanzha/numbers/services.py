"""Writes of 号码研判: submit an extract, send potential victims to warnings, decide proposals."""

from __future__ import annotations

import gzip
import hashlib
import io
import zlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from fanzha.audit.services import audit_record
from fanzha.core import access
from fanzha.core.pii.crypto import encrypt_bytes, search_hash
from fanzha.core.pii.masking import scrub_text
from fanzha.jobs.services import job_enqueue
from fanzha.numbers.models import (
    FileKind,
    IndicatorProposal,
    PotentialVictim,
    ProposalStatus,
    RunStatus,
    RunUpload,
    ScoringRun,
)
from fanzha.warnings.intake import Unusable, WarningInput, clean_warning
from fanzha.warnings.services import Intake, receive

PERMISSION = "numbers.analyse"
RUN_TASK = "numbers.run"
SUFFIXES = (".csv.gz", ".csv", ".parquet", ".pq")  # longest first: "voc.csv.gz" is gzipped, not ".gz"
GZIP_SUFFIXES = (".csv.gz",)  # gzipped CSV, as the engine (and `fanzha numbers`) reads any *.gz
# a gzipped file may decompress to this many times the upload limit (call records compress 5–10×);
# past it the file is refused at upload, so a gzip bomb never reaches the job's scratch folder
GZIP_MAX_FACTOR = 20
GZIP_CHUNK = 1 << 20
REFUSED_SUFFIX = "只接受 CSV 或 Parquet 文件（.csv、gzip 压缩的 .csv.gz、.parquet）"
WARNING_SOURCE = "screening"  # 筛查引擎; the source id says 号码研判 and the run
SOURCE_ID_PREFIX = "号码研判"


def require_run(actor: Any, run_id: int | None) -> None:
    """The actor may work on the run: it belongs to their organisation (ScoringRun.visible_to). The
    pages answer 404 before this; a service called from elsewhere is refused all the same."""
    access.require(actor, PERMISSION)
    if not ScoringRun.objects.visible_to(actor).filter(pk=run_id).exists():
        raise PermissionDenied("该研判不属于您的单位")


def upload_context(run_id: int, kind: str) -> bytes:
    return f"numbers.upload:{run_id}:{kind}".encode("ascii")


def number_hash(number: str) -> str:
    return search_hash("phone", number)


# ── submit ───────────────────────────────────────────────────────────────────


@dataclass
class UploadedFile:
    kind: str
    name: str
    data: bytes


def upload_suffix(name: str) -> str | None:
    """The file's kind by its name: one of SUFFIXES (``.csv.gz`` before ``.csv``), or None."""
    lowered = Path(name or "").name.lower()
    return next((suffix for suffix in SUFFIXES if lowered.endswith(suffix)), None)


def _check_file(upload: UploadedFile) -> str:
    suffix, name = upload_suffix(upload.name), shown_name(upload.name)  # one of several: say which
    if suffix is None:
        raise ValidationError({upload.kind: f"“{name}”：{REFUSED_SUFFIX}"})
    if not upload.data:
        raise ValidationError({upload.kind: f"“{name}”是空文件（0 字节），未保存"})
    if len(upload.data) > settings.IMPORT_MAX_BYTES:
        raise ValidationError({upload.kind: too_large(upload.name, len(upload.data))})
    if suffix in GZIP_SUFFIXES:
        _check_gzip(upload)
    elif suffix == ".csv":
        _check_not_a_document(upload)
    else:
        _check_parquet(upload)
    return suffix


MAX_FILES_PER_KIND = 12  # a year of monthly files


def upload_limit_mb() -> int:
    return settings.IMPORT_MAX_BYTES // 1024 // 1024


def too_large(name: str, size: int) -> str:
    """Why a file past the upload limit is refused, its size and what to do: a day of a county's calls
    (2 million records, ≈ 120 MB of CSV) is past the default 50 MB, and gzip or splitting gets it in."""
    mb, limit = size / 1024 / 1024, upload_limit_mb()
    return (
        f"“{shown_name(name)}”有 {mb:.1f} MB，超过每个文件 {limit} MB 的上限，未保存；"
        "请压缩为 .csv.gz（话单通常压缩到三分之一以下）"
        f"或拆分为多个文件后一并上传（每类最多 {MAX_FILES_PER_KIND} 个）"
    )


# a file saved as something else and named .csv, by its first bytes: refused at upload with what it is,
# not left to the job (a PDF failed the run with a list of "missing columns")
NOT_CSV = {
    b"%PDF-": "PDF 文件",
    b"PK\x03\x04": "Excel 工作簿（.xlsx）或 ZIP 压缩文件",
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1": "旧版 Excel（.xls）或 Word 文件",
    b"PAR1": "Parquet 文件",
}


def _check_not_a_document(upload: UploadedFile) -> None:
    """A .csv file is text, not a PDF, a workbook, a Parquet file or a gzipped CSV renamed."""
    if upload.data.startswith(GZIP_MAGIC):  # the engine would read it as text in an unknown encoding
        name = shown_name(upload.name)
        advice = "请把扩展名改为 .csv.gz（或解压）后上传，未保存"
        raise ValidationError({upload.kind: f"“{name}”是 gzip 压缩文件，不是 CSV；{advice}"})
    found = next((what for magic, what in NOT_CSV.items() if upload.data.startswith(magic)), None)
    if found is not None:
        name = shown_name(upload.name)
        raise ValidationError(
            {upload.kind: f"“{name}”是{found}，不是 CSV；请导出或另存为 CSV（UTF-8）后上传，未保存"}
        )


PARQUET_MAGIC = b"PAR1"  # a Parquet file starts and ends with it (its footer's length before the end)
GZIP_MAGIC = b"\x1f\x8b"
TEXT_HEAD = 4096  # bytes of a file named .parquet looked at to tell a renamed CSV


def _check_parquet(upload: UploadedFile) -> None:
    """A .parquet (.pq) file is one — not a CSV, a workbook or a gzip file renamed — and whole (its
    closing mark there): either is refused saying so, not left to the job to fail in DuckDB's English."""
    data, name = upload.data, shown_name(upload.name)
    if not data.startswith(PARQUET_MAGIC):
        raise ValidationError({upload.kind: f"“{name}”不是 Parquet 文件，{_what_it_is(data)}；未保存"})
    if len(data) < 2 * len(PARQUET_MAGIC) + 4 or not data.endswith(PARQUET_MAGIC):
        raise ValidationError(
            {upload.kind: f"“{name}”不完整（Parquet 文件末尾缺少结束标记，可能没有传完或已损坏），未保存"}
        )


def _what_it_is(data: bytes) -> str:
    """What a file named .parquet is instead, by its first bytes, and what to do."""
    others = {**NOT_CSV, GZIP_MAGIC: "gzip 压缩文件"}
    found = next((what for magic, what in others.items() if data.startswith(magic)), None)
    if found is not None:
        return f"是{found}；请按实际格式导出或命名后上传"
    if b"\0" not in data[:TEXT_HEAD]:
        return "像是 CSV 文本；如是 CSV，请把扩展名改为 .csv 后上传"
    return "文件开头没有 Parquet 标记；请按实际格式导出或命名后上传"


def _not_gzip(data: bytes) -> str:
    """What a file named .csv.gz is instead, by its first bytes, and what to do."""
    found = next((what for magic, what in NOT_CSV.items() if data.startswith(magic)), None)
    if found is not None:
        return f"是{found}；请导出或另存为 CSV（UTF-8）后上传"
    if b"\0" not in data[:TEXT_HEAD]:
        return "像是未压缩的 CSV 文本；请把扩展名改为 .csv 后上传"
    return "文件开头没有 gzip 标记；请按实际格式命名后上传"


def _check_gzip(upload: UploadedFile) -> None:
    """A gzipped CSV decompresses whole (no corrupt or cut-off stream), holds something, and stays within
    GZIP_MAX_FACTOR times the upload limit — read chunk by chunk, as the job's reader streams it, never
    the decompressed file in memory."""
    limit = settings.IMPORT_MAX_BYTES * GZIP_MAX_FACTOR
    name = shown_name(upload.name)  # a file named by a subscriber's number shows it masked
    if not upload.data.startswith(GZIP_MAGIC):  # whole, only not compressed: not "damaged"
        raise ValidationError(
            {upload.kind: f"“{name}”不是有效的 gzip 压缩文件：{_not_gzip(upload.data)}，未保存"}
        )
    try:
        size = _decompressed_size(upload.data, limit)
    except (OSError, EOFError, zlib.error):  # BadGzipFile is an OSError
        raise ValidationError(
            {upload.kind: f"“{name}”不是有效的 gzip 压缩文件（文件已损坏或不完整），未保存"}
        ) from None
    if size > limit:
        mb = limit // 1024 // 1024
        raise ValidationError({upload.kind: f"“{name}”解压后超过 {mb} MB 的上限，请拆分后上传，未保存"})
    if not size:
        raise ValidationError({upload.kind: f"“{name}”是空的（解压后没有内容），未保存"})


def _decompressed_size(data: bytes, limit: int) -> int:
    """The size of gzipped ``data`` decompressed, streamed; past ``limit`` it stops (returns more)."""
    total = 0
    with gzip.GzipFile(fileobj=io.BytesIO(data), mode="rb") as stream:
        while total <= limit and (chunk := stream.read(GZIP_CHUNK)):
            total += len(chunk)
    return total


def shown_name(name: str) -> str:
    """A file's name as kept and shown: operators name a one-subscriber extract by the number
    (“13905712345话单.csv”), so any phone, ID or card number in it is masked (“139****2345话单.csv”)."""
    return scrub_text(Path(name or "").name)[:120]


@transaction.atomic
def numbers_submit(*, actor: Any, files: list[UploadedFile]) -> ScoringRun:
    """A queued run, its files stored encrypted, and the job "numbers.run" that will score them."""
    access.require(actor, PERMISSION)
    if not any(f.kind == FileKind.CALLS for f in files):
        raise ValidationError({"calls": "必须上传话单文件"})
    suffixes = [_check_file(f) for f in files]
    described = [
        {
            "kind": f.kind,
            "name": shown_name(f.name),
            "size": len(f.data),
            "sha256": hashlib.sha256(f.data).hexdigest(),
        }
        for f in files
    ]
    for d in described:
        _note_uploaded_before(actor, d)
    run = ScoringRun.objects.create(created_by=actor, organisation=actor.organisation, files=described)
    for upload, suffix in zip(files, suffixes, strict=True):
        RunUpload.objects.create(
            run=run,
            kind=upload.kind,
            suffix=suffix,
            payload=encrypt_bytes(upload.data, context=upload_context(run.pk, upload.kind)),
            size=len(upload.data),
        )
    run.job = job_enqueue(actor=actor, kind=RUN_TASK, args={"run_id": run.pk}, max_attempts=2)
    run.save(update_fields=["job"])
    audit_record(
        actor=actor,
        action="numbers.submit",
        obj=run,
        details={"files": [{k: d[k] for k in ("kind", "size", "sha256")} for d in described]}
        | _repeated_details(described),
    )
    return run


def _note_uploaded_before(actor: Any, described: dict[str, Any]) -> None:
    """A file whose content (SHA-256) an earlier run of the organisation was given is still scored — an
    operator may send the same extract again on purpose — but the file's entry names the latest such
    run, when and by whom it was uploaded, and how many runs had it (``uploaded_before``)."""
    earlier = runs_with_file(actor, described["sha256"])
    if earlier:
        latest = earlier[0]
        described["uploaded_before"] = {
            "run": latest.pk,
            "at": latest.created_at.isoformat(),
            "by": str(latest.created_by or ""),
            "runs": len(earlier),
        }


def runs_with_file(actor: Any, sha256: str) -> list[ScoringRun]:
    """The runs the actor's organisation uploaded a file of this content to, newest first."""
    found = ScoringRun.objects.visible_to(actor).filter(files__icontains=sha256).select_related("created_by")
    return [run for run in found if any(f.get("sha256") == sha256 for f in run.files or [])]


def _repeated_details(described: list[dict[str, Any]]) -> dict[str, Any]:
    """The audit record's note of files uploaded before: the runs that had them."""
    before = sorted({d["uploaded_before"]["run"] for d in described if "uploaded_before" in d})
    return {"uploaded_before": before} if before else {}


def uploaded_before_notice(described: dict[str, Any]) -> str:
    """What the analyst is told of a file uploaded before, e.g. “voc.csv”与研判 #12 的文件相同（SHA-256
    一致）：analyst 于 2026-11-28 09:30 上传…; "" for a file no earlier run had."""
    before = described.get("uploaded_before")
    if not before:
        return ""
    at = timezone.localtime(datetime.fromisoformat(before["at"])).strftime("%Y-%m-%d %H:%M")
    by = before.get("by") or "（已删除的用户）"
    more = f"，此前共有 {before['runs']} 次研判用过该文件" if before.get("runs", 1) > 1 else ""
    return (
        f"“{described.get('name', '')}”与研判 #{before['run']} 的文件相同（SHA-256 一致）：{by} 于 {at} "
        f"上传{more}。本次仍照常研判，如为误传可不必处理结果。"
    )


# ── send potential victims to warning intake ────────────────────────────────

SEND_MAX = 500  # victims sent in one click


@dataclass
class SendResult:
    new: int = 0
    merged: int = 0
    unchanged: int = 0
    skipped: int = 0
    listed: int = 0  # themselves on the indicator list or proposed for it: not warned as victims

    @property
    def sent(self) -> int:
        return self.new + self.merged


def warning_input(run: ScoringRun, victim: PotentialVictim) -> WarningInput:
    """The warning as intake receives it: the number, the high-risk numbers that reached it, the
    contact facts, the reasons (Chinese)."""
    return WarningInput(
        source=WARNING_SOURCE,
        source_id=_source_id(run, victim),
        phone=victim.number,
        warned_at=victim.last_contact,
        suspect_numbers=victim.suspect_numbers,
        call_count=str(victim.calls),
        callback_count=str(victim.callbacks),
        notes=f"号码研判 #{run.pk}：{as_finding(victim.reasons)}",
    )


def as_finding(reasons: str) -> str:
    """The victim's reasons as a warning's notes and the run's page show them: the engine's grade named
    研判等级, not 预警等级 — the warning is graded by the centre's rules, and no page may show an
    预警等级 other than the warning's."""
    return reasons.replace("预警等级：", "研判等级：")


def _source_id(run: ScoringRun, victim: PotentialVictim) -> str:
    """号码研判:<run>:<number hash> — the run that first sent this very evidence about the person: the
    same extract scored again (or its victim sent again) is the same report to intake, not a new one."""
    earlier = _sent_before(run, victim)
    first_run = earlier.run_id if earlier is not None else run.pk
    return f"{SOURCE_ID_PREFIX}:{first_run}:{victim.number_hash}"[:100]


EVIDENCE_FIELDS = (
    "calls",
    "answered_calls",
    "callbacks",
    "sms",
    "total_duration",
    "longest_call",
    "first_contact",
    "last_contact",
)


def _sent_before(run: ScoringRun, victim: PotentialVictim) -> PotentialVictim | None:
    """The earliest victim row of another run of the organisation, sent to warnings, with the same
    number and the same evidence (contacts, times and the high-risk numbers)."""
    same = PotentialVictim.objects.filter(
        number_hash=victim.number_hash,
        run__organisation_id=run.organisation_id,
        sent_at__isnull=False,
        **{name: getattr(victim, name) for name in EVIDENCE_FIELDS},
    ).exclude(run=run)
    return next(
        (v for v in same.order_by("sent_at", "id") if v.suspect_numbers == victim.suspect_numbers), None
    )


def victim_reason(victim: PotentialVictim) -> str:
    """A short grade reason, e.g. 被 1 个高风险号码呼叫 5 次，回拨 2 次; reached by SMS only,
    收到 1 个高风险号码的短信 3 条 — never “呼叫 0 次”."""
    if not victim.calls:
        parts = [f"收到 {victim.risk_numbers} 个高风险号码的短信 {victim.sms} 条"]
    else:
        parts = [f"被 {victim.risk_numbers} 个高风险号码呼叫 {victim.calls} 次"]
    talk = victim.total_duration + victim.callback_duration  # the calls back are talk too
    if talk:
        parts.append(f"累计通话 {talk / 60:.1f} 分钟")
    if victim.sms and victim.calls:
        parts.append(f"收到短信 {victim.sms} 条")
    if victim.callbacks:
        parts.append(f"回拨 {victim.callbacks} 次")
    return "，".join(parts)


def victim_unusable(victim: PotentialVictim) -> str:
    """Why intake cannot take the victim as a warning — its number identifies nobody (a landline without
    its area code, a number abroad) — in Chinese with any number masked; "" when it can."""
    try:
        clean_warning(WarningInput(source=WARNING_SOURCE, source_id=SOURCE_ID_PREFIX, phone=victim.number))
    except Unusable as exc:
        return scrub_text(str(exc))
    return ""


def listed_victims(run: ScoringRun, victims: list[PotentialVictim]) -> set[str]:
    """The number hashes of ``victims`` that are themselves fraud numbers to the organisation: confirmed
    on its indicator list, or proposed for it and not yet decided (another run scored them high-risk).
    A warning would tell a fraud number's holder they are a victim; a rejected proposal does not count."""
    return set(
        IndicatorProposal.objects.filter(
            run__organisation_id=run.organisation_id,
            number_hash__in=[v.number_hash for v in victims],
            status__in=(ProposalStatus.CONFIRMED, ProposalStatus.PENDING),
        ).values_list("number_hash", flat=True)
    )


def _chosen(
    run: ScoringRun, victim_ids: list[int] | None, top: int | None, start: int | None
) -> list[PotentialVictim]:
    """The ticked victims, or ``top`` of them by rank from rank ``start`` (1: the first): a run keeps
    thousands, and one click sends at most SEND_MAX — the next click starts where it stopped. More
    than SEND_MAX is refused saying so, never cut silently (the second click would send the same)."""
    victims = run.victims.order_by("rank")
    if victim_ids:
        return list(victims.filter(pk__in=victim_ids)[:SEND_MAX])
    if top and top > SEND_MAX:
        first = start or 1
        raise ValidationError(
            f"一次最多发送 {SEND_MAX} 人（本次填写 {top} 人）；请分批发送：从第 {first} 名起 {SEND_MAX} 人，"
            f"再从第 {first + SEND_MAX} 名起，依此类推"
        )
    if top:
        return list(victims.filter(rank__gte=start or 1)[:top])
    raise ValidationError("请勾选潜在受害人，或填写要发送的前 N 名")


@transaction.atomic
def numbers_send_warnings(
    *,
    actor: Any,
    run: ScoringRun,
    victim_ids: list[int] | None = None,
    top: int | None = None,
    start: int | None = None,
) -> SendResult:
    """Send the chosen potential victims into warning intake, once each (source id: run + number hash):
    those ticked, or ``top`` (at most SEND_MAX) by rank from rank ``start``.

    The run's row is locked first and the victims read after it: of two sends of the run at once the
    second waits, then finds the victims sent (counted 此前已发送, their time sent left as it was) —
    on PostgreSQL; SQLite's writers already queue at ``BEGIN IMMEDIATE``."""
    require_run(actor, run.pk)
    access.require(actor, "warning.create")
    run = ScoringRun.objects.select_for_update().get(pk=run.pk)
    if run.status != RunStatus.SUCCEEDED:
        raise ValidationError("研判尚未完成，不能发送预警")
    intake, result, now = Intake(actor), SendResult(), timezone.now()
    sent_ids: list[int] = []
    chosen = _chosen(run, victim_ids, top, start)
    suspected = listed_victims(run, chosen)
    for victim in chosen:
        if victim.number_hash in suspected:
            result.listed += 1
            continue
        try:
            received = receive(intake=intake, data=warning_input(run, victim), now=now)
        except Unusable:
            result.skipped += 1
            continue
        setattr(result, received.outcome, getattr(result, received.outcome) + 1)
        if victim.warning_id is None:
            victim.warning, victim.sent_at = received.warning, now
            victim.save(update_fields=["warning", "sent_at"])
        sent_ids.append(received.warning.pk)
    intake.notices.flush()  # each assignee's one message commits with the warnings
    audit_record(
        actor=actor,
        action="numbers.send_warnings",
        obj=run,
        details={**result.__dict__, "warnings": sent_ids[:SEND_MAX]},
    )
    return result


# ── indicator proposals ──────────────────────────────────────────────────────


def _listed(proposal: IndicatorProposal) -> bool:
    """Whether the number is already on the list: a confirmed proposal of the organisation's runs."""
    return (
        IndicatorProposal.objects.filter(
            number_hash=proposal.number_hash,
            status=ProposalStatus.CONFIRMED,
            run__organisation_id=proposal.run.organisation_id,
        )
        .exclude(pk=proposal.pk)
        .exists()
    )


REASON_MAX = 500  # characters of a decision's reason


def _decided_already(proposal: IndicatorProposal) -> str:
    """Why a second decision is refused: who decided first, when, and how (the first one stands)."""
    who = str(proposal.decided_by or "他人")
    when = timezone.localtime(proposal.decided_at).strftime("%m-%d %H:%M") if proposal.decided_at else ""
    return f"该建议已由 {who} 于 {when} {proposal.get_status_display().removeprefix('已')}，未再更改"


@transaction.atomic
def numbers_proposal_decide(
    *, actor: Any, proposal: IndicatorProposal, confirm: bool, reason: str = ""
) -> IndicatorProposal:
    """A person confirms or rejects a pending proposal, with why (``reason``: kept on the proposal and in
    the audit record with any ID, phone or card number in it masked — the page shows it); audited."""
    locked = IndicatorProposal.objects.select_for_update().get(pk=proposal.pk)
    require_run(actor, locked.run_id)
    if locked.status != ProposalStatus.PENDING:
        raise ValidationError(_decided_already(locked))
    if confirm and _listed(locked):
        raise ValidationError("该号码已在涉诈名单中（已有确认的建议），无需再次确认")
    locked.status = ProposalStatus.CONFIRMED if confirm else ProposalStatus.REJECTED
    locked.decided_by, locked.decided_at = actor, timezone.now()
    locked.decision_reason = scrub_text(" ".join(reason.split())[:REASON_MAX])
    locked.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
    details = {"run": locked.run_id, "status": locked.status, "score": round(locked.score, 4)}
    audit_record(
        actor=actor,
        action="numbers.proposal_decide",
        obj=locked,
        details={**details, "reason": locked.decision_reason},
    )
    return locked
