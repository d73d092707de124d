"""The body of the job "numbers.run": decrypt the stored files, run the engine, store the results.

The stored files are deleted whatever the outcome. Results are written in one transaction.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from fanzha.audit.services import audit_record
from fanzha.core.pii.crypto import PiiDecryptError, decrypt_bytes
from fanzha.core.pii.masking import mask_phone
from fanzha.jobs.models import FINISHED_STATUSES
from fanzha.jobs.registry import JobFailed
from fanzha.numbers.models import (
    IndicatorProposal,
    PotentialVictim,
    ProposalStatus,
    RunStatus,
    RunUpload,
    ScoredNumber,
    ScoringRun,
)
from fanzha.numbers.quality import run_message
from fanzha.numbers.scratch import remove_leftovers, scratch_dir
from fanzha.numbers.services import number_hash, upload_context
from fanzha.screening.numbers.features import InputError
from fanzha.screening.numbers.victims import SEPARATOR, reasons_zh

if TYPE_CHECKING:  # the engine (LightGBM, scikit-learn) is imported by the job that runs it, not at start-up
    from fanzha.numbers import engine

UNREADABLE = "待处理的文件已无法读取（可能已更换密钥），请重新上传"
ERROR = "处理时出错，未保存结果；请检查文件或联系管理员"
# shown after the page's own "研判失败：" — so without a prefix of its own
INTERRUPTED = "后台任务已中断（进程失联或任务被取消），未保存结果；请重新上传"


def _write_files(run: ScoringRun, scratch: Path, names: dict[Path, str]) -> dict[str, list[Path]]:
    """The run's files decrypted into the scratch folder, by kind; ``names`` gets each path's name as
    uploaded (the n-th stored file of a kind is the n-th of that kind in ``run.files``)."""
    files: dict[str, list[Path]] = {}
    for upload in RunUpload.objects.filter(run=run).order_by("id"):
        try:
            data = decrypt_bytes(bytes(upload.payload), context=upload_context(run.pk, upload.kind))
        except PiiDecryptError:
            raise JobFailed(UNREADABLE) from None
        path = scratch / f"{upload.kind}-{upload.pk}{upload.suffix}"
        path.write_bytes(data)
        files.setdefault(upload.kind, []).append(path)
    if not files:
        raise JobFailed(UNREADABLE)
    for kind, paths in files.items():
        uploaded = [str(f.get("name") or "") for f in run.files or [] if f.get("kind") == kind]
        for path, name in zip(paths, uploaded, strict=False):
            names[path] = name or path.name
    return files


def numbers_run_queued(*, run_id: int, report: engine.Report) -> dict[str, Any]:
    from fanzha.numbers import engine  # noqa: PLC0415 - heavy: only in the process that runs the job

    run = ScoringRun.objects.filter(pk=run_id).first()
    if run is None:
        return {"run_id": run_id, "status": "missing"}
    if run.status in (RunStatus.SUCCEEDED, RunStatus.FAILED):
        RunUpload.objects.filter(run=run).delete()
        return _outcome(run)
    ScoringRun.objects.filter(pk=run_id).update(status=RunStatus.RUNNING, started_at=timezone.now())
    report(5, "正在读取文件")
    remove_leftovers()  # an earlier attempt's, its worker killed: the extract in clear
    try:
        with scratch_dir(run_id) as scratch:
            names: dict[Path, str] = {}  # the page names a file as uploaded, never by its scratch path
            files = _write_files(run, Path(scratch), names)
            result = engine.run_engine(files, Path(scratch), report, names=names)
    except InputError as exc:
        numbers_fail(run_id=run_id, message=f"文件不可用：{exc}")
        raise JobFailed(str(exc)) from None
    report(90, "正在保存结果")
    numbers_store(run_id=run_id, result=result)
    run.refresh_from_db()
    return _outcome(run)


def _outcome(run: ScoringRun) -> dict[str, Any]:
    return {
        "run_id": run.pk,
        "status": run.status,
        "numbers": run.numbers_total,
        "high_risk": run.high_risk_count,
        "victims": run.victims_count,
    }


RECORDS_ZONE = ZoneInfo("Asia/Shanghai")  # the cleaned records' times: China time, whatever the site's zone


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    if value is None or not isinstance(value, dt.datetime):
        return None
    return value if timezone.is_aware(value) else timezone.make_aware(value, RECORDS_ZONE)


def _victim(run: ScoringRun, rank: int, row: dict[str, Any]) -> PotentialVictim:
    number = str(row["phone"])
    return PotentialVictim(
        run=run,
        number=number,
        number_hash=number_hash(number),
        rank=rank,
        grade=row["grade"],
        priority=float(row["priority"] or 0),
        risk_numbers=int(row["risk_numbers"] or 0),
        max_score=float(row["max_score"] or 0),
        calls=int(row["calls"] or 0),
        answered_calls=int(row["answered_calls"] or 0),
        total_duration=float(row["total_duration"] or 0),
        longest_call=float(row["longest_call"] or 0),
        sms=int(row["sms"] or 0),
        callbacks=int(row["callbacks"] or 0),
        callback_duration=float(row.get("callback_duration") or 0),
        first_contact=_aware(row.get("first_contact")),
        last_contact=_aware(row.get("last_contact")),
        reasons=reasons_zh(row, show=mask_phone),  # stored in clear: the high-risk numbers masked
        suspect_numbers="\n".join(n for n in str(row.get("suspect_numbers") or "").split(SEPARATOR) if n),
    )


SentLinks = dict[str, tuple[int | None, dt.datetime | None]]  # victim's number hash → warning, sent at


def _sent_links(run: ScoringRun) -> SentLinks:
    """The run's victims already sent to warnings (kept across a store again)."""
    sent = run.victims.filter(Q(sent_at__isnull=False) | Q(warning__isnull=False))
    return {v.number_hash: (v.warning_id, v.sent_at) for v in sent}


def _store_rows(run: ScoringRun, result: engine.EngineResult, sent: SentLinks) -> int:
    """The run's scored numbers, potential victims (those already sent keep their warning) and proposals;
    returns how many proposals it holds."""
    ScoredNumber.objects.bulk_create(
        ScoredNumber(
            run=run,
            number=str(row["number"]),
            number_hash=number_hash(str(row["number"])),
            rank=rank,
            score=row["score"],
            is_high_risk=row["is_high_risk"],
            reasons=row["reasons"],
        )
        for rank, row in enumerate(result.scored, start=1)
    )
    victims = [_victim(run, rank, row) for rank, row in enumerate(result.victims, 1)]
    for victim in victims:
        victim.warning_id, victim.sent_at = sent.get(victim.number_hash, (None, None))
    PotentialVictim.objects.bulk_create(victims)
    return _store_proposals(run, result.proposals)


def _store_proposals(run: ScoringRun, proposals: list[dict[str, Any]]) -> int:
    """The run's proposals, one pending proposal a number across runs: a number pending from an earlier
    run is moved to this run with its new score and evidence (the earlier run's kept in ``moved_from``);
    one pending on a later run (this run stored again after it) stays there (_note_place);
    a number already confirmed (on the list) is not proposed again, nor one rejected on the very same
    score and evidence. Stored again (a retried job), the run keeps what it holds — proposals moved into
    it, decisions made on it; a pending proposal the results no longer name goes back to the run it was
    moved from, with that run's score and evidence (_give_back), and one the run made itself is
    deleted. Returns how many it holds."""
    hashes = {number_hash(str(row["value"])): row for row in proposals}
    earlier = (
        IndicatorProposal.objects.select_for_update()
        .filter(number_hash__in=hashes, run__organisation_id=run.organisation_id)
        .order_by("id")
    )
    by_hash: dict[str, list[IndicatorProposal]] = {}
    for found in earlier:
        by_hash.setdefault(found.number_hash, []).append(found)
    new, moved_from = [], set()
    for digest, row in hashes.items():
        score, evidence = float(row["score"]), list(row["evidence"])
        known = by_hash.get(digest, [])
        if any(p.status == ProposalStatus.CONFIRMED for p in known) or any(
            p.status == ProposalStatus.REJECTED and _same_evidence(p, score, evidence) for p in known
        ):
            continue
        pending = next((p for p in known if p.status == ProposalStatus.PENDING), None)
        if pending is not None and pending.run_id > run.pk:  # a later run holds it: this one is stored again
            _note_place(pending, run, score, evidence)
            continue
        if pending is not None:
            if pending.run_id != run.pk:
                moved_from.add(pending.run_id)
                pending.moved_from = [*pending.moved_from, _place(pending)]
            pending.run, pending.score, pending.evidence = run, score, evidence
            pending.save(update_fields=["run", "score", "evidence", "moved_from"])
            continue
        number = str(row["value"])
        new.append(
            IndicatorProposal(run=run, number=number, number_hash=digest, score=score, evidence=evidence)
        )
    IndicatorProposal.objects.bulk_create(new)
    stale = run.proposals.filter(status=ProposalStatus.PENDING).exclude(number_hash__in=hashes)
    for proposal in stale:  # stored again with other results: what they no longer name
        moved_from.add(_give_back(proposal, run))
    moved_from.discard(None)
    for earlier_run in moved_from:  # their pages list what they hold now
        left = IndicatorProposal.objects.filter(run_id=earlier_run).count()
        ScoringRun.objects.filter(pk=earlier_run).update(proposals_count=left)
    return run.proposals.count()


def _place(proposal: IndicatorProposal) -> dict[str, Any]:
    """Where a pending proposal is before it moves: its run, score and evidence."""
    return {"run": proposal.run_id, "score": proposal.score, "evidence": list(proposal.evidence)}


def _note_place(proposal: IndicatorProposal, run: ScoringRun, score: float, evidence: list[str]) -> None:
    """An earlier run stored again names a proposal a later run holds: the proposal stays where it is;
    the earlier run's new score and evidence are what it goes back with (``moved_from``, earliest run
    first, so the latest still there is given back first)."""
    places = [p for p in proposal.moved_from if p["run"] != run.pk]
    places.append({"run": run.pk, "score": score, "evidence": evidence})
    proposal.moved_from = sorted(places, key=lambda place: place["run"])
    proposal.save(update_fields=["moved_from"])


def _give_back(proposal: IndicatorProposal, run: ScoringRun) -> int | None:
    """A pending proposal the run's results no longer name: back to the latest run of the organisation
    it was moved from that still exists, with that run's score and evidence (returns that run); deleted
    when it was the run's own (None)."""
    places = list(proposal.moved_from)
    while places:
        place = places.pop()
        if ScoringRun.objects.filter(pk=place["run"], organisation_id=run.organisation_id).exists():
            proposal.run_id, proposal.moved_from = place["run"], places
            proposal.score, proposal.evidence = float(place["score"]), list(place["evidence"])
            proposal.save(update_fields=["run", "score", "evidence", "moved_from"])
            return proposal.run_id
    proposal.delete()
    return None


def _same_evidence(proposal: IndicatorProposal, score: float, evidence: list[str]) -> bool:
    """The score and evidence are the proposal's, or those of a run it moved from: a number rejected
    after it moved is not proposed again on evidence it carried before (the extract uploaded again)."""
    places = [_place(proposal), *proposal.moved_from]
    return any(
        round(float(place["score"]), 4) == round(score, 4) and list(place["evidence"]) == evidence
        for place in places
    )


@transaction.atomic
def numbers_store(*, run_id: int, result: engine.EngineResult) -> ScoringRun:
    """Replace the run's results (a retry starts clean, but for the victims already sent to warnings and
    the proposals it holds), mark it done, delete its stored files."""
    run = ScoringRun.objects.select_for_update().get(pk=run_id)
    sent = _sent_links(run)  # a victim already sent stays sent
    for related in (run.scored, run.victims):  # its proposals are reconciled, not replaced
        related.all().delete()
    proposals = _store_rows(run, result, sent)
    run.status = RunStatus.SUCCEEDED
    run.finished_at = timezone.now()
    run.numbers_total = result.numbers_total
    run.high_risk_count = result.high_risk_count
    run.victims_count = max(result.victims_total, len(result.victims))  # all found; the list keeps the first
    run.proposals_count = proposals
    run.threshold = result.threshold
    run.quality = result.quality
    run.message = run_message(result.quality)
    run.save()
    RunUpload.objects.filter(run=run).delete()
    return run


@transaction.atomic
def numbers_fail(*, run_id: int, message: str) -> bool:
    """Mark an unfinished run failed and delete its stored files; audited."""
    updated = ScoringRun.objects.filter(pk=run_id, status__in=[RunStatus.QUEUED, RunStatus.RUNNING]).update(
        status=RunStatus.FAILED, message=message[:2000], finished_at=timezone.now()
    )
    RunUpload.objects.filter(run_id=run_id).delete()
    transaction.on_commit(remove_leftovers)  # what a killed worker left of the run
    if updated:
        run = ScoringRun.objects.get(pk=run_id)
        audit_record(actor=None, action="numbers.fail", obj=run, details={"job": run.job_id})
    return bool(updated)


def numbers_settle(*, run: ScoringRun) -> bool:
    """Fail an unfinished run whose job has ended without it (the worker died on the last attempt, the
    job was cancelled), so that no page shows it running for ever. True when it was failed now."""
    active = run.status in (RunStatus.QUEUED, RunStatus.RUNNING)
    if not active or run.job is None or run.job.status not in FINISHED_STATUSES:
        return False
    failed = numbers_fail(run_id=run.pk, message=INTERRUPTED)
    run.refresh_from_db()
    return failed


SWEEP_TASK = "numbers.sweep_stale"


def numbers_sweep_stale() -> dict[str, int]:
    """Settle every unfinished run whose job has ended (:func:`numbers_settle`); run on a schedule, so a
    run nobody looks at does not stay "running" either. Then remove the scratch folders killed workers
    left (``removed``; a page may have failed the run on another host)."""
    active = ScoringRun.objects.filter(
        status__in=(RunStatus.QUEUED, RunStatus.RUNNING), job__status__in=FINISHED_STATUSES
    ).select_related("job")
    failed = sum(numbers_settle(run=run) for run in active)
    return {"failed": failed, "removed": remove_leftovers()}
