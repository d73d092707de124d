"""SLA clocks per grade: minutes to acknowledge (签收) and to complete contact, from the clock's start.

The clock starts at receipt and again at a handover (转交) to another unit or as the warning leaves the
centre's queue for a unit (``Warning.clock_started_at``); a regrade or a merge recomputes the deadlines
from that start, never from the receipt (which would undo the restart). The clock a warning leaves
behind is kept on the history line that moves it, counted against the unit it left — the centre for
the time in its queue (:func:`queue_clock_record`)."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from fanzha.core.models import Organisation
from fanzha.core.models.organisations import OrganisationKind
from fanzha.warnings.models import Grade, Warning

DEFAULT_SLA: dict[str, tuple[int, int]] = {
    Grade.URGENT: (5, 30),
    Grade.HIGH: (30, 240),
    Grade.MEDIUM: (240, 1440),
    Grade.LOW: (1440, 4320),
}


# The longest window a grade may have (a year): a typo's extra digits (`low=1440/43200000`) are refused
# here, not read and left to fail every intake of that grade with “date value out of range”.
MAX_MINUTES = 365 * 1440
SETTING = "FANZHA_WARNING_SLA"


@lru_cache(maxsize=4)
def _parse(text: str) -> dict[str, tuple[int, int]]:
    """``urgent=5/30;high=30/240;…`` → grade → (ack, contact); a grade not given keeps its default. An
    entry that is no clock is refused naming the setting, the entry and what is wrong with it."""
    table = dict(DEFAULT_SLA)
    given: set[str] = set()
    for part in filter(None, (p.strip() for p in text.split(";"))):
        grade, ack, contact = _entry(part)
        if grade in given:
            raise ImproperlyConfigured(f"{SETTING}: {grade} is given twice ({part!r}); give each grade once")
        given.add(grade)
        table[grade] = (ack, contact)
    return table


def _entry(part: str) -> tuple[str, int, int]:
    """One ``grade=ack/contact`` entry of the setting, checked."""
    try:
        grade, minutes = part.split("=", 1)
        ack_text, contact_text = minutes.split("/", 1)
        ack, contact = int(ack_text), int(contact_text)
    except ValueError as exc:
        raise ImproperlyConfigured(
            f"{SETTING}: cannot read {part!r}; write grade=ack/contact in whole minutes, e.g. urgent=5/30"
        ) from exc
    grade = grade.strip()
    if grade not in Grade.values:
        raise ImproperlyConfigured(
            f"{SETTING}: {grade!r} is no grade ({part!r}); the grades are {', '.join(Grade.values)}"
        )
    if ack < 1:
        raise ImproperlyConfigured(
            f"{SETTING}: {grade}: minutes to acknowledge must be at least 1, not {ack}"
        )
    if contact < ack:
        raise ImproperlyConfigured(
            f"{SETTING}: {grade}: minutes to complete contact ({contact}) must not be fewer than to "
            f"acknowledge ({ack})"
        )
    if contact > MAX_MINUTES:
        raise ImproperlyConfigured(
            f"{SETTING}: {grade}: at most {MAX_MINUTES} minutes (365 days) to a deadline, not {contact}"
        )
    return grade, ack, contact


# What a regrade reads of an open warning: the grading facts and the clock (both regrading paths —
# rules changed, a fraud type re-typed — load these and no more).
REGRADE_FIELDS = (
    "id",
    "grade",
    "grade_reasons",
    "fraud_type",
    "source",
    "amount",
    "facts",
    "received_at",
    "clock_started_at",
    "contacted_at",
    "acknowledged_at",
    "due_ack_at",
    "due_contact_at",
    "ack_reminded",
    "contact_reminded",
)


# The open warnings a regrade reads, held to its commit (in id order, as a file merging into warnings
# holds them): worked out from what it read, its deadlines would otherwise be written over a handover
# or a 签收 committed meanwhile — the receiving unit given the first unit's passed deadline and escalated
# at once (on PostgreSQL; SQLite's writers already queue). They wait for the regrade instead.
HELD = Warning.objects.select_for_update(of=("self",)).order_by("pk")


def sla_table() -> dict[str, tuple[int, int]]:
    """grade → (minutes to acknowledge, minutes to complete contact)."""
    return _parse(getattr(settings, "WARNING_SLA", ""))


def deadlines(grade: str, start: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    ack, contact = sla_table()[grade]
    return start + dt.timedelta(minutes=ack), start + dt.timedelta(minutes=contact)


def remind_at(start: dt.datetime, due: dt.datetime) -> dt.datetime:
    """When to remind: once ``WARNING_REMIND_PERCENT`` of the time to ``due`` has gone."""
    return start + (due - start) * remind_percent() / 100


def remind_percent() -> int:
    """``FANZHA_WARNING_REMIND_PERCENT``, 1 to 99: at 100 the reminder would fall on the deadline itself
    (never sent), and a value outside was read as 1 or 99 without a word."""
    percent = getattr(settings, "WARNING_REMIND_PERCENT", 80)
    if not 1 <= percent <= 99:
        raise ImproperlyConfigured(f"FANZHA_WARNING_REMIND_PERCENT must be 1 to 99, not {percent}")
    return int(percent)


def describe(minutes: int) -> str:
    if minutes % 1440 == 0:
        return f"{minutes // 1440} 天"
    if minutes % 60 == 0:
        return f"{minutes // 60} 小时"
    return f"{minutes} 分钟"


def apply_deadlines(warning: Warning, due_ack: dt.datetime, due_contact: dt.datetime) -> list[str]:
    """Set both deadlines and their reminder times (counted from the clock's start, not from receipt:
    after a restart that would remind at once); returns the fields set."""
    start = warning.clock_start
    warning.due_ack_at, warning.due_contact_at = due_ack, due_contact
    warning.remind_ack_at = remind_at(start, due_ack)
    warning.remind_contact_at = remind_at(start, due_contact)
    return ["due_ack_at", "due_contact_at", "remind_ack_at", "remind_contact_at"]


def tighten_deadlines(warning: Warning, grade: str, now: dt.datetime) -> list[str]:
    """A later report merged at ``now`` raised the grade to ``grade``: each deadline becomes the earlier
    of the one running and the new grade's counted from ``now`` — tightened, never extended (a deadline
    passed, escalated or not, stays). A reminder already sent for a deadline now brought forward is due
    again: it named the later time, which the holder would go by, and is sent once more (the sweep
    names the deadline as it stands). Returns the fields set."""
    due_ack, due_contact = deadlines(grade, now)
    before_ack, before_contact = warning.due_ack_at, warning.due_contact_at
    fields = apply_deadlines(warning, min(before_ack, due_ack), min(before_contact, due_contact))
    if warning.ack_reminded and warning.due_ack_at < before_ack:
        warning.ack_reminded = False
        fields.append("ack_reminded")
    if warning.contact_reminded and warning.due_contact_at < before_contact:
        warning.contact_reminded = False
        fields.append("contact_reminded")
    return fields


def regrade_deadlines(warning: Warning, grade: str, now: dt.datetime | None = None) -> list[str]:
    """The deadlines of ``grade`` on the clock now running (from ``Warning.clock_start``), for a warning
    regraded (grading rules changed, a fraud type re-typed). Returns the fields set.

    A warning already acknowledged keeps its deadline to acknowledge: the 签收 was on time or late by
    the rules it was made under, and a rule changed since does not make it late (or on time) after the
    fact — as a person already reached keeps the contact deadline. Likewise a deadline already passed at
    ``now`` (before it: at the deadline itself nothing is late yet) stays: it was missed under the rules
    of the day (escalated, or about to be), and a lower grade must not turn a late 签收 or contact into
    an on-time one. A reminder already sent is due again
    when the new reminder time is still ahead (the deadline moved later): the holder is reminded before
    the deadline they now have, once."""
    now = now or timezone.now()
    due_ack, due_contact = deadlines(grade, warning.clock_start)
    if warning.acknowledged_at is not None or warning.due_ack_at < now:
        due_ack = warning.due_ack_at
    if warning.due_contact_at < now:
        due_contact = warning.due_contact_at
    fields = _running_deadlines(warning, due_ack, due_contact)
    if warning.ack_reminded and warning.remind_ack_at > now:
        warning.ack_reminded = False
        fields.append("ack_reminded")
    if warning.contacted_at is None and warning.contact_reminded and warning.remind_contact_at > now:
        warning.contact_reminded = False
        fields.append("contact_reminded")
    return fields


def _running_deadlines(warning: Warning, due_ack: dt.datetime, due_contact: dt.datetime) -> list[str]:
    """Both deadlines and their reminders on the clock now running — except that a person already
    reached keeps the contact deadline as it was: it was met or missed, nothing is left on it."""
    start = warning.clock_start
    warning.due_ack_at, warning.remind_ack_at = due_ack, remind_at(start, due_ack)
    fields = ["due_ack_at", "remind_ack_at"]
    if warning.contacted_at is None:
        warning.due_contact_at, warning.remind_contact_at = due_contact, remind_at(start, due_contact)
        fields += ["due_contact_at", "remind_contact_at"]
    return fields


# ── 转交: the receiving unit's clock ─────────────────────────────────────────────────

ON_TIME, LATE, MISSED = "on_time", "late", "missed"


def ack_kept(due_ack: dt.datetime, acknowledged_at: dt.datetime | None, now: dt.datetime) -> str | None:
    """How the unit handing a warning on kept its deadline to acknowledge: acknowledged by it
    (``on_time``), after it (``late``), never and it has passed (``missed``); None when it neither
    acknowledged nor let the time run out — not counted, as a warning closed within its time is not."""
    if acknowledged_at is not None:
        return ON_TIME if acknowledged_at <= due_ack else LATE
    return MISSED if now > due_ack else None


def contact_kept(warning: Warning, now: dt.datetime) -> str | None:
    """How the holder handing ``warning`` on at ``now`` kept its deadline to reach the person (完成接触):
    reached by it (``on_time``), after it (``late``), never and it has passed (``missed``); None when
    the person was reached before this holder's clock started (the holder before reached them, and
    answers for it) or neither reached nor out of time — not counted, as for the acknowledgement."""
    if warning.contacted_at is not None:
        if warning.contacted_at < warning.clock_start:
            return None
        return ON_TIME if warning.contacted_at <= warning.due_contact_at else LATE
    return MISSED if now > warning.due_contact_at else None


def clock_record(warning: Warning, now: dt.datetime) -> dict[str, object]:
    """The clock of the unit handing ``warning`` on, as it stood at ``now`` (kept on the handover's
    history line: its deadlines, how it kept the one to acknowledge and the one to reach the person,
    and who held the warning — for the on-time rates per unit and per person)."""
    return {
        "from_organisation": warning.organisation_id,
        "from_assignee": warning.assignee_id,
        "due_ack_at": warning.due_ack_at.isoformat(),
        "due_contact_at": warning.due_contact_at.isoformat(),
        "acknowledged_at": warning.acknowledged_at.isoformat() if warning.acknowledged_at else None,
        "ack": ack_kept(warning.due_ack_at, warning.acknowledged_at, now),
        "contact": contact_kept(warning, now),
    }


# ── the centre's queue (中心待分派): the centre's clock ──────────────────────────────────────


def queue_clock_record(warning: Warning, centre_id: int | None, left_at: dt.datetime) -> dict[str, object]:
    """The centre's queue's clock as ``warning`` leaves the queue for a unit at ``left_at``, whichever
    way it leaves: the centre's placement (人工定位), a dispatcher's handover (转交), a later report's
    address placing it. Kept on the line that routes it out (as a handover keeps the leaving unit's) and
    counted against the centre (``centre_id``, :func:`queue_centre`) in the on-time rate, not against
    the unit receiving it (whose clock starts then). Nobody acknowledges a warning in the queue: taking
    it out is the centre's act on it — on time by the queue's deadline to acknowledge, late after it.
    Nor does anyone reach the person from the queue: out after the queue's deadline to reach them, that
    deadline counts for the centre as missed (:func:`contact_kept`), within it not at all.
    (``placed_at``: when it left, under the name the first of these ways gave it.)"""
    return {
        **clock_record(warning, left_at),
        "from_organisation": centre_id,
        "from_assignee": None,  # nobody holds a warning in the queue (the routing may have chosen one)
        "queue": True,
        "placed_at": left_at.isoformat(),
        "ack": ON_TIME if left_at <= warning.due_ack_at else LATE,
    }


# An active centre (反诈中心) and the area paths it covers.
Centre = tuple[int, list[str]]


def centres() -> list[Centre]:
    """The active centres, each with the paths of the areas it covers (two queries)."""
    found = Organisation.objects.filter(kind=OrganisationKind.CENTRE, is_active=True)
    return [
        (c.pk, c.jurisdiction_paths()) for c in found.select_related("area").prefetch_related("covered_areas")
    ]


def queue_owner(path: str, known: list[Centre]) -> int | None:
    """The centre whose queue a warning waiting at the area of ``path`` is in: the centre covering that
    area most narrowly (a county's centre before its city's; of two alike the first made); None when no
    centre covers it."""
    covering = [(-len(prefix), pk) for pk, paths in known for prefix in paths if path.startswith(prefix)]
    return min(covering)[1] if covering else None


def queue_centre(actor: object, path: str, known: list[Centre] | None = None) -> int | None:
    """The centre answering for the queue's time as a warning waiting at the area of ``path`` leaves it:
    the acting user's unit when it is a centre (its dispatcher acted), else the centre owning the queue
    (:func:`queue_owner`: nobody acted, or a user of another unit did; ``known``: the centres, read when
    not given). None when no centre covers the area: the time is then counted on the queue's own row
    (中心待分派), as a warning still waiting there is."""
    unit = getattr(actor, "organisation", None) if getattr(actor, "is_authenticated", False) else None
    if unit is not None and unit.kind == OrganisationKind.CENTRE:
        return int(unit.pk)
    return queue_owner(path, centres() if known is None else known)


def restart_for_handover(warning: Warning, start: dt.datetime) -> list[str]:
    """The receiving unit's clock, counted from the handover at ``start`` (or the centre's placement
    that routed a warning from its queue to a unit; ``clock_started_at`` is set to it): the grade's window to
    acknowledge (签收 again — it has not yet); the grade's window to make contact, unless the person was
    already reached (that deadline was met: it stays as it was, nothing is left on it). The reminders
    follow the new deadlines, and the markers set for the old ones (reminded, breached, 超时督办) are
    cleared so that they neither block the new reminder and escalation nor show the receiving unit as
    overdue on arrival. ``received_at`` and the history keep the original times. Returns the fields set.

    Exactly the grade's windows, no more and no less: the grade's table already says how soon a case of
    that grade must be acted on (紧急 5 / 30 min), and capping at the original deadlines would hand the
    receiving unit a deadline already past — the very lateness it did not cause."""
    warning.clock_started_at = start
    fields = ["clock_started_at", *_running_deadlines(warning, *deadlines(warning.grade, start))]
    warning.ack_reminded = warning.ack_breached = warning.escalated = False
    fields += ["ack_reminded", "ack_breached", "escalated"]
    if warning.contacted_at is None:
        warning.contact_reminded = warning.contact_breached = False
        fields += ["contact_reminded", "contact_breached"]
    return fields
