"""The SLA job: a reminder to the assignee before each deadline; at breach, escalation to the heads of the
assignee's unit, the parent unit's supervisors and the centre (``notify.supervisors``), the history line
naming only those of them who were told.

Each step works through its due warnings :data:`CHUNK` at a time, one transaction a chunk: the
warnings still due are held (``_held``: locked on PostgreSQL, under SQLite's write lock) and their flags
set together, so two sweeps never remind or escalate one twice, and a sweep stopped midway leaves each
chunk written whole or not at all. A user told of many in one sweep gets one summary notice for the rest
(``notify.SweepNotices``); each warning keeps its own history line, flag and audit record.
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

from django.db import connection, transaction
from django.utils import timezone

from fanzha.audit.services import audit_record_each
from fanzha.warnings.models import EventKind, Status, Warning, WarningEvent
from fanzha.warnings.notify import (
    ESCALATION,
    REMINDER,
    Candidates,
    SweepNotices,
    notify_escalation,
    notify_reminder,
)

ACK = "签收"
CONTACT = "联系"
WAITING_ACK = (Status.NEW, Status.ASSIGNED)
WAITING_CONTACT = (Status.NEW, Status.ASSIGNED, Status.ACKNOWLEDGED)


CHUNK = 500  # the warnings of a step written in one transaction


@dataclass
class SlaReport:
    reminded: int = 0
    escalated: int = 0


RELATED = ("person", "assignee__organisation", "organisation", "area")


def _held(ids: list[int], due_q: dict[str, object]) -> list[Warning]:
    """Those of ``ids`` that still meet the step's conditions (``due_q``: its moment has come, the flag
    is not set), read as they stand and held until the chunk commits: on PostgreSQL locked (``FOR
    UPDATE``, which waits for a handover or 签收 writing one of them and then re-checks it), on SQLite
    under the write lock the transaction took at its start (``transaction_mode`` IMMEDIATE). A handover
    committed since the sweep listed them restarted their clock: the old moment must not remind or
    escalate the receiving unit; a colleague who took one over is the one told."""
    still = Warning.objects.filter(pk__in=ids, **due_q).order_by("pk").values_list("pk", flat=True)
    if connection.features.has_select_for_update:
        still = still.select_for_update()
    held = list(still)
    return list(Warning.objects.filter(pk__in=held).select_related(*RELATED).order_by("pk"))


def _due_ids(due_q: dict[str, object], after: int) -> list[int]:
    """The next :data:`CHUNK` ids whose step is due, past ``after`` (each read once a sweep)."""
    due = Warning.objects.filter(**due_q, pk__gt=after).order_by("pk").values_list("pk", flat=True)
    return list(due[:CHUNK])


@transaction.atomic
def _remind(
    ids: list[int], what: str, due_field: str, flag: str, due_q: dict[str, object], notices: SweepNotices
) -> int:
    """Remind the holders of those of ``ids`` still due, naming each deadline as it stands once the
    warnings are held (a merge or regrade committed since the sweep listed them may have moved it);
    returns how many."""
    warnings = _held(ids, due_q)
    if not warnings:
        return 0
    Warning.objects.filter(pk__in=[w.pk for w in warnings]).update(**{flag: True})
    now, lines = timezone.now(), []
    for warning in warnings:
        due = timezone.localtime(getattr(warning, due_field))
        lines.append(
            _line(warning, EventKind.REMINDED, f"{what}时限 {due:%m-%d %H:%M} 将到，已提醒承办人", now)
        )
        notify_reminder(warning, what, due, notices)
    WarningEvent.objects.bulk_create(lines)
    notices.flush()
    return len(warnings)


def _line(warning: Warning, kind: str, message: str, at: dt.datetime) -> WarningEvent:
    """A history line written by the job (no actor), as ``services.event_add`` writes one."""
    return WarningEvent(warning=warning, kind=kind, message=message, at=at, data={})


def escalated_text(what: str, told: Sequence[str]) -> str:
    """The history line of a breach, naming the supervisors told (``Supervisors.groups``; the demo
    writes the same): “签收超时，已升级督办（已通知单位负责人和反诈中心）”."""
    if not told:
        return f"{what}超时，已升级督办（无可通知的督办人员）"
    names = told[0] if len(told) == 1 else "、".join(told[:-1]) + "和" + told[-1]
    return f"{what}超时，已升级督办（已通知{names}）"


@transaction.atomic
def _escalate(
    ids: list[int],
    what: str,
    flag: str,
    due_q: dict[str, object],
    candidates: Candidates,
    notices: SweepNotices,
) -> int:
    """Escalate those of ``ids`` still in breach: the flags, each warning's history line naming whom it
    told, its notices (:class:`SweepNotices`) and its ``warning.escalate`` record, in one transaction;
    returns how many."""
    warnings = _held(ids, due_q)
    if not warnings:
        return 0
    Warning.objects.filter(pk__in=[w.pk for w in warnings]).update(**{flag: True, "escalated": True})
    now, lines = timezone.now(), []
    for warning in warnings:
        told = notify_escalation(warning, what, candidates, notices)
        lines.append(_line(warning, EventKind.ESCALATED, escalated_text(what, told.groups), now))
    WarningEvent.objects.bulk_create(lines)
    entries = [(warning, {"deadline": what}) for warning in warnings]
    audit_record_each(actor=None, action="warning.escalate", entries=entries)
    notices.flush()
    return len(warnings)


def _not_reached(what: str) -> dict[str, bool]:
    """The contact clock runs only until the person is reached (a reached warning handed over to
    another unit is 待签收 again, its met contact deadline behind it)."""
    return {"contacted_at__isnull": True} if what == CONTACT else {}


def _reminders(now: dt.datetime, report: SlaReport) -> None:
    notices = SweepNotices(REMINDER)
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
        after = 0
        while ids := _due_ids(due_q, after):
            report.reminded += _remind(ids, what, due_field, flag, due_q, notices)
            after = ids[-1]


def _breaches(now: dt.datetime, report: SlaReport) -> None:
    """Escalate each breach — a deadline passed, not reached: a 签收 or contact at the deadline itself
    is on time (as the board, the home page and the on-time rate count it) — its supervisors found
    among the users read once for the whole sweep (``notify.Candidates``), :data:`CHUNK` breaches a
    transaction: thousands of breaches at once cost a few queries a chunk, not a few each."""
    candidates = Candidates()
    notices = SweepNotices(ESCALATION)
    steps = (
        (ACK, "due_ack_at", "ack_breached", WAITING_ACK),
        (CONTACT, "due_contact_at", "contact_breached", WAITING_CONTACT),
    )
    for what, due_field, flag, statuses in steps:
        due_q = {f"{due_field}__lt": now, flag: False, "status__in": statuses, **_not_reached(what)}
        after = 0
        while ids := _due_ids(due_q, after):
            report.escalated += _escalate(ids, what, flag, due_q, candidates, notices)
            after = ids[-1]


def sla_check(now: dt.datetime | None = None) -> SlaReport:
    """Remind and escalate every warning whose moment has come; returns how many of each."""
    now = now or timezone.now()
    report = SlaReport()
    _reminders(now, report)
    _breaches(now, report)
    return report
