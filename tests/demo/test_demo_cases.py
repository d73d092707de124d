"""The demo's cases: built once for this module at a fixed time, rolled back at the end."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction
from django.db.models import F
from django.test import TestCase
from django.utils import timezone

from fanzha.cases.models import Case, Measure, MeasureStatus, Payment, Return, Statement
from fanzha.cases.selectors import bank_queue, clocks_board
from fanzha.cases.trace import trace_payment
from fanzha.core.models import User
from fanzha.demo.accounts import DEMO_LOGINS
from fanzha.demo.build import demo_load
from fanzha.demo.inbox import READ_AFTER
from fanzha.jobs.models import Notification
from fanzha.warnings.models import Outcome, Warning

NOW = dt.datetime(2026, 6, 15, 10, 30, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def year(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    with django_db_blocker.unblock(), transaction.atomic():
        # What the services do once the demo commits (their messages, then the inboxes) runs here too.
        with TestCase.captureOnCommitCallbacks(execute=True):
            demo_load(now=NOW)
        yield
        transaction.set_rollback(True)


pytestmark = pytest.mark.django_db


def test_it_opens_a_case_for_every_defrauded_warning_and_takes_counter_reports(year: None) -> None:
    """Every 已被骗 warning has its case, the last days' too, and every case from a warning links it."""
    defrauded = Warning.objects.filter(outcome=Outcome.DEFRAUDED)
    assert defrauded.filter(received_at__gte=NOW - dt.timedelta(days=4)).exists()
    assert Case.objects.filter(warning__in=defrauded).count() == defrauded.count() > 100
    assert not Case.objects.filter(origin="warning", warning__isnull=True).exists()
    assert not Case.objects.filter(origin="counter", warning__isnull=False).exists()
    assert Case.objects.filter(origin="counter").count() >= 40


def test_the_money_goes_before_the_report_and_after_the_warning(year: None) -> None:
    for payment in Payment.objects.select_related("case__warning"):
        case = payment.case
        assert case.occurred_at is not None and case.occurred_at <= payment.paid_at <= case.reported_at
        if case.warning is not None:  # paid between the warning and the call that found it out
            assert case.warning.warned_at <= payment.paid_at <= case.warning.contacted_at
            assert case.warning.closed_at <= case.reported_at


def test_every_step_of_a_case_comes_after_the_one_before_at_its_own_time(year: None) -> None:
    """Not everything at the instant of the report: the stop-payment minutes after it, the bank's answer
    after that, the freeze after the stop held money, the statuses days apart, nothing after now."""
    for case in Case.objects.all():
        events = list(case.events.order_by("id"))
        assert all(case.reported_at <= e.at <= NOW for e in events), case.number
        statuses = [e.at for e in events if e.kind == "status"]
        assert statuses == sorted(statuses) and len(set(statuses)) == len(statuses), case.number
        if case.closed_at is not None:
            assert case.closed_at == statuses[-1]
    for measure in Measure.objects.select_related("case", "previous"):
        assert measure.case.reported_at < measure.sent_at <= NOW
        if measure.answered_at is not None:
            assert measure.sent_at < measure.answered_at <= NOW
            assert measure.executed_at in (None, measure.answered_at)
        if measure.previous is not None:  # the freeze after the stop-payment it follows
            assert measure.previous.answered_at is not None and measure.previous.answered_at < measure.sent_at
    answers = [
        (m.answered_at - m.sent_at).total_seconds() for m in Measure.objects.filter(answered_at__isnull=False)
    ]
    assert min(answers) > 60 and len(set(answers)) > 0.9 * len(answers)  # minutes, all different
    closed = list(Case.objects.filter(closed_at__isnull=False).values_list("reported_at", "closed_at"))
    assert len({c - r for r, c in closed}) == len(closed) > 10  # not all closed the same days later
    for ret in Return.objects.filter(returned_on__isnull=False).select_related("measure"):
        assert ret.measure is not None and ret.measure.answered_at is not None
        assert timezone.localdate(ret.measure.answered_at) <= ret.decided_on <= ret.returned_on <= ret.due_on


def test_it_spreads_cases_over_their_states_by_age(year: None) -> None:
    statuses = Counter(Case.objects.values_list("status", flat=True))
    assert {"investigating", "solved", "closed"} <= set(statuses)
    old = Case.objects.filter(reported_at__lt=NOW - dt.timedelta(days=90))
    assert not old.filter(status__in=["reported", "accepted"]).exists()
    assert Case.objects.filter(status="closed", detained__gt=0).exists()


def test_it_has_measures_in_every_state_and_returns_within_the_working_days(year: None) -> None:
    states = set(Measure.objects.values_list("kind", "status"))
    assert {("stop", "sent"), ("stop", "in_force"), ("freeze", "in_force"), ("freeze", "released")} <= states
    assert ("stop", "not_effective") in states  # money already moved on
    returns = Return.objects.filter(returned_on__isnull=False)
    assert returns.count() > 20 and all(r.returned_on <= r.due_on for r in returns)
    assert len({p.bank_org_id for p in Payment.objects.all()}) >= 5


def test_it_shows_running_clocks_and_a_request_in_the_banks_queue(year: None) -> None:
    board = clocks_board(User.objects.get(username="leader"), NOW)
    stops = [row for row in board if row.measure.kind == "stop" and row.countdown is not None]
    assert stops and stops[0].countdown.warn and not stops[0].countdown.expired
    waiting = [row for row in board if row.measure.status == MeasureStatus.SENT]
    assert waiting and all(row.measure.sent_at <= NOW for row in waiting)
    assert all(row.measure.case.reported_at < row.measure.sent_at for row in board)
    assert bank_queue(User.objects.get(username="bank"), "open").filter(status=MeasureStatus.SENT).exists()


def test_it_has_statements_to_trace_several_hops(year: None) -> None:
    payment = Payment.objects.filter(case__statements__isnull=False).order_by("id").first()
    assert payment is not None and Statement.objects.filter(case=payment.case).count() == 4
    found = trace_payment(actor=User.objects.get(username="police"), payment=payment)
    assert max(h.hop for h in found.result.hops) >= 3
    assert found.result.cash_out > 0 and found.result.third_party > 0 and len(found.result.still_held()) >= 4


def test_what_each_step_wrote_carries_the_steps_time_not_the_load_time(year: None) -> None:
    """A case's 更新时间 is the time of its last step that changed it (not the instant the demo loaded),
    the statements were uploaded once the case was accepted: nothing after the demo's now, nothing
    before the step that wrote it."""
    for case in Case.objects.prefetch_related("events"):
        events = list(case.events.all())
        statuses = [e.at for e in events if e.kind == "status"]
        assert case.reported_at == case.created_at <= case.updated_at <= NOW, case.number
        assert case.updated_at in {e.at for e in events}, case.number
        assert not statuses or case.updated_at >= max(statuses), case.number
    updated = Case.objects.values_list("updated_at", flat=True)
    assert len(set(updated)) == len(updated)
    statements = Statement.objects.select_related("case")
    assert statements.exists()
    for statement in statements:
        accepted = statement.case.events.filter(kind="status").order_by("at").first()
        assert accepted is not None and accepted.at < statement.created_at <= NOW


def test_the_audit_records_of_the_case_steps_keep_the_time_they_were_written(year: None) -> None:
    """The audit log is append-only and chained in the order written: the demo's case actions are recorded
    when the demo wrote them, in order, never back-dated to the step (see docs/operations.md)."""
    from fanzha.audit.models import AuditEvent
    from fanzha.audit.services import audit_verify_chain

    times = list(AuditEvent.objects.order_by("id").values_list("at", flat=True))
    assert times == sorted(times)
    assert AuditEvent.objects.filter(action="case.status").count() > 100
    assert audit_verify_chain().ok


def test_each_login_finds_a_handful_of_recent_messages_unread_and_the_year_read(year: None) -> None:
    """The year's requests, answers and drafted cases are dated by their steps and were read when they
    came; what is unread is recent (a request still waiting, the last days' answers, this morning's
    reminder), a handful for each login."""
    messages = Notification.objects.all()
    assert messages.count() > 300
    assert not messages.filter(created_at__gt=NOW).exists()
    assert not messages.filter(read_at__lt=F("created_at")).exists()
    assert not messages.filter(read_at__gt=NOW).exists()
    assert messages.filter(created_at__lt=NOW - dt.timedelta(days=300)).exists()
    unread = messages.filter(read_at__isnull=True)
    assert not unread.filter(created_at__lt=NOW - READ_AFTER).exists()
    per_user = Counter(unread.values_list("recipient__username", flat=True))
    assert 0 < max(per_user.values()) <= 10, per_user
    logins = {login.username for login in DEMO_LOGINS}
    assert set(per_user) & logins, per_user
    waiting = Measure.objects.filter(answered_at__isnull=True, sent_at__isnull=False)
    bank = User.objects.get(username="bank")
    links = set(unread.filter(recipient=bank).values_list("link", flat=True))
    assert any(f"/bank/{m.pk}/" in link for m in waiting for link in links), links


def test_a_bank_read_each_request_by_the_time_it_answered(year: None) -> None:
    for measure in Measure.objects.filter(answered_at__isnull=False, answered_by__isnull=False)[:200]:
        request = Notification.objects.get(
            recipient=measure.answered_by, link__endswith=f"/bank/{measure.pk}/"
        )
        assert request.created_at == measure.sent_at
        assert request.read_at is not None and request.read_at <= measure.answered_at
