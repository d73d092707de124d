"""SLA clocks: deadlines per grade, a reminder before, escalation at breach — run by the worker."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.utils import timezone

from fanzha.audit.models import AuditEvent
from fanzha.jobs.models import Notification
from fanzha.jobs.services import job_enqueue
from fanzha.warnings import sla
from fanzha.warnings.escalation import sla_check
from fanzha.warnings.models import Warning
from tests.warnings.helpers import make_warning


def test_it_sets_deadlines_by_grade(world) -> None:  # type: ignore[no-untyped-def]
    urgent = make_warning(1, notes="", transfer_in_progress=True)
    assert urgent.grade == "urgent"
    assert urgent.due_ack_at - urgent.received_at == dt.timedelta(minutes=5)
    assert urgent.due_contact_at - urgent.received_at == dt.timedelta(minutes=30)
    medium = make_warning(2)
    assert medium.grade == "medium"
    assert medium.due_ack_at - medium.received_at == dt.timedelta(hours=4)
    assert medium.due_contact_at - medium.received_at == dt.timedelta(hours=24)


def test_it_reads_the_sla_from_settings(settings) -> None:  # type: ignore[no-untyped-def]
    settings.WARNING_SLA = "urgent=2/10;low=60/120"
    assert sla.sla_table()["urgent"] == (2, 10)
    assert sla.sla_table()["low"] == (60, 120)
    assert sla.sla_table()["high"] == (30, 240)
    settings.WARNING_SLA = "urgent=ten"
    with pytest.raises(ImproperlyConfigured):
        sla.sla_table()


def _shift(warning: Warning, minutes_ago: int) -> None:
    """Pretend the warning was received ``minutes_ago`` (its deadlines move with it)."""
    delta = dt.timedelta(minutes=minutes_ago)
    Warning.objects.filter(pk=warning.pk).update(
        received_at=warning.received_at - delta,
        due_ack_at=warning.due_ack_at - delta,
        due_contact_at=warning.due_contact_at - delta,
        remind_ack_at=warning.remind_ack_at - delta,
        remind_contact_at=warning.remind_contact_at - delta,
    )


def test_it_reminds_the_assignee_before_the_deadline(world) -> None:  # type: ignore[no-untyped-def]
    warning = make_warning(1)  # medium: 4 h to acknowledge, reminded at 80 %
    _shift(warning, 60)
    assert sla_check().reminded == 0
    _shift(warning, 200)  # from receipt, not cumulative: 200 of 240 minutes gone
    report = sla_check()
    assert report.reminded == 1 and report.escalated == 0
    assert (
        Notification.objects.filter(
            recipient=world.users["grid_cd"], title__startswith="预警即将超时"
        ).count()
        == 1
    )
    assert sla_check().reminded == 0  # once only


def test_the_worker_escalates_a_missed_deadline_to_the_supervisor_and_the_centre(world) -> None:  # type: ignore[no-untyped-def]
    warning = make_warning(1, transfer_in_progress=True)  # urgent: to 城关派出所
    assert warning.assignee == world.users["police_cg"]
    _shift(warning, 6)
    job_enqueue(actor=None, kind="warnings.sla_check")
    call_command("worker", "--once")
    warning.refresh_from_db()
    assert warning.ack_breached and warning.escalated and not warning.contact_breached
    escalated_to = set(
        Notification.objects.filter(title__startswith="预警超时督办").values_list(
            "recipient__username", flat=True
        )
    )
    assert {"leader", "analyst", "police_cg"} <= escalated_to
    assert "police_lq" not in escalated_to and "grid_cd" not in escalated_to
    assert AuditEvent.objects.filter(action="warning.escalate", object_id=str(warning.pk)).count() == 1
    assert warning.events.filter(kind="escalated").count() == 1
    assert sla_check(timezone.now()).escalated == 0  # never twice
    _shift(warning, 31)
    assert sla_check().escalated == 1  # now the contact deadline too
