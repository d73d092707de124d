"""The SLA job: a reminder to the assignee before each deadline; at breach, escalation to the heads of the
assignee's unit, the parent unit's supervisors and the centre (``notify.supervisors``), the history line
naming only those of them who were told.

Each step flips its flag with a conditional UPDATE, so two workers never remind or escalate twice.
Neither changes the warning's version: the worker acknowledging or recording a contact at the deadline,
on a page opened before it, is not refused as if someone had acted on the warning meanwhile.

A handover (转交) to another unit restarts the deadlines from the handover and clears the flags set
for the old ones (``sla.restart_for_handover``), so the receiving unit is reminded and escalated once
each on its own clock. A person already reached has nothing left on the contact clock: a warning
handed over after the contact (back to 待签收) is neither reminded nor escalated for contact.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from fanzha.audit.services import audit_record
from fanzha.warnings.models import EventKind, Status, Warning
from fanzha.warnings.notify import Candidates, notify_escalation, notify_reminder
from fanzha.warnings.services import event_add

ACK = "签收"
CONTACT = "联系"
WAITING_ACK = (Status.NEW, Status.ASSIGNED)
WAITING_CONTACT = (Status.NEW, Status.ASSIGNED, Status.ACKNOWLEDGED)


@dataclass
class SlaReport:
    reminded: int = 0
    escalated: int = 0


def _flip(pk: int, due_q: dict[str, object], flag: str, extra: dict[str, object]) -> bool:
    """Set ``flag`` when the warning still meets the step's conditions (``due_q``: its moment has come,
    the flag is not set): a handover committed since the warning was read restarted its clock, and the
    old moment must not remind or escalate the receiving unit."""
    return Warning.objects.filter(pk=pk, **due_q).update(**{flag: True}, **extra) == 1


@transaction.atomic
def _remind(warning: Warning, what: str, due_field: str, flag: str, due_q: dict[str, object]) -> bool:
    """Remind the holder, naming the deadline as it stands once the flag is set (the row locked): a
    merge or regrade committed since the sweep read the warning may have moved it."""
    if not _flip(warning.pk, due_q, flag, {}):
        return False
    due = timezone.localtime(Warning.objects.values_list(due_field, flat=True).get(pk=warning.pk))
    event_add(warning, EventKind.REMINDED, f"{what}时限 {due:%m-%d %H:%M} 将到，已提醒承办人")
    notify_reminder(warning, what, due)
    return True


def escalated_text(what: str, told: Sequence[str]) -> str:
    """The history line of a breach, naming the supervisors told (``Supervisors.groups``; the demo
    writes the same): “签收超时，已升级督办（已通知单位负责人和反诈中心）”."""
    if not told:
        return f"{what}超时，已升级督办（无可通知的督办人员）"
    names = told[0] if len(told) == 1 else "、".join(told[:-1]) + "和" + told[-1]
    return f"{what}超时，已升级督办（已通知{names}）"


@transaction.atomic
def _escalate(
    warning: Warning, what: str, flag: str, due_q: dict[str, object], candidates: Candidates
) -> bool:
    if not _flip(warning.pk, due_q, flag, {"escalated": True}):
        return False
    told = notify_escalation(warning, what, candidates)
    event_add(warning, EventKind.ESCALATED, escalated_text(what, told.groups))
    audit_record(actor=None, action="warning.escalate", obj=warning, details={"deadline": what})
    return True


def _not_reached(what: str) -> dict[str, bool]:
    """The contact clock runs only until the person is reached (a reached warning handed over to
    another unit is 待签收 again, its met contact deadline behind it)."""
    return {"contacted_at__isnull": True} if what == CONTACT else {}


def _reminders(now: dt.datetime, report: SlaReport) -> None:
    steps = (
        (ACK, "due_ack_at", "remind_ack_at", "ack_reminded", (Status.ASSIGNED,)),
        (
            CONTACT,
            "due_contact_at",
            "remind_contact_at",
            "contact_reminded",
            (Status.ASSIGNED, Status.ACKNOWLEDGED),
        ),
    )
    for what, due_field, remind_field, flag, statuses in steps:
        due_q = {
            f"{remind_field}__lte": now,
            f"{due_field}__gt": now,
            flag: False,
            "status__in": statuses,
            "assignee__isnull": False,
            **_not_reached(what),
        }
        for warning in Warning.objects.filter(**due_q).select_related("person", "assignee").iterator():
            if _remind(warning, what, due_field, flag, due_q):
                report.reminded += 1


def _breaches(now: dt.datetime, report: SlaReport) -> None:
    """Escalate each breach — a deadline passed, not reached: a 签收 or contact at the deadline itself
    is on time (as the board, the home page and the on-time rate count it) — its supervisors found
    among the users read once for the whole sweep (``notify.Candidates``): hundreds of breaches at once
    cost a few queries each, not a few per supervisor each."""
    candidates = Candidates()
    steps = (
        (ACK, "due_ack_at", "ack_breached", WAITING_ACK),
        (CONTACT, "due_contact_at", "contact_breached", WAITING_CONTACT),
    )
    for what, due_field, flag, statuses in steps:
        due_q = {f"{due_field}__lt": now, flag: False, "status__in": statuses, **_not_reached(what)}
        related = Warning.objects.filter(**due_q).select_related("person", "assignee", "organisation", "area")
        for warning in related.iterator():
            if _escalate(warning, what, flag, due_q, candidates):
                report.escalated += 1


def sla_check(now: dt.datetime | None = None) -> SlaReport:
    """Remind and escalate every warning whose moment has come; returns how many of each."""
    now = now or timezone.now()
    report = SlaReport()
    _reminders(now, report)
    _breaches(now, report)
    return report
