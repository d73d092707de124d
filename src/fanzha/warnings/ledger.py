"""A centre's history ledger (预警处置台账): the warnings it received before the platform, with the work
done on them, imported once (docs/warnings.md §1, 台账导入).

A row with a recognised outcome (处置结果) becomes a closed warning as the centre worked it: received at
its 预警时间, its clock counted from then and recorded met or missed from the times the ledger gives, its
contact recorded, and nothing reminded, escalated or told for the past. A row without an outcome joins
the loop as an open warning; a clock that would already have run out at the import starts at the import.
Wordings and times the ledger does not make clear are row notices, never guesses.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from fanzha.core.models import Organisation, User
from fanzha.core.pii.masking import quoted, scrub_text
from fanzha.tracing.text import CellError
from fanzha.warnings import fastwrite
from fanzha.warnings.intake import is_placeholder, parse_time
from fanzha.warnings.models import (
    Contact,
    ContactKind,
    EventKind,
    Outcome,
    Status,
    Warning,
    WarningEvent,
)

# How centres write an outcome in their ledgers, compacted (no spaces or punctuation): the outcome.
OUTCOME_WORDS: dict[str, str] = {
    **dict.fromkeys(
        (
            ("劝阻成功", "已劝阻", "成功劝阻", "已成功劝阻", "已劝阻成功", "劝阻成功已签承诺书")
            + ("劝阻成功已签订承诺书", "已劝阻已签承诺书", "已签承诺书", "劝阻有效")
        ),
        Outcome.DISSUADED,
    ),
    **dict.fromkeys(
        (
            ("未接触到人", "未联系上", "未联系到", "联系不上", "无法联系", "空号", "关机", "停机")
            + ("无人接听", "未接听", "未接通", "查无此人", "未找到人", "未见到本人")
        ),
        Outcome.NOT_REACHED,
    ),
    **dict.fromkeys(
        ("已被骗", "已受骗", "已被骗报案", "已被骗已报案", "被骗", "已经被骗", "受骗已报案", "已报案"),
        Outcome.DEFRAUDED,
    ),
    **dict.fromkeys(("无效预警", "无效", "误报", "非诈骗", "预警无效", "正常交易"), Outcome.INVALID),
    **dict.fromkeys(("拒绝配合", "不配合", "拒不配合", "拒绝劝阻", "不听劝阻", "拒绝沟通"), Outcome.REFUSED),
}
KIND_WORDS: dict[str, str] = {
    **dict.fromkeys(("电话", "电话劝阻", "电话联系", "电话回访", "致电", "打电话", "call"), ContactKind.CALL),
    **dict.fromkeys(
        ("上门", "上门劝阻", "上门走访", "走访", "见面", "当面劝阻", "面谈", "现场劝阻", "visit"),
        ContactKind.VISIT,
    ),
}
_PUNCTUATION = re.compile(r"[\s,，.。;；:：、!！()（）\[\]【】\"'“”]+")
LATE_TOLERANCE = dt.timedelta(minutes=5)  # a clock a little ahead, as the contact form allows
SHOWN_MAX = 20  # characters of an unrecognised wording quoted in a notice (masked)

RECEIVED_BEFORE = "该预警此前已接收且未办结：台账的处置结果未采用，请在预警中记录劝阻或办结"
NO_CASE_DRAFT = "已被骗：台账导入不自动生成案件草稿，案件请在案件导入中另行导入"
FROM_IMPORT = "预警时间距今已超过{what}时限：时限自导入时起计算（历史预警不补发提醒、不升级督办）"


def compact(text: str) -> str:
    return _PUNCTUATION.sub("", unicodedata.normalize("NFKC", text)).lower()


def _given(text: str) -> str:
    text = (text or "").strip()
    return "" if not text or is_placeholder(text) else text


@dataclass
class Work:
    """What a ledger row says was done, as read (times not yet checked against the warning)."""

    outcome: str = ""
    kind: str = ""
    acknowledged_at: dt.datetime | None = None
    contacted_at: dt.datetime | None = None
    unit: str = ""
    officer: str = ""
    notes: list[str] = field(default_factory=list)  # what goes into the warning's notes
    notices: list[tuple[str, str]] = field(default_factory=list)  # (column, message)

    @property
    def closed(self) -> bool:
        return bool(self.outcome)


def read_work(values: dict[str, str], now: dt.datetime) -> Work:
    """The work columns of a ledger row (``values`` by field name)."""
    work = Work(unit=_given(values.get("unit", "")), officer=_given(values.get("officer", "")))
    said = _given(values.get("outcome", ""))
    if said:
        work.outcome = OUTCOME_WORDS.get(compact(said), "")
        if not work.outcome:
            shown = quoted(said, SHOWN_MAX)
            message = f"未能识别的处置结果“{shown}”：按未办结导入，原文记入备注，请核实后处置"
            work.notices.append(("处置结果", message))
            work.notes.append(f"台账处置结果：{scrub_text(said)}")
    kind = _given(values.get("contact_kind", ""))
    if kind:
        work.kind = KIND_WORDS.get(compact(kind), "")
        if not work.kind:
            shown = quoted(kind, SHOWN_MAX)
            work.notices.append(("处置方式", f"未能识别的处置方式“{shown}”：按电话劝阻记录，原文记入备注"))
            work.notes.append(f"台账处置方式：{scrub_text(kind)}")
    work.acknowledged_at = _time(values.get("acknowledged_at", ""), "签收时间", now, work)
    work.contacted_at = _time(values.get("contacted_at", ""), "联系时间", now, work)
    return work


def _time(text: str, column: str, now: dt.datetime, work: Work) -> dt.datetime | None:
    text = _given(text)
    if not text:
        return None
    try:
        moment = parse_time(text, now)
    except CellError as exc:
        work.notices.append((column, f"{column}无法识别（{exc}），未采用"))
        return None
    if moment is not None and moment > now + LATE_TOLERANCE:
        work.notices.append((column, f"{column}晚于导入时间，未采用"))
        return None
    return moment


def checked_against(work: Work, warned_at: dt.datetime) -> None:
    """Times before the warning are not used (a row notice each)."""
    for name, column in (("acknowledged_at", "签收时间"), ("contacted_at", "联系时间")):
        moment = getattr(work, name)
        if moment is not None and moment < warned_at - LATE_TOLERANCE:
            work.notices.append((column, f"{column}早于预警时间，未采用"))
            setattr(work, name, None)


class Staff:
    """Units by name and their users by name, read once a file."""

    def __init__(self) -> None:
        self._units: dict[str, Organisation | None] = {}
        self._officers: dict[tuple[int, str], User | None] = {}

    def unit(self, name: str) -> Organisation | None:
        if name not in self._units:
            self._units[name] = Organisation.objects.filter(name=name.strip()).first()
        return self._units[name]

    def officer(self, unit: Organisation, name: str) -> User | None:
        """The one user of ``unit`` of that name (display name, else user name); None when none or several."""
        key = (unit.pk, name)
        if key not in self._officers:
            users = User.objects.filter(organisation=unit)
            found = list(users.filter(display_name=name)[:2]) or list(users.filter(username=name)[:2])
            self._officers[key] = found[0] if len(found) == 1 else None
        return self._officers[key]


@dataclass
class Applied:
    """What applying a file's work did, for the report and the audit record (counts only)."""

    closed: int = 0
    open: int = 0
    from_import: int = 0
    contacts: int = 0
    defrauded: int = 0
    by_outcome: dict[str, int] = field(default_factory=dict)


# The fields a ledger row rewrites on the warning the intake wrote.
WRITTEN = [
    "received_at",
    "clock_started_at",
    "due_ack_at",
    "due_contact_at",
    "remind_ack_at",
    "remind_contact_at",
    "ack_breached",
    "contact_breached",
    "status",
    "outcome",
    "organisation",
    "assignee",
    "acknowledged_at",
    "acknowledged_by",
    "contacted_at",
    "closed_at",
    "notes",
    "version",
]


def _with_notes(warning: Warning, lines: list[str]) -> None:
    if lines:
        warning.notes = "\n".join(filter(None, [warning.notes, *lines]))


def _clock(warning: Warning, start: dt.datetime, intake: Any) -> None:
    warning.received_at = warning.clock_started_at = start
    clocks = intake.clocks(warning.grade, start)
    warning.due_ack_at, warning.due_contact_at, warning.remind_ack_at, warning.remind_contact_at = clocks


def close(warning: Warning, work: Work, staff: Staff, intake: Any, actor: Any, now: dt.datetime) -> tuple:
    """``warning`` (just received, unsaved changes) closed as the ledger says; returns its contact (or
    None) and its history line (unsaved)."""
    lines = list(work.notes)
    _clock(warning, warning.warned_at, intake)
    unit = staff.unit(work.unit) if work.unit else None
    if work.unit and unit is None:
        work.notices.append(("处置单位", "未找到该名称的单位：按预警地址所派单位统计，单位名记入备注"))
        lines.append(f"台账处置单位：{work.unit}")
    if unit is not None:
        warning.organisation = unit
    holder = warning.organisation
    officer = staff.officer(holder, work.officer) if work.officer and holder is not None else None
    if work.officer and officer is None:
        work.notices.append(("处置民警", "未在处置单位中找到唯一的该姓名账户：处置人记入备注"))
        lines.append(f"台账处置民警：{work.officer}")
    warning.assignee = officer
    reached = work.outcome != Outcome.NOT_REACHED
    contact_at = work.contacted_at
    warning.acknowledged_at = work.acknowledged_at or contact_at
    warning.acknowledged_by = officer if warning.acknowledged_at else None
    warning.contacted_at = contact_at if reached else None
    times = [t for t in (work.acknowledged_at, contact_at) if t is not None]
    warning.closed_at = max(times) if times else warning.warned_at
    warning.ack_breached = (warning.acknowledged_at or warning.closed_at) > warning.due_ack_at
    warning.contact_breached = (warning.contacted_at or warning.closed_at) > warning.due_contact_at
    warning.status, warning.outcome = Status.CLOSED, work.outcome
    warning.version += 1
    _with_notes(warning, lines)
    kind = work.kind or ContactKind.CALL
    if contact_at is not None and not work.kind:
        work.notices.append(("处置方式", "未写处置方式：按电话劝阻记录"))
    if work.outcome == Outcome.DEFRAUDED:
        work.notices.append(("处置结果", NO_CASE_DRAFT))
    contact = None
    doer = officer or actor
    if contact_at is not None and doer is not None:
        contact = fastwrite.build(
            Contact,
            warning=warning,
            kind=kind,
            actor=doer,
            contacted_at=contact_at,
            arrived_at=contact_at if kind == ContactKind.VISIT else None,
            outcome=work.outcome,
            notes="台账导入" + (f"（处置民警：{work.officer}）" if work.officer and officer is None else ""),
        )
    message = f"台账导入（历史处置）：{ContactKind(kind).label}：{Outcome(work.outcome).label}"
    if contact_at is None:
        message += "（台账未写联系时间）"
    line = fastwrite.build(
        WarningEvent,
        warning=warning,
        at=now,
        actor=None,
        kind=EventKind.CLOSED,
        from_status="",
        to_status=Status.CLOSED,
        message=message,
        data={"ledger": True, "outcome": work.outcome, "officer_found": officer is not None},
    )
    return contact, line


def keep_open(warning: Warning, work: Work, intake: Any, now: dt.datetime) -> bool:
    """``warning`` (just received, open) dated by its 预警时间; a clock already run out by the import
    starts at the import. Whether it did."""
    _with_notes(warning, work.notes + _named(work))
    _clock(warning, warning.warned_at, intake)
    if warning.due_ack_at >= now:
        return False
    what = "签收"
    due_ack, due_contact, remind_ack, remind_contact = intake.clocks(warning.grade, now)
    warning.clock_started_at = now
    warning.due_ack_at, warning.due_contact_at = due_ack, due_contact
    warning.remind_ack_at, warning.remind_contact_at = remind_ack, remind_contact
    work.notices.append(("预警时间", FROM_IMPORT.format(what=what)))
    return True


def _named(work: Work) -> list[str]:
    """The unit, officer and times an open row names, kept in its notes (the row is routed as any)."""
    said = [("台账处置单位", work.unit), ("台账处置民警", work.officer)]
    said += [("台账签收时间", _iso(work.acknowledged_at)), ("台账联系时间", _iso(work.contacted_at))]
    return [f"{label}：{value}" for label, value in said if value]


def _iso(moment: dt.datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment is not None else ""
