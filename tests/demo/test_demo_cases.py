"""The demo's cases: built once for this module at a fixed time, rolled back at the end."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction

from fanzha.cases.models import Case, Measure, MeasureStatus, Payment, Return, Statement
from fanzha.cases.selectors import bank_queue, clocks_board
from fanzha.cases.trace import trace_payment
from fanzha.core.models import User
from fanzha.demo.build import demo_load
from fanzha.warnings.models import Outcome, Warning

NOW = dt.datetime(2026, 6, 15, 10, 30, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def year(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    with django_db_blocker.unblock(), transaction.atomic():
        demo_load(now=NOW)
        yield
        transaction.set_rollback(True)


pytestmark = pytest.mark.django_db


def test_it_opens_a_case_for_every_earlier_defrauded_warning_and_takes_counter_reports(year: None) -> None:
    earlier = Warning.objects.filter(outcome=Outcome.DEFRAUDED, received_at__lt=NOW - dt.timedelta(days=4))
    assert Case.objects.filter(warning__in=earlier).count() == earlier.count() > 100
    assert Case.objects.filter(origin="counter").count() >= 40


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
    stops = [row for row in board if row.measure.kind == "stop"]
    assert stops and stops[0].countdown.warn and not stops[0].countdown.expired
    assert bank_queue(User.objects.get(username="bank"), "open").filter(status=MeasureStatus.SENT).exists()


def test_it_has_statements_to_trace_several_hops(year: None) -> None:
    payment = Payment.objects.filter(case__statements__isnull=False).order_by("id").first()
    assert payment is not None and Statement.objects.filter(case=payment.case).count() == 4
    found = trace_payment(actor=User.objects.get(username="police"), payment=payment)
    assert max(h.hop for h in found.result.hops) >= 3
    assert found.result.cash_out > 0 and found.result.third_party > 0 and len(found.result.still_held()) >= 4
