"""Stop-payment and freeze requests, the banks' answers and the legal clocks."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings
from django.utils import timezone

from fanzha.audit.models import AuditEvent
from fanzha.cases import clocks, measures
from fanzha.cases.models import Measure, MeasureStatus
from fanzha.core.services import organisations as org_services
from fanzha.jobs.models import Notification
from tests.cases.helpers import PAYEE, add_payment, answer, make_case, send_stop


@pytest.fixture
def stop(world):
    case = make_case(world)
    return send_stop(add_payment(case, world.users["police_cg"]), world.users["police_cg"])


def test_it_sends_the_request_to_the_banks_queue_and_tells_its_staff(
    world, stop, django_capture_on_commit_callbacks
):
    assert stop.bank_org == world.orgs["工商银行青溪支行"] and stop.status == MeasureStatus.SENT
    assert stop.requested_fen == 5_000_000 and stop.expires_at is None  # the clock starts at execution
    assert list(Measure.objects.visible_to(world.users["bank"])) == [stop]
    assert not Measure.objects.visible_to(world.users["telecom"]).exists()
    assert not Measure.objects.visible_to(world.users["police_lq"]).exists()
    assert AuditEvent.objects.filter(action="case.measure_send", object_id=str(stop.pk)).exists()


def test_it_notifies_bank_staff_once_committed(world, django_capture_on_commit_callbacks):
    case = make_case(world)
    with django_capture_on_commit_callbacks(execute=True):
        send_stop(add_payment(case, world.users["police_cg"]), world.users["police_cg"])
    note = Notification.objects.get(recipient=world.users["bank"])
    assert "紧急止付请求" in note.title and PAYEE not in note.body


def test_it_refuses_a_second_open_request_for_the_same_account(world, stop):
    with pytest.raises(ValidationError) as exc:
        send_stop(stop.payment, world.users["police_cg"])
    assert "已有待反馈或生效中" in str(exc.value)


def test_it_starts_the_48_hour_clock_when_the_bank_stops_the_money(world, stop):
    before = timezone.now()
    done = answer(stop, world.users["bank"], "stopped", 3_000_000)
    assert done.status == MeasureStatus.IN_FORCE and done.effective_fen == 3_000_000
    assert before + dt.timedelta(hours=48) <= done.expires_at <= timezone.now() + dt.timedelta(hours=48)
    with pytest.raises(ValidationError):
        answer(done, world.users["bank"])  # answered once


def test_it_lets_only_the_addressed_bank_answer(world, stop):
    other = org_services.organisation_create(
        actor=None, name="农业银行青溪支行", kind="bank", area=world.area("城关镇")
    )
    clerk = org_services.user_create(
        actor=None, username="abc", password="Qingxi#2026test", organisation=other, roles=["bank_staff"]
    )
    with pytest.raises(PermissionDenied):
        answer(stop, clerk)
    with pytest.raises(PermissionDenied):
        answer(stop, world.users["police_cg"])


def test_it_records_why_nothing_was_held(world, stop):
    moved = answer(stop, world.users["bank"], "moved_on")
    assert moved.status == MeasureStatus.NOT_EFFECTIVE and moved.expires_at is None and moved.moved_to


def test_it_needs_an_amount_for_a_stop(world, stop):
    with pytest.raises(ValidationError) as exc:
        measures.measure_answer(
            actor=world.users["bank"],
            measure=stop,
            data=measures.AnswerData("stopped", 0, executed_at=timezone.now()),
        )
    assert "effective" in exc.value.message_dict


def test_it_repeats_a_stop_at_most_twice_then_asks_for_a_freeze(world, stop):
    officer, bank = world.users["police_cg"], world.users["bank"]
    current = answer(stop, bank)
    for sequence in (2, 3):
        current = measures.measure_follow_up(actor=officer, measure=current, kind="stop")
        assert current.sequence == sequence
        current = answer(current, bank)
    with pytest.raises(ValidationError) as exc:
        measures.measure_follow_up(actor=officer, measure=current, kind="stop")
    assert "最多次数" in str(exc.value)
    frozen = answer(measures.measure_follow_up(actor=officer, measure=current, kind="freeze"), bank, "frozen")
    assert frozen.kind == "freeze" and frozen.sequence == 1 and frozen.previous == current
    months = frozen.expires_at - frozen.answered_at
    assert dt.timedelta(days=181) <= months <= dt.timedelta(days=184)
    assert Measure.objects.get(pk=current.pk).status == MeasureStatus.RENEWED


@override_settings(CASE_STOP_REPEATS=0)
def test_it_takes_the_repeat_limit_from_settings(world, stop):
    with pytest.raises(ValidationError):
        measures.measure_follow_up(
            actor=world.users["police_cg"], measure=answer(stop, world.users["bank"]), kind="stop"
        )


def test_it_alerts_the_officer_once_before_the_clock_runs_out_and_marks_it_expired(world, stop):
    done = answer(stop, world.users["bank"])
    officer = world.users["police_cg"]
    early = measures.clock_check(now=done.expires_at - dt.timedelta(hours=20))
    assert early.alerted == 0
    soon = done.expires_at - dt.timedelta(hours=3)
    assert measures.clock_check(now=soon).alerted == 1
    assert measures.clock_check(now=soon).alerted == 0
    alert = Notification.objects.filter(recipient=officer, title__contains="即将到期").get()
    assert "还可 2 次" in alert.body
    report = measures.clock_check(now=done.expires_at + dt.timedelta(minutes=1))
    assert report.expired == 1 and Measure.objects.get(pk=done.pk).status == MeasureStatus.EXPIRED
    assert AuditEvent.objects.filter(action="case.measure_expire", object_id=str(done.pk)).exists()


def test_it_counts_down(world):
    now = timezone.now()
    running = clocks.countdown("stop", now + dt.timedelta(hours=30, minutes=5), now)
    assert running.text == "剩余 1天6小时" and not running.warn and not running.expired
    close = clocks.countdown("stop", now + dt.timedelta(hours=2, minutes=30), now)
    assert close.text == "剩余 2小时30分" and close.warn
    assert clocks.countdown("stop", now - dt.timedelta(minutes=90), now).text == "已超时 1小时30分"
    assert clocks.add_months(dt.datetime(2026, 8, 31), 6) == dt.datetime(2027, 2, 28)


def test_it_reveals_the_account_only_with_a_purpose_and_audits_it(world, stop):
    bank = world.users["bank"]
    with pytest.raises(ValidationError):
        measures.measure_account_reveal(actor=bank, measure=stop, purpose="")
    assert measures.measure_account_reveal(actor=bank, measure=stop, purpose="case") == PAYEE
    read = AuditEvent.objects.get(action="pii.read", object_id=str(stop.pk))
    assert read.fields == ["account"] and PAYEE not in str(read.details)
    with pytest.raises(PermissionDenied):
        measures.measure_account_reveal(actor=world.users["police_lq"], measure=stop, purpose="case")


def test_it_releases_with_a_reason(world, stop):
    done = answer(stop, world.users["bank"])
    with pytest.raises(ValidationError):
        measures.measure_release(actor=world.users["police_cg"], measure=done, reason=" ")
    released = measures.measure_release(actor=world.users["police_cg"], measure=done, reason="资金已返还")
    assert released.status == MeasureStatus.RELEASED


def test_it_follows_money_the_bank_says_moved_on(world, stop):
    moved = measures.measure_answer(
        actor=world.users["bank"],
        measure=stop,
        data=measures.AnswerData("moved_on", moved_to="6222020000000000017、6217001234567890123"),
    )
    onward = measures.measure_follow_money(actor=world.users["police_cg"], measure=moved)
    assert [(m.account, m.hop, m.bank_org) for m in onward.sent] == [
        ("6222020000000000017", 1, world.orgs["工商银行青溪支行"])
    ]
    assert (
        len(onward.skipped) == 1 and "6217001234567890123" not in onward.skipped[0]
    )  # 建设银行: no organisation here
    again = measures.measure_follow_money(actor=world.users["police_cg"], measure=moved)
    assert again.sent == []
