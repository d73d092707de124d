"""Receiving warnings: new, merged into the person's open warning, or already received (unchanged).

``warning_receive`` is the one door for the API and the form (audited per warning); the importer
goes through :func:`receive` with an :class:`Intake` that caches lookups for the whole file, and the
pipeline writes one audit record for the file.
"""

from __future__ import annotations

import datetime as dt
import hmac
import re
import unicodedata
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from fanzha.audit.services import audit_record
from fanzha.core import access
from fanzha.core.locks import lock_intake
from fanzha.core.models import Area, Person
from fanzha.core.models.organisations import OrganisationKind
from fanzha.core.pii import crypto, idcard
from fanzha.core.pii.masking import mask, scrub_text
from fanzha.warnings import fastwrite, grading, levels, routing, sla, typology
from fanzha.warnings.intake import (
    CleanWarning,
    Unusable,
    WarningInput,
    clean_warning,
    read_amount,
    resolve_source,
    retype_by_table,
    shown_source_id,
    source_label,
    suspect_numbers_text,
)
from fanzha.warnings.models import (
    OPEN_STATUSES,
    EventKind,
    Grade,
    Status,
    Warning,
    WarningEvent,
    WarningRepush,
    WarningSourceRef,
    grade_rank,
)
from fanzha.warnings.notify import AssignmentNotices
from fanzha.warnings.people import (
    FILLED_FIELDS,
    age_on_record,
    fill_person,
    filled_text,
    id_holder,
    keys_of,
    match_person,
    new_person,
    person_keys,
    same_person,
)
from fanzha.warnings.typology import OTHER_FRAUD

NEW = "new"
MERGED = "merged"
UNCHANGED = "unchanged"
# Values that crypto.normalize_for_search leaves as they are (a valid ID number, a mainland mobile;
# a name without white space and without capital letters, already in NFKC form).
_CANONICAL = {"id_number": re.compile(r"\d{17}[\dX]"), "phone": re.compile(r"1\d{10}")}
_SPACE = re.compile(r"\s")


def _canonical(kind: str, value: str) -> bool:
    if kind == "name":
        return (
            _SPACE.search(value) is None
            and value == value.lower()
            and unicodedata.is_normalized("NFKC", value)
        )
    pattern = _CANONICAL.get(kind)
    return pattern is not None and pattern.fullmatch(value) is not None


class Intake:
    """Lookups shared by every warning of one run (an API call, a form, a whole file)."""

    def __init__(self, actor: Any = None) -> None:
        self.locator = routing.Locator(actor)
        self.assigner = routing.Assigner()
        self.rules = grading.active_rules()
        self.notices = AssignmentNotices()
        self._hashes: dict[tuple[str, str], str] = {}
        self._grades: dict[tuple[Any, ...], grading.GradeResult] = {}
        self._clocks: dict[tuple[str, dt.datetime], tuple[dt.datetime, ...]] = {}
        self._routed: dict[tuple[Any, ...], str] = {}
        self._graded: dict[tuple[str, ...], str] = {}
        self._masked: dict[str, str] = {}
        self._iso: dict[tuple[dt.datetime, Any], str] = {}
        self._search_mac = hmac.new(crypto._key("search"), digestmod="sha256")  # keyed once, copied a value
        self._centres: list[sla.Centre] | None = None
        self._births: dict[str, dt.date | None] = {}

    def grade(self, fraud_type: str, source: str, amount: Any, facts: dict[str, Any]) -> grading.GradeResult:
        """:func:`grading.grade` with this run's rules, once per distinct set of facts."""
        get = facts.get
        key = (
            fraud_type,
            source,
            amount,
            get("age"),
            get("calls"),
            get("callbacks"),
            get("transfer"),
            get("level"),
        )
        found = self._grades.get(key)
        if found is None:
            graded = grading.Facts.of(fraud_type, source, amount, facts)
            found = self._grades[key] = grading.grade(self.rules, graded)
        return found

    def clocks(self, grade: str, start: dt.datetime) -> tuple[dt.datetime, ...]:
        """Due to acknowledge, due to contact and their reminder times for a warning received at ``start``."""
        key = (grade, start)
        found = self._clocks.get(key)
        if found is None:
            due_ack, due_contact = sla.deadlines(grade, start)
            found = self._clocks[key] = (
                due_ack,
                due_contact,
                sla.remind_at(start, due_ack),
                sla.remind_at(start, due_contact),
            )
        return found

    def queue_centre(self, queue: Area) -> int | None:
        """The centre answering for the time a warning waited in the queue at the area ``queue`` as a
        later report's address routes it out (nobody acted: the centre owning the queue,
        :func:`sla.queue_centre`); the centres read once a run."""
        if self._centres is None:
            self._centres = sla.centres()
        return sla.queue_centre(None, queue.path, self._centres)

    def graded_text(self, graded: grading.GradeResult) -> str:
        """The grade and its reasons as the intake line tells them (once per distinct grading)."""
        key = (graded.grade, *graded.reasons)
        found = self._graded.get(key)
        if found is None:
            found = self._graded[key] = f"定级 {Grade(graded.grade).label}：{'；'.join(graded.reasons)}"
        return found

    def routed_text(self, how: str, warning: Warning) -> str:
        """The routed history line's message (unit and user names read once a run)."""
        key = (how, warning.area_id, warning.organisation_id, warning.assignee_id, warning.grade)
        found = self._routed.get(key)
        if found is None:
            found = self._routed[key] = routed_message(warning, how)
        return found

    def hash(self, kind: str, value: str) -> str:
        """``crypto.search_hash``, each value hashed once a run ("" for an empty value)."""
        if not value:
            return ""
        key = (kind, value)
        found = self._hashes.get(key)
        if found is None:
            if kind == "address":
                found = routing.address_hash(value)
            elif _canonical(kind, value):
                # Already in the form search_hash would normalise to: hash it as it is (same digest).
                mac = self._search_mac.copy()
                mac.update(f"{kind}:{value}".encode())
                found = mac.hexdigest()
            else:
                found = crypto.search_hash(kind, value)
            self._hashes[key] = found
        return found

    def iso(self, value: dt.datetime) -> str:
        """``value.isoformat()``, once per distinct time a run (a file's rows share a few).

        Keyed by the offset too: equal instants in other time zones are equal but print differently.
        """
        key = (value, value.utcoffset())
        found = self._iso.get(key)
        if found is None:
            found = self._iso[key] = value.isoformat()
        return found

    def birth_date(self, id_number: str) -> dt.date | None:
        """The birth date an ID number gives (None when it gives none), read once per number a run."""
        if id_number not in self._births:
            self._births[id_number] = idcard.check_id_number(id_number).birth_date
        return self._births[id_number]

    def masked_address(self, value: str) -> str:
        """``mask("address", value)``, once per distinct address a run."""
        found = self._masked.get(value)
        if found is None:
            found = self._masked[value] = mask("address", value)
        return found


@dataclass
class Received:
    warning: Warning
    outcome: str
    notices: list[tuple[str, str]] = field(default_factory=list)
    ref: tuple[str, str] = ("", "")  # (source, source id) it was received under (one-warning path)


def event_add(
    warning: Warning,
    kind: str,
    message: str,
    *,
    actor: Any = None,
    at: dt.datetime | None = None,
    from_status: str = "",
    to_status: str = "",
    data: dict[str, Any] | None = None,
) -> WarningEvent:
    return WarningEvent.objects.create(
        warning=warning,
        kind=kind,
        message=message,
        at=at or timezone.now(),
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        from_status=from_status,
        to_status=to_status,
        data=data or {},
    )


# ── one 预警编号, two people ──────────────────────────────────────────────────────

REUSED_ID = "预警编号与已接收的预警重复但当事人不同，已按编号 {new} 作为另一条预警接收"


def alias_source_id(clean: CleanWarning) -> str:
    """``<预警编号>~<8 hex>``: the id for a row whose 预警编号 was used for another person.

    Keyed on the row's identifiers (not its time or amount), so the same row gets the same id again
    and a re-import finds it.
    """
    basis = "|".join([clean.id_number or clean.id_number_raw, clean.phone or clean.phone_raw, clean.name])
    mac = hmac.new(crypto._key("search"), f"source_ref:{basis}".encode(), "sha256")
    return f"{clean.source_id[:91]}~{mac.hexdigest()[:8]}"


def partner_source_id(source_id: str, organisation: Any) -> str:
    """``<预警编号>@<organisation id>``: a partner's id that another sender of the same kind used first
    (two banks both numbering their lists 20261128001), kept apart from theirs."""
    suffix = f"@{organisation.pk}"
    return source_id[: 100 - len(suffix)] + suffix


def own_source_id(source_id: str, organisation: Any) -> str:
    """The id as the partner sent it (without :func:`partner_source_id`'s suffix)."""
    return source_id.removesuffix(f"@{organisation.pk}")


def realias(clean: CleanWarning) -> tuple[str, str]:
    """Give ``clean`` its alias id (with a row notice); the new (source, source id) key."""
    clean.source_id = alias_source_id(clean)
    clean.notices.append(("预警编号", REUSED_ID.format(new=clean.source_id)))
    return clean.source, clean.source_id


# ── receiving ────────────────────────────────────────────────────────────────


# Values ``mask`` leaves unnormalised (ASCII, no spaces): an 18-character ID number, a mainland mobile
# (not a 106… SMS service number); their masks are cut straight from them.
_PLAIN_ID = re.compile(r"[0-9]{17}[0-9X]")
_PLAIN_MOBILE = re.compile(r"1[3-9][0-9]{9}")


def mask_pushed(kind: str, value: Any) -> str:
    """``mask(kind, value)``, the common shapes of ID numbers and mobiles without the normaliser."""
    if isinstance(value, str):
        if kind == "id_number" and _PLAIN_ID.fullmatch(value):
            return value[:4] + "**********" + value[14:]
        if kind == "phone" and _PLAIN_MOBILE.fullmatch(value):
            return value[:3] + "****" + value[7:]
    return mask(kind, value)


CELL = "cell:"  # a pushed row's cell of a column no field reads, by its header (data.other_cells)
# Headers of columns that hold a person's name or an address (联系人, 家属姓名, 户籍地址（详址）).
_NAME_HEADER = re.compile(r"姓名|名字|联系人|户主|家属|监护人|亲属|配偶|子女")
_ADDRESS_HEADER = re.compile(r"地址|住址|居住地|住所|详址")
MAX_UNREAD_TEXT = 500


def mask_unread(header: str, text: str) -> str:
    """A cell of a column no field reads, as a pushed row keeps it: masked as a name or an address when
    its header says it holds one, else as free text (ID, phone, account and passport numbers masked)."""
    if _NAME_HEADER.search(header):
        return mask("name", text)
    if _ADDRESS_HEADER.search(header):
        return mask("address", text)
    return scrub_text(text)[:MAX_UNREAD_TEXT]


def _kept_text(value: Any) -> str:
    """A kept column's text as the row wrote it (a JSON ``true`` as 是), its phones, ID and account
    numbers masked like a note's: a count or an area's name is kept whole, a number written beside it
    is not (the pushed row is plain JSON)."""
    if isinstance(value, bool):
        return "是" if value else "否"
    return scrub_text(str(value or "")).strip()[:MAX_UNREAD_TEXT]


# What else a pushed row keeps for the feedback, when the row has it (:func:`_kept_text`): the suspects,
# the counts, 正在转账, the sender's level, and the columns a file's importer folds into the address, the
# type or the notes (乡镇, 村, 预警类型, 预警原因), so the sender's own columns come back filled.
KEPT_AS_PUSHED: tuple[str, ...] = (
    "suspect_numbers",
    "suspect_accounts",
    "call_count",
    "callback_count",
    "transfer_in_progress",
    "pushed_level",
    "township",
    "village",
    "warning_kind",
    "warning_reason",
)


def row_values(data: WarningInput, clean: CleanWarning, intake: Intake | None = None) -> dict[str, str]:
    """The pushed row, masked, for the feedback list in the sender's layout."""
    masked_address = intake.masked_address if intake is not None else partial(mask, "address")
    warned_at = intake.iso(clean.warned_at) if intake is not None else clean.warned_at.isoformat()
    registered = (
        {"registered_address": masked_address(data.registered_address)} if data.registered_address else {}
    )
    kept = {
        name: text
        for name in KEPT_AS_PUSHED
        if (value := getattr(data, name)) and (text := _kept_text(value))
    }
    return {
        "source_id": clean.source_id,
        "name": mask("name", data.name),
        "id_number": mask_pushed("id_number", data.id_number),
        "phone": mask_pushed("phone", data.phone),
        "address": masked_address(data.address),
        "fraud_type": str(data.fraud_type or ""),
        "source": str(data.source or ""),
        "warned_at": warned_at,
        "amount": str(data.amount or ""),
        "notes": scrub_text(str(data.notes or ""))[:500],
        **registered,
        **kept,
        **{CELL + header: text for header, text in data.other_cells.items()},
    }


# What a re-sent row may have changed that the stored (masked) pushed row still shows.
COMPARED = {"id_number": "身份证号", "phone": "手机号", "address": "现住址", "fraud_type": "诈骗类型"}
COMPARED |= {"amount": "涉案金额", "notes": "备注", "pushed_level": "预警级别"}
# Kept only since the sender's level was read: a row kept before (none) has nothing to compare.
COMPARED_WHEN_KEPT = frozenset({"pushed_level"})


def _same(name: str, before: str, now: str) -> bool:
    """Whether a re-sent cell says what the stored one said: the same text, or — an amount or a fraud
    type written another way (``12000`` in an XLSX, ``12,000.00`` or ``1.2万`` in its CSV; a type's code
    or its name) — the same sum or the same type."""
    if before == now:
        return True
    if name == "amount":
        try:
            return read_amount(before)[0] == read_amount(now)[0]
        except ValueError:
            return False
    if name == "fraud_type":
        code = typology.resolve(before)
        return code is not None and code == typology.resolve(now)
    if name == "pushed_level":  # 黄色 and 黄色预警, 二级 and 橙色: the same grade
        level = levels.read_level(before)
        return level is not None and level == levels.read_level(now)
    return False


def changed_notices(pushed: dict[str, str], now_values: dict[str, str]) -> list[tuple[str, str]]:
    """A row notice when a row already received comes again with other values: it is not applied
    (the warning may be in work), the centre corrects the warning itself. Empty when nothing differs."""
    changed = [
        label
        for name, label in COMPARED.items()
        if (name in pushed or name not in COMPARED_WHEN_KEPT)
        and not _same(name, pushed.get(name, ""), now_values.get(name, ""))
    ]
    if not pushed or not changed:
        return []
    return [
        (
            "预警编号",
            f"此编号已接收过，本次内容有变化（{'、'.join(changed)}），未更新；如需更正请在预警中修改",
        )
    ]


def _grade(intake: Intake, clean: CleanWarning) -> grading.GradeResult:
    return intake.grade(clean.fraud_type, clean.source, clean.amount, clean.facts)


def _assign(intake: Intake, warning: Warning, placed: bool, now: dt.datetime) -> None:
    """Route a new (or returned) warning: to a unit and user, or leave it in the centre's queue."""
    can_route = placed or (warning.area.level == "township" and warning.grade in intake.assigner.police)
    org, user = intake.assigner.assign(warning.area, warning.grade) if can_route else (None, None)
    fastwrite.relate(warning, "organisation", org)
    fastwrite.relate(warning, "assignee", user)
    if user is not None:
        warning.status, warning.assigned_at = Status.ASSIGNED, now


def _new_warning(
    intake: Intake,
    clean: CleanWarning,
    person: Person,
    graded: grading.GradeResult,
    place: routing.Placement,
    now: dt.datetime,
) -> Warning:
    warning = fastwrite.build(
        Warning,
        source=clean.source,
        source_id=clean.source_id,
        person=person,
        fraud_type=clean.fraud_type,
        grade=graded.grade,
        grade_reasons=list(graded.reasons),
        area=place.area,
        needs_placement=not place.placed,
        amount=clean.amount,
        address=clean.address,
        address_hash=intake.hash("address", clean.address),
        id_number_raw=clean.id_number_raw,
        phone_raw=clean.phone_raw,
        suspect_numbers=clean.suspect_numbers,
        suspect_accounts=clean.suspect_accounts,
        notes=clean.notes,
        facts=clean.facts,
        quality_flags=list(clean.flags),
        warned_at=clean.warned_at,
        received_at=now,
        clock_started_at=now,
    )
    clocks = intake.clocks(graded.grade, now)
    warning.due_ack_at, warning.due_contact_at, warning.remind_ack_at, warning.remind_contact_at = clocks
    return warning


# One history line before it is written: (kind, message, from status, to status, data).
Line = tuple[str, str, str, str, dict[str, Any]]


def new_warning_line(
    intake: Intake,
    clean: CleanWarning,
    person: Person,
    place: routing.Placement,
    now: dt.datetime,
    filled: list[str] | None = None,
) -> tuple[Warning, Line]:
    """A new warning (graded, routed; not saved) and its first history line.

    Receiving, grading and routing happen at the same instant, so one line (kind 接收预警) tells all
    three — "来源 省反诈中心，编号 W001；定级 高：理由…；按地址匹配到村（社区）：城东社区，派给 …" —
    with the grade, area and unit in its data: one row a new warning instead of three (a 100,000-row
    file writes 200,000 fewer). ``filled``: what the report filled in about its known person.
    """
    graded = _grade(intake, clean)
    warning = _new_warning(intake, clean, person, graded, place, now)
    _assign(intake, warning, place.placed, now)
    if warning.assignee_id is not None:
        intake.notices.add(warning)
    created = f"来源 {source_label(clean.source)}，编号 {shown_source_id(clean.source_id)}"
    message = f"{created}；{intake.graded_text(graded)}；{intake.routed_text(place.how, warning)}"
    data = {"grade": graded.grade, "area": warning.area.code, "organisation": warning.organisation_id}
    if filled:
        message += filled_text(filled)
        data["person_filled"] = filled
    return warning, (EventKind.CREATED, message, "", warning.status, data)


def event_of(warning: Warning, line: Line, at: dt.datetime) -> WarningEvent:
    """The (unsaved) history line of ``warning``, by the system (no actor)."""
    kind, message, from_status, to_status, data = line
    return fastwrite.build(
        WarningEvent,
        warning=warning,
        kind=kind,
        message=message,
        at=at,
        from_status=from_status,
        to_status=to_status,
        data=data,
    )


def build_new(
    intake: Intake,
    clean: CleanWarning,
    person: Person,
    place: routing.Placement,
    now: dt.datetime,
    filled: list[str] | None = None,
) -> tuple[Warning, list[WarningEvent]]:
    """A new warning (graded, routed) and its history so far (its first line), none saved yet."""
    warning, line = new_warning_line(intake, clean, person, place, now, filled)
    return warning, [event_of(warning, line, now)]


def routed_event(
    warning: Warning,
    how: str,
    now: dt.datetime,
    *,
    actor: Any = None,
    notices: AssignmentNotices | None = None,
    message: str = "",
) -> WarningEvent:
    """The (unsaved) history line of a routing; the assignee is told once the transaction commits."""
    if warning.assignee_id is not None:
        (notices or AssignmentNotices()).add(warning)
    return fastwrite.build(
        WarningEvent,
        warning=warning,
        kind=EventKind.ROUTED,
        message=message or routed_message(warning, how),
        at=now,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        from_status=Status.NEW,
        to_status=warning.status,
        data={"area": warning.area.code, "organisation": warning.organisation_id},
    )


def routed_message(warning: Warning, how: str) -> str:
    who = routing.describe_unit(warning.organisation)
    target = f"，派给 {who} {warning.assignee}" if warning.assignee else "，进入中心待分派队列"
    if warning.assignee is None and not warning.needs_placement:
        target += NOBODY_THERE
    return f"{how}：{warning.area.name}{target}{routing.fallback_note(warning.organisation, warning.grade)}"


# A placed warning that no one took: the administrator sees which accounts are missing.
NOBODY_THERE = "（该区划的派出所和村（社区）都没有在岗的承办账户）"


def _merge_text(old: str, new: str) -> str:
    lines = [line for line in (old + "\n" + new).splitlines() if line.strip()]
    return "\n".join(dict.fromkeys(lines))


def merged_transfer(before: bool | None, now: bool | None) -> bool | None:
    """正在转账 of two reports: 是 when either says so, else 否 when either says so, else unknown."""
    if before or now:
        return True
    if before is False or now is False:
        return False
    return None


def _merge_facts(warning: Warning, clean: CleanWarning) -> None:
    if clean.amount is not None and (warning.amount is None or clean.amount > warning.amount):
        warning.amount = clean.amount
    # each number once, however either report wrote it (one stored before intake normalised them too)
    warning.suspect_numbers = suspect_numbers_text(
        _merge_text(warning.suspect_numbers, clean.suspect_numbers)
    )
    warning.suspect_accounts = _merge_text(warning.suspect_accounts, clean.suspect_accounts)
    warning.notes = _merge_text(warning.notes, clean.notes)
    if clean.phone and clean.phone_raw == clean.phone:  # a number other than the one on record
        warning.phone_raw = clean.phone  # (people.fill_person): the latest report's, to call on
    facts = dict(warning.facts)
    facts["age"] = facts.get("age") or clean.facts.get("age")
    for key in ("calls", "callbacks"):
        facts[key] = max(int(facts.get(key) or 0), int(clean.facts.get(key) or 0))
    facts["transfer"] = merged_transfer(facts.get("transfer"), clean.facts.get("transfer"))
    said = [level for level in (facts.get("level"), clean.facts.get("level")) if level]
    if said:  # the more urgent of what the senders said
        facts["level"] = min(said, key=grade_rank)
    warning.facts = facts
    flags = [*warning.quality_flags, *clean.flags]
    if warning.fraud_type in ("", OTHER_FRAUD) and clean.fraud_type not in ("", OTHER_FRAUD):
        warning.fraud_type = clean.fraud_type  # a later report that names the type says more
    warning.fraud_type = warning.fraud_type or clean.fraud_type
    if warning.fraud_type not in ("", OTHER_FRAUD):  # a later report's unknown text: the type stays known
        flags = [flag for flag in flags if flag != "fraud_type_unknown"]
    warning.quality_flags = list(dict.fromkeys(flags))


def merge_into(
    intake: Intake, warning: Warning, clean: CleanWarning, now: dt.datetime, filled: list[str] | None = None
) -> list[WarningEvent]:
    """Join a new report about the same person into their open warning (in memory); the history lines
    (``filled``: what the report filled in about the person, told on the merge's line)."""
    before = warning.grade
    _merge_facts(warning, clean)
    graded = intake.grade(warning.fraud_type, warning.source, warning.amount, warning.facts)
    if grade_rank(graded.grade) < grade_rank(before):
        sla.tighten_deadlines(warning, graded.grade, now)
        warning.grade = graded.grade
    warning.grade_reasons = list(graded.reasons) if warning.grade == graded.grade else warning.grade_reasons
    warning.merged_count += 1
    warning.version += 1
    report = f"来源：{source_label(clean.source)}，编号 {shown_source_id(clean.source_id)}"
    merged = fastwrite.build(
        WarningEvent,
        warning=warning,
        kind=EventKind.MERGED,
        message=f"同一人再次预警（{report}），已合并" + filled_text(filled or []),
        at=now,
        data={
            "source": clean.source,
            "source_id": clean.source_id,
            "grade_before": before,
            "grade_after": warning.grade,
            **({"person_filled": filled} if filled else {}),
        },
    )
    placed = _placed_by(intake, warning, clean, now)
    if placed is not None and warning.assignee_id is not None:
        sla.restart_for_handover(warning, now)  # out of the centre's queue to a unit: its own clock
    rerouted = placed or _reroute(intake, warning, before, now)
    return [merged, rerouted] if rerouted is not None else [merged]


def _placed_by(
    intake: Intake, warning: Warning, clean: CleanWarning, now: dt.datetime
) -> WarningEvent | None:
    """A warning waiting in the centre's queue (not yet routed) that a later report's address places:
    placed there and routed, as if the centre had placed it. Routed to a unit, the line keeps the
    queue's clock (``data.clock``, :func:`sla.queue_clock_record`), counted against the centre owning
    the queue (:meth:`Intake.queue_centre`) as the centre's own placement's is: the wait was the
    centre's (the caller then restarts the clock for the unit)."""
    if not warning.needs_placement or warning.status != Status.NEW or not clean.address:
        return None
    place = intake.locator.locate(address=clean.address, number="", person_area=None)
    if not place.placed:
        return None
    queue = warning.area if warning.organisation_id is None else None  # the queue it waits in
    fastwrite.relate(warning, "area", place.area)
    warning.needs_placement = False
    warning.quality_flags = [flag for flag in warning.quality_flags if flag != "address_unplaced"]
    _assign(intake, warning, True, now)
    event = routed_event(warning, f"按再次预警的地址定位到 {place.area.name}", now, notices=intake.notices)
    if queue is not None and warning.assignee_id is not None:
        event.data["clock"] = sla.queue_clock_record(warning, intake.queue_centre(queue), now)
    return event


def _reroute(intake: Intake, warning: Warning, before: str, now: dt.datetime) -> WarningEvent | None:
    """A merge that moved the grade across the police/grid line re-routes a not yet acknowledged warning.
    Sent to another unit, the warning's clock restarts there, as after a handover: the station answers
    for its own time on the new grade's windows, not for the grid worker's (maybe already breached),
    whose clock is kept on the line (``data.clock``) for that unit's on-time rate — or, taken out of the
    centre's queue, the queue's clock, counted against the centre (:func:`sla.queue_clock_record`)."""
    police = intake.assigner.police
    if warning.status not in (Status.NEW, Status.ASSIGNED) or (before in police) == (warning.grade in police):
        return None
    previous, unit = warning.assignee_id, warning.organisation_id
    # The clock it leaves, as it stood: the unit's, or the centre's queue's (counted against the centre).
    if unit is not None:
        clock = sla.clock_record(warning, now)
    else:
        clock = sla.queue_clock_record(warning, intake.queue_centre(warning.area), now)
    _assign(intake, warning, not warning.needs_placement, now)
    if warning.assignee_id == previous:
        return None
    event = routed_event(warning, "等级变化后重新派发", now, notices=intake.notices)
    if warning.assignee_id is not None and warning.organisation_id != unit:
        sla.restart_for_handover(warning, now)
        event.data["clock"] = clock  # counted in the on-time rate against what it leaves, as a handover's
    return event


def same_episode(existing: Warning, clean: CleanWarning) -> bool:
    """Whether a report about a person with an open warning joins it: the two were *warned* within
    the merge window of each other (received within it is checked by the caller). A list of last
    month's warnings imported today keeps a report 20 days after another apart."""
    window = dt.timedelta(hours=getattr(settings, "WARNING_MERGE_HOURS", 72))
    return abs(existing.warned_at - clean.warned_at) <= window


def _open_warning(person: Person, clean: CleanWarning, now: dt.datetime) -> Warning | None:
    hours = getattr(settings, "WARNING_MERGE_HOURS", 72)
    if hours <= 0:
        return None
    since = now - dt.timedelta(hours=hours)
    found = (
        Warning.objects.select_for_update()
        .filter(person=person, status__in=OPEN_STATUSES, received_at__gte=since)
        .select_related("area")
        .order_by("-received_at", "-id")
        .first()
    )
    return found if found is not None and same_episode(found, clean) else None


def locate(intake: Intake, clean: CleanWarning, person: Person | None) -> routing.Placement:
    place = intake.locator.locate(
        address=clean.address, number=clean.phone, person_area=person.area if person else None
    )
    if place.outside:
        message = f"地址在本辖区以外（{place.outside}），未按同名村（社区）定位，待中心核实"
        clean.flag("address_unplaced", "现住址", message)
    elif not place.placed:
        clean.flag("address_unplaced", "现住址")
    return place


def _known_ref(clean: CleanWarning, source_id: str = "") -> WarningSourceRef | None:
    refs = WarningSourceRef.objects.filter(source=clean.source, source_id=source_id or clean.source_id)
    found: WarningSourceRef | None = refs.select_related("warning__person").first()
    return found


def _earlier_ref(clean: CleanWarning) -> WarningSourceRef | None:
    """A row without 预警编号 received before under an id derived for it then
    (:func:`intake.earlier_source_ids`, the newest found): the row takes that id again, and its ref."""
    for earlier in clean.earlier_source_ids:
        found = _known_ref(clean, earlier)
        if found is not None:
            clean.source_id = earlier
            return found
    return None


def _fill_known(
    intake: Intake, person: Person, clean: CleanWarning, place: routing.Placement | None
) -> list[str]:
    """:func:`fill_person` for one warning, saved (the ID number's holder looked up in the database)."""
    filled = fill_person(intake, person, clean, place, id_holder)
    if filled:
        fields = [name for code in filled for name in FILLED_FIELDS[code]]
        person.save(update_fields=[*fields, "updated_at"])
    return filled


@transaction.atomic
def receive(
    *, intake: Intake, data: WarningInput, now: dt.datetime | None = None, pushed_by: Any = None
) -> Received:
    """New, merged or unchanged; raises :class:`~fanzha.warnings.intake.Unusable` for an unusable warning.

    ``pushed_by``: the partner organisation whose API key pushed it (recorded on its source id)."""
    now = now or timezone.now()
    clean = clean_warning(data, now=now)
    lock_intake()
    retype_by_table([(data, clean)])
    ref = _known_ref(clean) or _earlier_ref(clean)
    if pushed_by is not None and ref is not None and ref.pushed_by_id != pushed_by.pk:
        clean.source_id = partner_source_id(clean.source_id, pushed_by)  # another sender's 预警编号
        ref = _known_ref(clean)
    if ref is not None and not same_person(person_keys(intake, clean), keys_of(ref.warning.person)):
        realias(clean)
        ref = _known_ref(clean)
    if ref is not None:
        notices = changed_notices(ref.row_values, row_values(data, clean))
        if pushed_by is not None:  # a partner's push again: its answer is owed in this period too
            WarningRepush.objects.create(ref=ref, received_at=now, pushed_by=pushed_by)
        return Received(ref.warning, UNCHANGED, notices, (clean.source, clean.source_id))
    person = match_person(clean)
    age_on_record(intake, clean, person)
    existing = _open_warning(person, clean, now) if person is not None else None
    if person is not None and existing is not None:
        events = merge_into(intake, existing, clean, now, _fill_known(intake, person, clean, None))
        existing.save()
        warning, outcome = existing, MERGED
    else:
        place = locate(intake, clean, person)
        if person is None:
            person, filled = new_person(clean, place.area, intake), []
            person.save()
        else:
            filled = _fill_known(intake, person, clean, place)
        warning, events = build_new(intake, clean, person, place, now, filled)
        warning.save()
        outcome = NEW
    WarningEvent.objects.bulk_create(events)
    WarningSourceRef.objects.create(
        source=clean.source,
        source_id=clean.source_id,
        warning=warning,
        received_at=now,
        row_values=row_values(data, clean),
        pushed_by=pushed_by,
    )
    return Received(warning, outcome, clean.notices, (clean.source, clean.source_id))


@transaction.atomic
def warning_receive(*, actor: Any, data: WarningInput, channel: str = "api") -> Received:
    """One warning from the API or the form, audited."""
    access.require(actor, "warning.create")
    intake = Intake(actor)
    received = receive(intake=intake, data=data)
    intake.notices.flush()  # the assignee's notice commits with the warning
    _audit_received(received, actor, channel)
    return received


def _audit_received(received: Received, actor: Any, channel: str, **details: Any) -> None:
    """The ``warning.create`` record of one warning received (no personal data in its details)."""
    warning = received.warning
    facts = {"outcome": received.outcome, "source": warning.source, "grade": warning.grade}
    facts["channel"] = channel
    audit_record(actor=actor, action="warning.create", obj=warning, details={**facts, **details})


PUSH_SCOPE = "warnings"  # the API key scope that may push warnings
# The source a partner's push is recorded under: by its organisation's kind.
PUSH_SOURCES = {
    OrganisationKind.BANK: "bank",
    OrganisationKind.TELECOM: "operator",
    OrganisationKind.CENTRE: "superior",
}


def push_source(organisation: Any, named: str) -> str:
    """The source a partner's push is recorded under: its organisation's kind (a bank pushes as 银行);
    a centre's key (the superior platform relaying others' lists) may name any source. Raises
    :class:`Unusable` when a partner names another source than its own."""
    own = PUSH_SOURCES.get(organisation.kind, organisation.name)
    if not named.strip():
        return own
    if organisation.kind == OrganisationKind.CENTRE or resolve_source(named)[0] == resolve_source(own)[0]:
        return named
    label = source_label(resolve_source(own)[0])
    raise Unusable(f"此接口密钥属于{organisation.name}，只能推送来源为“{label}”的预警（source 可省略）")


@transaction.atomic
def warning_push(*, key: Any, data: WarningInput) -> Received:
    """One warning pushed by a partner's system with an API key (scope ``warnings``, checked by the
    API's authentication), audited under the key and its organisation (there is no user)."""
    organisation = key.organisation
    if not (key.is_active and organisation.is_active and PUSH_SCOPE in key.scopes):
        raise PermissionDenied(PUSH_SCOPE)  # the API's authentication refuses these first
    data = replace(data, source=push_source(organisation, data.source))
    intake = Intake()
    received = receive(intake=intake, data=data, pushed_by=organisation)
    intake.notices.flush()  # the assignee's notice commits with the warning
    _audit_received(
        received, None, "api_key", api_key_id=key.pk, api_key=str(key), organisation_id=organisation.pk
    )
    return received
