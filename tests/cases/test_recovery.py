"""Returning frozen money within the working days, and the recovered amounts."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from fanzha.cases import measures, recovery
from fanzha.cases.models import Measure, MeasureStatus
from fanzha.jobs.models import Notification
from tests.cases.helpers import add_payment, answer, make_case, send_stop

FRIDAY = dt.date(2026, 11, 27)


@pytest.fixture
def frozen(world):
    officer, bank = world.users["police_cg"], world.users["bank"]
    case = make_case(world)
    stop = answer(send_stop(add_payment(case, officer), officer), bank, "stopped", 3_000_000)
    follow = measures.measure_follow_up(actor=officer, measure=stop, kind="freeze")
    return answer(follow, bank, "frozen", 3_000_000)


def test_it_sets_the_due_date_three_working_days_after_the_decision(world, frozen):
    victim = frozen.case.victims.get()
    decision = recovery.return_decide(
        actor=world.users["police_cg"],
        case=frozen.case,
        victim=victim,
        amount_fen=2_000_000,
        decided_on=FRIDAY,
        measure=frozen,
    )
    assert decision.due_on == dt.date(2026, 12, 2)  # Mon, Tue, Wed


def test_it_refuses_to_return_more_than_was_frozen(world, frozen):
    victim = frozen.case.victims.get()
    officer = world.users["police_cg"]
    recovery.return_decide(
        actor=officer,
        case=frozen.case,
        victim=victim,
        amount_fen=2_000_000,
        decided_on=FRIDAY,
        measure=frozen,
    )
    with pytest.raises(ValidationError) as exc:
        recovery.return_decide(
            actor=officer,
            case=frozen.case,
            victim=victim,
            amount_fen=1_500_000,
            decided_on=FRIDAY,
            measure=frozen,
        )
    assert "超出该冻结的可返还金额" in str(exc.value)


def test_it_records_the_return_and_releases_a_freeze_returned_in_full(world, frozen):
    officer = world.users["police_cg"]
    victim = frozen.case.victims.get()
    decision = recovery.return_decide(
        actor=officer,
        case=frozen.case,
        victim=victim,
        amount_fen=3_000_000,
        decided_on=FRIDAY,
        measure=frozen,
    )
    with pytest.raises(ValidationError):
        recovery.return_record(actor=officer, decision=decision, returned_on=FRIDAY, returned_fen=3_000_001)
    done = recovery.return_record(
        actor=officer, decision=decision, returned_on=dt.date(2026, 12, 1), returned_fen=3_000_000
    )
    assert done.done and Measure.objects.get(pk=frozen.pk).status == MeasureStatus.RELEASED
    totals = recovery.recovery_of_case(frozen.case)
    assert (totals.loss_fen, totals.frozen_fen, totals.returned_fen) == (5_000_000, 3_000_000, 3_000_000)
    assert totals.stopped_fen == 0  # the stop became the freeze: only the latest of a chain counts
    [(who, mine)] = recovery.recovery_by_victim(frozen.case)
    assert who == victim and mine.returned_fen == 3_000_000
    assert recovery.recovered_total(type(frozen.case).objects.all()) == 3_000_000


def test_it_reminds_the_officer_of_a_return_that_falls_due(world, frozen):
    officer = world.users["police_cg"]
    victim = frozen.case.victims.get()
    recovery.return_decide(actor=officer, case=frozen.case, victim=victim, amount_fen=100, decided_on=FRIDAY)
    assert recovery.alert_due_returns(FRIDAY) == 0
    assert recovery.alert_due_returns(dt.date(2026, 12, 1)) == 1
    assert recovery.alert_due_returns(dt.date(2026, 12, 1)) == 0
    assert Notification.objects.filter(recipient=officer, title__contains="资金返还将到期").count() == 1
