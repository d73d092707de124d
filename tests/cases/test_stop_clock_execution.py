"""The 48 hours of a stop-payment (紧急止付) and the six months of a freeze (冻结) run from when the bank
executed the measure (执行时间, 银发〔2016〕86号), not from when its liaison recorded the answer: an answer
recorded hours late must not show more time than is left, nor remind too late."""

import datetime as dt
import importlib
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from fanzha.audit.models import AuditEvent
from fanzha.cases import clocks, measures, selectors
from fanzha.cases.models import CaseEvent, EventKind, Measure, MeasureStatus
from fanzha.jobs.models import Notification
from tests.cases.helpers import add_payment, make_case, send_stop

CHINA = ZoneInfo("Asia/Shanghai")
HELD = 3_000_000


def sent_ago(world, hours: float) -> Measure:
    """A stop-payment request sent ``hours`` ago and still waiting for the bank's answer."""
    officer = world.users["police_cg"]
    stop = send_stop(add_payment(make_case(world), officer), officer)
    Measure.objects.filter(pk=stop.pk).update(sent_at=timezone.now() - dt.timedelta(hours=hours))
    return Measure.objects.get(pk=stop.pk)


def held(world, measure: Measure, executed_at: dt.datetime | None, answer: str = "stopped") -> Measure:
    data = measures.AnswerData(answer, effective_fen=HELD, executed_at=executed_at)
    return measures.measure_answer(actor=world.users["bank"], measure=measure, data=data)


def test_a_stop_recorded_six_hours_late_runs_from_its_execution(world):
    stop = sent_ago(world, 7)
    executed = timezone.now() - dt.timedelta(hours=6)
    done = held(world, stop, executed)
    assert done.executed_at == executed
    assert done.expires_at == executed + dt.timedelta(hours=48)
    row = selectors.measure_rows([done])[0]
    assert row.countdown.deadline == executed + dt.timedelta(hours=48)
    assert row.countdown.text.startswith("剩余 1天17小时")  # not 2天0小时: six of the 48 hours are gone


def test_the_reminder_and_the_expiry_come_from_the_execution(world, settings):
    settings.CASE_STOP_ALERT_HOURS = 8
    near = held(world, sent_ago(world, 42), timezone.now() - dt.timedelta(hours=41))  # 7 hours left
    over = held(world, sent_ago(world, 50), timezone.now() - dt.timedelta(hours=49))  # ran out an hour ago
    report = measures.clock_check()
    assert report.alerted == 1 and report.expired == 1
    assert Measure.objects.get(pk=near.pk).alerted
    assert Measure.objects.get(pk=over.pk).status == MeasureStatus.EXPIRED
    officer = world.users["police_cg"]
    assert Notification.objects.filter(recipient=officer, title__contains="即将到期").count() == 1


def test_a_freeze_runs_six_months_from_its_execution(world):
    officer = world.users["police_cg"]
    payment = add_payment(make_case(world), officer)
    freeze = measures.measure_send(
        actor=officer, case=payment.case, target=measures.target_of_payment(payment), kind="freeze"
    )
    Measure.objects.filter(pk=freeze.pk).update(sent_at=timezone.now() - dt.timedelta(days=3))
    executed = timezone.now() - dt.timedelta(days=2)
    done = held(world, Measure.objects.get(pk=freeze.pk), executed, "frozen")
    assert done.executed_at == executed and done.expires_at == clocks.freeze_expires(executed)


def test_a_held_answer_needs_the_execution_time(world):
    stop = sent_ago(world, 1)
    with pytest.raises(ValidationError) as refused:
        held(world, stop, None)
    assert refused.value.message_dict["executed_at"] == ["已止付/已冻结时请填写银行执行时间"]
    assert Measure.objects.get(pk=stop.pk).status == MeasureStatus.SENT


def test_an_execution_in_the_future_is_refused_beyond_the_clock_skew(world):
    stop = sent_ago(world, 1)
    with pytest.raises(ValidationError) as refused:
        held(world, stop, timezone.now() + dt.timedelta(minutes=30))
    assert refused.value.message_dict["executed_at"] == ["执行时间不能晚于现在"]
    # A bank clock a few minutes fast is allowed; the clock runs from now, never from a moment to come.
    before = timezone.now()
    done = held(world, stop, before + dt.timedelta(minutes=5))
    assert before <= done.executed_at <= timezone.now()
    assert done.expires_at == done.executed_at + dt.timedelta(hours=48)


def test_an_execution_before_the_request_was_sent_is_refused(world):
    stop = sent_ago(world, 1)
    with pytest.raises(ValidationError) as refused:
        held(world, stop, stop.sent_at - dt.timedelta(hours=1))
    sent = timezone.localtime(stop.sent_at)
    assert refused.value.message_dict["executed_at"] == [f"执行时间不能早于请求发送时间 {sent:%m-%d %H:%M}"]


def test_an_answer_that_held_nothing_has_no_execution_time(world):
    stop = sent_ago(world, 1)
    data = measures.AnswerData("insufficient", executed_at=timezone.now())
    done = measures.measure_answer(actor=world.users["bank"], measure=stop, data=data)
    assert done.executed_at is None and done.expires_at is None


def test_the_answer_is_audited_with_the_execution_time(world):
    executed = (timezone.now() - dt.timedelta(hours=2)).replace(microsecond=0)
    done = held(world, sent_ago(world, 3), executed)
    event = AuditEvent.objects.get(action="case.measure_answer", object_id=str(done.pk))
    assert event.details == {"answer": "stopped", "executed_at": executed.isoformat()}
    said = CaseEvent.objects.get(case=done.case, kind=EventKind.ANSWER).message
    assert f"执行于 {timezone.localtime(executed):%m-%d %H:%M}" in said


def test_the_bank_enters_the_execution_time_on_its_page(world, client):
    stop = sent_ago(world, 7)
    client.force_login(world.users["bank"])
    page = client.get(f"/cases/bank/{stop.pk}/").content.decode()
    assert 'name="executed_at"' in page and "执行时间" in page
    assert 'name="executed_at" value=' not in page  # no silent default: the bank says when it executed
    answer = {"answer": "stopped", "effective": "30,000"}
    refused = client.post(f"/cases/bank/{stop.pk}/", answer)
    assert refused.status_code == 200 and "已止付/已冻结时请填写银行执行时间" in refused.content.decode()
    executed = timezone.localtime(timezone.now() - dt.timedelta(hours=6)).replace(second=0, microsecond=0)
    done = client.post(f"/cases/bank/{stop.pk}/", {**answer, "executed_at": f"{executed:%Y-%m-%dT%H:%M}"})
    assert done.status_code == 302
    assert Measure.objects.get(pk=stop.pk).expires_at == executed + dt.timedelta(hours=48)
    client.force_login(world.users["police_cg"])
    case_page = client.get(f"/cases/{stop.case_id}/").content.decode()
    assert f"执行 {executed:%m-%d %H:%M}" in case_page and "剩余 1天1" in case_page


def test_the_migration_starts_the_clocks_answered_before_at_the_answer(world):
    from django.apps import apps

    migration = importlib.import_module("fanzha.cases.migrations.0006_measure_executed_at")
    stop = held(world, sent_ago(world, 3), timezone.now() - dt.timedelta(hours=2))
    answered = timezone.now() - dt.timedelta(hours=1)
    Measure.objects.filter(pk=stop.pk).update(executed_at=None, answered_at=answered)
    empty = measures.measure_answer(
        actor=world.users["bank"], measure=sent_ago(world, 1), data=measures.AnswerData("insufficient")
    )
    migration.executed_when_answered(apps, None)
    assert Measure.objects.get(pk=stop.pk).executed_at == answered
    assert Measure.objects.get(pk=empty.pk).executed_at is None
