"""A centre's history ledger (预警处置台账): warnings with the work done on them (docs/warnings.md §1,
台账导入). Read as a warning list, received through the same bulk intake (never merged: each ledger row
is a warning the centre handled on its own), then each row's work applied in the file's transaction
(:mod:`fanzha.warnings.ledger`)."""

from __future__ import annotations

import dataclasses
from typing import Any

from django.utils import timezone

from fanzha.audit.models import AuditEvent
from fanzha.imports.columns import Field
from fanzha.imports.importers.base import Row
from fanzha.imports.importers.warnings import FIELDS, WarningImporter
from fanzha.warnings import ledger, services
from fanzha.warnings.models import Contact, Outcome, Warning, WarningEvent

# 联系方式 is the way of contact in a ledger (电话/上门), not the person's phone as in a pushed list.
_PHONE_ONLY = tuple(s for s in next(f for f in FIELDS if f.name == "phone").synonyms if s != "联系方式")

WORK_FIELDS = [
    Field("acknowledged_at", "签收时间", ("签收日期", "接收签收时间", "acknowledged at")),
    Field(
        "contact_kind",
        "处置方式",
        ("联系方式", "劝阻方式", "处置形式", "劝阻形式", "contact kind", "contact method"),
    ),
    Field(
        "contacted_at",
        "联系时间",
        ("劝阻时间", "首次联系时间", "处置时间", "上门时间", "到达时间", "contacted at", "contact time"),
    ),
    Field(
        "outcome",
        "处置结果",
        ("劝阻结果", "处置情况", "劝阻情况", "反馈结果", "核查结果", "outcome", "result"),
    ),
    Field(
        "closed_at",
        "办结时间",
        ("办结日期", "完结时间", "处置完成时间", "办理完成时间", "closed at", "close time"),
    ),
    Field("unit", "处置单位", ("劝阻单位", "承办单位", "处置部门", "unit")),
    Field(
        "officer",
        "处置民警",
        ("劝阻人", "劝阻民警", "处置人", "处置人员", "承办民警", "承办人", "officer"),
        pii="name",
    ),
]
LEDGER_FIELDS = [
    dataclasses.replace(f, synonyms=_PHONE_ONLY) if f.name == "phone" else f for f in FIELDS
] + WORK_FIELDS


class LedgerImporter(WarningImporter):
    code = "warning_ledger"
    label = "预警处置台账（历史）"
    fields = LEDGER_FIELDS
    merging = False
    repushing = False  # a row received before is no push again: today's feedback does not owe it

    def __init__(self, skip_rejected: bool = False) -> None:
        super().__init__(skip_rejected=skip_rejected)
        self.now = timezone.now()
        self.applied = ledger.Applied()
        self._actor: Any = None
        self._work_of: dict[int, ledger.Work] = {}
        self._staff = ledger.Staff()
        self._contacts: list[Contact] = []
        self._lines: list[WarningEvent] = []

    def validate_row(self, *, actor: Any, row: Row) -> None:
        self._actor = actor  # the contacts' author where the ledger's officer has no account
        super().validate_row(actor=actor, row=row)
        if row.cleaned.get("input") is not None:
            row.cleaned["work"] = ledger.read_work(row.values, self.now)

    def shaping(self) -> Any:
        """Each new warning, before it is written, dated by its row's 预警时间 and closed or held as the
        row says (:func:`_shape`); the work's contacts and history lines written once all are received."""
        self._work_of = {
            id(row.cleaned["clean"]): row.cleaned["work"]
            for row in self._rows
            if row.cleaned.get("input") is not None
        }
        self._staff, self._contacts, self._lines = ledger.Staff(self._actor), [], []
        return self._shape

    def _shape(self, clean: Any, warning: Warning, line: list[Any], ref: list[Any]) -> None:
        work, intake = self._work_of[id(clean)], self._intake
        ledger.checked_against(work, warning.warned_at)
        ledger.dated(warning, line, ref, intake)
        if work.closed:
            contact, closing = ledger.close(warning, line, work, self._staff, clean, intake, self._actor)
            self._contacts += [contact] if contact is not None else []
            self._lines.append(closing)
            self._count_closed(work)
        else:
            from_import, acked = ledger.keep_open(
                warning, line, work, self._staff, clean, intake, self._received_at or self.now
            )
            self._lines += [acked] if acked is not None else []
            self.applied.open += 1
            self.applied.from_import += from_import

    def received(self, rows: list[Row], results: list[services.Received]) -> None:
        """The work's contacts and history lines written; each row's notices; the assignees told of the
        open warnings only."""
        for row, got in zip(rows, results, strict=True):
            work = row.cleaned["work"]
            if got.outcome != services.NEW:  # received before: unchanged (a ledger never merges)
                if work.closed and got.warning.is_open:  # a list imported before, still in work
                    self.notices.append((row.number, "处置结果", ledger.RECEIVED_BEFORE))
                continue
            self.notices.extend((row.number, column, message) for column, message in work.notices)
        Contact.objects.bulk_create(self._contacts, batch_size=500)
        WarningEvent.objects.bulk_create(self._lines, batch_size=500)
        self.applied.contacts = len(self._contacts)
        self._tell_open_only()

    def committed(self, batch: Any) -> None:
        """No feedback layout is kept for a ledger (it is no pushed list): its rows go back up in their
        source's latest pushed list's layout, else ours (docs/warnings.md §1, 台账导入)."""
        self.tell_assignees()

    def _count_closed(self, work: ledger.Work) -> None:
        applied = self.applied
        applied.closed += 1
        applied.by_outcome[work.outcome] = applied.by_outcome.get(work.outcome, 0) + 1
        applied.defrauded += work.outcome == Outcome.DEFRAUDED

    def _tell_open_only(self) -> None:
        """Nobody is told of a closed warning: only the open ones stay in the assignees' notices."""
        notices = self._intake.notices
        notices.by_user = {
            user: kept
            for user, warnings in notices.by_user.items()
            if (kept := [w for w in warnings if w.is_open and w.assignee_id == user])
        }

    def commit_details(self, batch: Any) -> dict[str, Any]:
        return {**super().commit_details(batch), LEDGER_KEY: self.counts()}

    def counts(self) -> dict[str, Any]:
        """What the file's work did, counts only: kept in the batch's import.commit record."""
        applied = self.applied
        return {
            "closed": applied.closed,
            "open": applied.open,
            "clock_from_import": applied.from_import,
            "contacts": applied.contacts,
            "outcomes": dict(sorted((str(code), n) for code, n in applied.by_outcome.items())),
        }

    def summary_text(self) -> str:
        """The file's work in one line (counts only)."""
        return summary_line(self.counts())


LEDGER_KEY = "ledger"  # the import.commit audit details: the ledger's counts (LedgerImporter.counts)


def summary_line(counts: dict[str, Any]) -> str:
    """台账：6 条按已办结导入（劝阻成功 2、…），2 条未办结进入待办… from a ledger's counts."""
    by_outcome = counts.get("outcomes", {})
    outcomes = "、".join(f"{Outcome(code).label} {n}" for code, n in sorted(by_outcome.items()))
    closed, still_open = counts.get("closed", 0), counts.get("open", 0)
    text = f"台账：{closed} 条按已办结导入（{outcomes or '无'}），{still_open} 条未办结进入待办"
    if counts.get("clock_from_import"):
        text += f"（其中 {counts['clock_from_import']} 条时限已过，自导入时起计算）"
    defrauded = by_outcome.get(str(Outcome.DEFRAUDED), 0)
    if defrauded:
        text += f"；{defrauded} 条已被骗未自动生成案件草稿，案件请另行导入"
    return text


def committed_summary(batch: Any) -> str:
    """The summary line of a committed ledger batch, read from its import.commit record ("" for another
    batch, or one whose record has no ledger counts)."""
    if batch.importer != LedgerImporter.code or batch.status != "committed":
        return ""
    event = (
        AuditEvent.objects.filter(
            action="import.commit", object_type="imports.importbatch", object_id=str(batch.pk)
        )
        .order_by("id")
        .first()
    )
    counts = event.details.get(LEDGER_KEY) if event is not None else None
    return summary_line(counts) if isinstance(counts, dict) else ""
