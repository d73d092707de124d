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

from fanzha.core.access import jurisdiction_paths, paths_q
from fanzha.core.models import Organisation, User
from fanzha.core.pii.masking import mask_cell, scrub_text
from fanzha.tracing.text import CellError
from fanzha.warnings import bulk, fastwrite, grading, routing, sla
from fanzha.warnings.intake import is_placeholder, parse_time, shown_source_id, source_label
from fanzha.warnings.models import (
    Contact,
    ContactKind,
    EventKind,
    Outcome,
    Status,
    Warning,
    WarningEvent,
)
from fanzha.warnings.people import filled_text

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
SHOWN_MAX = 20  # characters of an unrecognised wording a notice quotes (masked like a row error's cell)

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
    closed_at: dt.datetime | None = None
    unit: str = ""
    officer: str = ""
    notes: list[str] = field(default_factory=list)  # what goes into the warning's notes
    notices: list[tuple[str, str]] = field(default_factory=list)  # (column, message)
    days: set[str] = field(default_factory=set)  # the times written as a day, without a time of day

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
            shown = mask_cell(said, SHOWN_MAX)
            message = f"未能识别的处置结果“{shown}”：按未办结导入，原文记入备注，请核实后处置"
            work.notices.append(("处置结果", message))
            work.notes.append(f"台账处置结果：{scrub_text(said)}")
    kind = _given(values.get("contact_kind", ""))
    if kind:
        work.kind = KIND_WORDS.get(compact(kind), "")
        if not work.kind:
            shown = mask_cell(kind, SHOWN_MAX)
            work.notices.append(("处置方式", f"未能识别的处置方式“{shown}”：按电话劝阻记录，原文记入备注"))
            work.notes.append(f"台账处置方式：{scrub_text(kind)}")
    work.acknowledged_at = _time(values.get("acknowledged_at", ""), "签收时间", now, work)
    work.contacted_at = _time(values.get("contacted_at", ""), "联系时间", now, work)
    work.closed_at = _time(values.get("closed_at", ""), "办结时间", now, work)
    work.days = {name for name, _ in TIMES if _is_day(getattr(work, name))}
    return work


def _is_day(moment: dt.datetime | None) -> bool:
    """Whether a time is a day without a time of day: local midnight exactly (2026-03-02, 2026年3月2日,
    an Excel day number, a date-formatted cell read as 00:00:00)."""
    return moment is not None and timezone.localtime(moment).time() == dt.time(0)


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


TIMES = (("acknowledged_at", "签收时间"), ("contacted_at", "联系时间"), ("closed_at", "办结时间"))
DAY_ONLY = "{column}只有日期、没有时刻：按当日最早的时刻（不早于预警时间）计，是否超过{what}时限以此为准"


def checked_against(work: Work, warned_at: dt.datetime) -> None:
    """Times before the warning are not used (a row notice each); a time a few minutes before it (clocks
    apart), or a day without a time of day that is the warning's own day, is taken at the warning."""
    for name, column in TIMES:
        moment = getattr(work, name)
        if moment is None:
            continue
        earliest = moment + dt.timedelta(days=1) if name in work.days else moment + LATE_TOLERANCE
        if earliest <= warned_at:
            work.notices.append((column, f"{column}早于预警时间，未采用"))
            setattr(work, name, None)
        else:
            setattr(work, name, max(moment, warned_at))


def days_judged(work: Work, due_ack: dt.datetime, due_contact: dt.datetime | None) -> None:
    """A row notice for each time written as a day whose day does not decide its deadline (the deadline
    falls within the day): it is judged at the day's earliest moment. (No ``due_contact``: the row's
    contact is not applied — an open row.)"""
    for name, column, due, what in (
        ("acknowledged_at", "签收时间", due_ack, "签收"),
        ("contacted_at", "联系时间", due_contact, "联系"),
    ):
        moment = getattr(work, name)
        if due is None or name not in work.days or moment is None:
            continue
        if moment <= due < _next_day(moment):
            work.notices.append((column, DAY_ONLY.format(column=column, what=what)))


def _next_day(moment: dt.datetime) -> dt.datetime:
    local = timezone.localtime(moment)
    return timezone.make_aware(dt.datetime.combine(local.date() + dt.timedelta(days=1), dt.time(0)))


class Staff:
    """Units by name and their users by name, read once a file: for an importing user, only the units of
    their jurisdiction (a unit elsewhere is told like one that does not exist — nothing is credited or
    assigned outside it, and no notice says whom another county has); the command line (no user) all."""

    def __init__(self, actor: Any = None) -> None:
        self._units: dict[str, Organisation | None] = {}
        self._officers: dict[tuple[int, str], User | None] = {}
        self._paths = jurisdiction_paths(actor) if actor is not None else None

    def unit(self, name: str) -> Organisation | None:
        if name not in self._units:
            units = Organisation.objects.filter(name=name.strip())
            if self._paths is not None:
                units = units.filter(paths_q(self._paths, "area__path"))
            self._units[name] = units.first()
        return self._units[name]

    def officer(self, unit: Organisation, name: str) -> User | None:
        """The one user of ``unit`` of that name (display name, else user name); None when none or several."""
        key = (unit.pk, name)
        if key not in self._officers and not self._covers(unit):  # routed by the address elsewhere
            self._officers[key] = None
        if key not in self._officers:
            users = User.objects.filter(organisation=unit)
            found = list(users.filter(display_name=name)[:2]) or list(users.filter(username=name)[:2])
            self._officers[key] = found[0] if len(found) == 1 else None
        return self._officers[key]

    def _covers(self, unit: Organisation) -> bool:
        return self._paths is None or any(unit.area.path.startswith(path) for path in self._paths)


@dataclass
class Applied:
    """What applying a file's work did, for the report and the audit record (counts only)."""

    closed: int = 0
    open: int = 0
    from_import: int = 0
    contacts: int = 0
    defrauded: int = 0
    by_outcome: dict[str, int] = field(default_factory=dict)


# Where receive_many's rows made for a new warning hold what a ledger row dates (bulk.Shape).
LINE_AT = bulk.EVENT_ATTNAMES.index("at")
LINE_ACTOR = bulk.EVENT_ATTNAMES.index("actor_id")
LINE_TO = bulk.EVENT_ATTNAMES.index("to_status")
LINE_MESSAGE = bulk.EVENT_ATTNAMES.index("message")
LINE_DATA = bulk.EVENT_ATTNAMES.index("data")
REF_AT = bulk.REF_ATTNAMES.index("received_at")

UNIT_NOT_FOUND = "未找到该名称的单位：按预警地址所派单位统计，单位名记入备注"
OFFICER_NOT_FOUND = "未在处置单位中找到唯一的该姓名账户：处置人记入备注"
OPEN_UNIT_NOT_FOUND = "未找到可承办预警的该名称单位：按预警地址派单，单位名记入备注"
OPEN_UNIT_NOBODY = "该单位没有在岗的承办账户：按预警地址派单，单位名记入备注"
OPEN_OFFICER_NOT_FOUND = (
    "未在处置单位中找到唯一可承办的该姓名账户：由该单位按派单规则派给承办人，处置民警记入备注"
)
ROUTED_AT_IMPORT = "（台账导入时按地址派单）"


def _with_notes(warning: Warning, lines: list[str]) -> None:
    if lines:
        warning.notes = "\n".join(filter(None, [warning.notes, *lines]))


def _clock(warning: Warning, start: dt.datetime, intake: Any) -> None:
    warning.received_at = warning.clock_started_at = start
    clocks = intake.clocks(warning.grade, start)
    warning.due_ack_at, warning.due_contact_at, warning.remind_ack_at, warning.remind_contact_at = clocks


def dated(warning: Warning, line: list[Any], ref: list[Any], intake: Any) -> None:
    """The warning received at its 预警时间, its clock counted from then, and its first history line and
    source id (its row as pushed: the feedback's period) dated so — not the import's day."""
    _clock(warning, warning.warned_at, intake)
    line[LINE_AT] = ref[REF_AT] = warning.warned_at


def _first_line(line: list[Any], warning: Warning, clean: Any, intake: Any, held: str) -> None:
    """The first history line told as the ledger says the warning was held (``held``), not as today's
    routing would have given it: the source and grade as any intake tells them, then the ledger's unit."""
    graded = intake.graded_text(grading.GradeResult(warning.grade, list(warning.grade_reasons)))
    received = f"来源 {source_label(clean.source)}，编号 {shown_source_id(clean.source_id)}；{graded}"
    filled = line[LINE_DATA].get("person_filled")
    line[LINE_MESSAGE] = f"{received}；{held}" + (filled_text(filled) if filled else "")
    line[LINE_TO] = warning.status
    line[LINE_DATA] = {**line[LINE_DATA], "organisation": warning.organisation_id, "ledger": True}


def _held_text(unit: Organisation | None, officer: User | None, found: bool, named: bool) -> str:
    if found:
        text = f"台账导入：处置单位 {unit}"
    else:
        said = "台账所写处置单位未找到" if named else "台账未写处置单位"
        text = f"台账导入：{said}，按预警地址计入 {routing.describe_unit(unit)}"
    return text + (f"，处置民警 {officer}" if officer is not None else "")


def close(
    warning: Warning, line: list[Any], work: Work, staff: Staff, clean: Any, intake: Any, actor: Any
) -> tuple:
    """``warning`` (just decided, not written yet) closed as the ledger says, credited to the unit and
    officer it names; its first history line (``line``) told so. Returns its contact (or None) and its
    closing history line (unsaved)."""
    lines = list(work.notes)
    unit = staff.unit(work.unit) if work.unit else None
    if work.unit and unit is None:
        work.notices.append(("处置单位", UNIT_NOT_FOUND))
        lines.append(f"台账处置单位：{work.unit}")
    if unit is not None:
        fastwrite.relate(warning, "organisation", unit)
    holder = warning.organisation
    officer = staff.officer(holder, work.officer) if work.officer and holder is not None else None
    if work.officer and officer is None:
        work.notices.append(("处置民警", OFFICER_NOT_FOUND))
        lines.append(f"台账处置民警：{work.officer}")
    fastwrite.relate(warning, "assignee", officer)
    warning.status = Status.ASSIGNED if officer is not None else Status.NEW
    warning.assigned_at = warning.warned_at if officer is not None else None
    _first_line(line, warning, clean, intake, _held_text(holder, officer, unit is not None, bool(work.unit)))
    held_status = warning.status
    reached = work.outcome != Outcome.NOT_REACHED
    contact_at = work.contacted_at
    warning.acknowledged_at = _acknowledged(work)
    fastwrite.relate(warning, "acknowledged_by", officer if warning.acknowledged_at else None)
    warning.contacted_at = contact_at if reached else None
    warning.closed_at = _closed(work, warning)
    days_judged(work, warning.due_ack_at, warning.due_contact_at)
    warning.ack_breached = (warning.acknowledged_at or warning.closed_at) > warning.due_ack_at
    warning.contact_breached = (warning.contacted_at or warning.closed_at) > warning.due_contact_at
    if (warning.ack_breached or warning.contact_breached) and _is_day(warning.warned_at):
        work.notices.append(("预警时间", WARNED_DAY_ONLY))
    warning.status, warning.outcome = Status.CLOSED, work.outcome
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
    closing = fastwrite.build(
        WarningEvent,
        warning=warning,
        at=warning.closed_at,
        actor=None,
        kind=EventKind.CLOSED,
        from_status=held_status,
        to_status=Status.CLOSED,
        message=message,
        data={"ledger": True, "outcome": work.outcome, "officer_found": officer is not None},
    )
    return contact, closing


WARNED_DAY_ONLY = "预警时间只有日期、没有时刻：时限自当日 0 时起算，签收或联系记为超时；请核实预警的具体时刻"
ACK_AFTER_CONTACT = "签收时间晚于联系时间：按联系时间计签收（记录联系即签收）"


def _acknowledged(work: Work) -> dt.datetime | None:
    """When a closed row was acknowledged: its 签收时间, else its contact — the contact when the 签收时间
    is later (recording a contact acknowledges; a notice)."""
    ack, contact = work.acknowledged_at, work.contacted_at
    if ack is not None and contact is not None and contact < ack:
        work.notices.append(("签收时间", ACK_AFTER_CONTACT))
        return contact
    return ack or contact


CLOSED_BEFORE_WORK = "办结时间早于签收或联系时间：按其中较晚的时间计办结"


def _closed(work: Work, warning: Warning) -> dt.datetime:
    """When a closed row was closed: its 办结时间, not before its acknowledgement and contact (a notice
    when written before them); without one, the later of those two, else its 预警时间."""
    times = [t for t in (warning.acknowledged_at, work.contacted_at) if t is not None]
    worked = max(times) if times else warning.warned_at
    if work.closed_at is None:
        return worked
    if work.closed_at < worked and times:
        if "closed_at" not in work.days:  # a day is the day of the work: no contradiction
            work.notices.append(("办结时间", CLOSED_BEFORE_WORK))
        return worked
    return max(work.closed_at, worked)


def keep_open(
    warning: Warning, line: list[Any], work: Work, staff: Staff, clean: Any, intake: Any, now: dt.datetime
) -> tuple[bool, WarningEvent | None]:
    """``warning`` (just decided, open, not written yet) held by the unit the ledger names — its officer
    when one of that unit's users who may hold it, else whom the unit's routing picks — acknowledged at
    its 签收时间 when given; without a known unit, routed as any import routes it. A clock already run out
    by the import starts at the import. Whether it did, and the acknowledgement's history line (or None)."""
    _with_notes(warning, work.notes + _named(work))
    held, officer = _hold(warning, work, staff, intake)
    if held:
        text = _held_text(warning.organisation, officer, True, True)
        if officer is None:  # the unit's pick
            text += f"，承办人 {warning.assignee}（导入时按派单规则选定）"
        _first_line(line, warning, clean, intake, text)
    else:
        line[LINE_MESSAGE] += ROUTED_AT_IMPORT
    acked = (
        _acknowledge(warning, work.acknowledged_at, officer, now) if held and work.acknowledged_at else None
    )
    if acked is not None:
        days_judged(work, warning.due_ack_at, None)
    due = warning.due_contact_at if acked is not None else warning.due_ack_at
    if due >= now:
        return False, acked
    due_ack, due_contact, remind_ack, remind_contact = intake.clocks(warning.grade, now)
    warning.clock_started_at = now
    warning.due_contact_at, warning.remind_contact_at = due_contact, remind_contact
    if acked is None:  # an acknowledgement made keeps the deadline it was made against
        warning.due_ack_at, warning.remind_ack_at = due_ack, remind_ack
    work.notices.append(("预警时间", FROM_IMPORT.format(what="联系" if acked is not None else "签收")))
    return True, acked


def _hold(warning: Warning, work: Work, staff: Staff, intake: Any) -> tuple[bool, User | None]:
    """The open ``warning`` given to the unit the ledger names and its officer (or the unit's pick):
    whether it was, and the officer named and found. Not (a row notice) when the row names no unit the
    platform knows to hold warnings, or one with nobody to hold it."""
    if not work.unit:
        return False, None
    unit = staff.unit(work.unit)
    if unit is None or not unit.is_active or unit.kind not in routing.ROLE_OF_KIND:
        work.notices.append(("处置单位", OPEN_UNIT_NOT_FOUND))
        return False, None
    users = intake.assigner.users_of(unit)
    officer = staff.officer(unit, work.officer) if work.officer else None
    if officer is not None and officer.pk not in {user.pk for user in users}:
        officer = None
    if work.officer and officer is None:
        work.notices.append(("处置民警", OPEN_OFFICER_NOT_FOUND))
    assignee = officer or intake.assigner.pick(users)
    if assignee is None:
        work.notices.append(("处置单位", OPEN_UNIT_NOBODY))
        return False, None
    told = warning.assignee_id
    fastwrite.relate(warning, "organisation", unit)
    fastwrite.relate(warning, "assignee", assignee)
    warning.status, warning.assigned_at = Status.ASSIGNED, warning.warned_at
    warning.needs_placement = False
    if assignee.pk != told:
        intake.notices.add(warning)  # the routed assignee's notice is dropped (importer: open ones only)
    return True, officer


def _acknowledge(warning: Warning, at: dt.datetime, officer: User | None, now: dt.datetime) -> WarningEvent:
    """签收 at the ledger's 签收时间, by its officer when found; how it kept its deadline recorded."""
    warning.status, warning.acknowledged_at = Status.ACKNOWLEDGED, at
    fastwrite.relate(warning, "acknowledged_by", officer)
    warning.ack_breached = at > warning.due_ack_at
    who = officer or warning.organisation
    return fastwrite.build(
        WarningEvent,
        warning=warning,
        at=at,
        actor=officer,
        kind=EventKind.ACKNOWLEDGED,
        from_status=Status.ASSIGNED,
        to_status=Status.ACKNOWLEDGED,
        message=f"台账导入：{who} 签收（台账签收时间）",
        data={"ledger": True, "ack": sla.ack_kept(warning.due_ack_at, at, now)},
    )


def _named(work: Work) -> list[str]:
    """The unit, officer and times an open row names, kept in its notes (the row is routed as any)."""
    said = [("台账处置单位", work.unit), ("台账处置民警", work.officer)]
    said += [("台账签收时间", _iso(work.acknowledged_at)), ("台账联系时间", _iso(work.contacted_at))]
    said += [("台账办结时间", _iso(work.closed_at))]
    return [f"{label}：{value}" for label, value in said if value]


def _iso(moment: dt.datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment is not None else ""
