"""A request the bank does not answer has a clock: 30 minutes for a stop-payment, 24 hours for a freeze
(settings), shown on the request, in the bank's queue and on the officer's board; the clock check tells
the officer and the bank once when it runs out. Moments are China time (the platform's zone)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from fanzha.cases import clocks, measures, selectors
from fanzha.cases.models import CaseEvent, EventKind, Measure
from fanzha.jobs.models import Notification
from tests.cases.helpers import PAYEE, SECOND, THIRD, add_payment, answer, make_case

CHINA = ZoneInfo("Asia/Shanghai")


def china(*parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=CHINA)


def request(world, case, account: str, kind: str, sent_at: dt.datetime) -> Measure:
    officer = world.users["police_cg"]
    payment = case.payments.first() or add_payment(case, officer)
    target = measures.Target(
        account=account, amount_fen=5_000_000, bank_org=world.orgs["工商银行青溪支行"], payment=payment
    )
    measure = measures.measure_send(actor=officer, case=case, target=target, kind=kind)
    Measure.objects.filter(pk=measure.pk).update(sent_at=sent_at)
    return Measure.objects.get(pk=measure.pk)


def overdue_notes(user) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user, title__contains="未反馈"))


def test_the_answer_deadline_is_30_minutes_for_a_stop_and_24_hours_for_a_freeze():
    sent = china(2026, 11, 30, 23, 50)  # 15:50 UTC
    assert clocks.answer_due("stop", sent) == china(2026, 12, 1, 0, 20)
    assert clocks.answer_due("freeze", sent) == china(2026, 12, 1, 23, 50)


def test_the_answer_deadlines_come_from_settings(settings):
    settings.CASE_STOP_ANSWER_MINUTES = 10
    settings.CASE_FREEZE_ANSWER_HOURS = 4
    sent = china(2026, 12, 31, 22, 0)
    assert clocks.answer_due("stop", sent) == china(2026, 12, 31, 22, 10)
    assert clocks.answer_due("freeze", sent) == china(2027, 1, 1, 2, 0)


def test_a_waiting_request_shows_its_answer_clock(world):
    case = make_case(world)
    stop = request(world, case, PAYEE, "stop", china(2026, 11, 30, 23, 50))
    row = selectors.measure_rows([stop], now=china(2026, 12, 1, 0, 5))[0]
    assert row.answer_clock is not None and row.answer_clock.deadline == china(2026, 12, 1, 0, 20)
    assert row.answer_clock.text == "剩余 15分" and not row.answer_clock.expired
    late = selectors.measure_rows([stop], now=china(2026, 12, 1, 0, 25))[0].answer_clock
    assert late.expired and late.text == "已超时 5分"
    answered = selectors.measure_rows([answer(stop, world.users["bank"])], now=china(2026, 12, 1, 0, 25))
    assert answered[0].answer_clock is None and answered[0].countdown is not None


def test_the_bank_queue_puts_the_least_time_left_first(world):
    case = make_case(world)
    freeze = request(world, case, THIRD, "freeze", china(2026, 11, 30, 22, 0))  # due 12-01 22:00
    fresh = request(world, case, SECOND, "stop", china(2026, 12, 1, 0, 0))  # due 00:30
    late = request(world, case, PAYEE, "stop", china(2026, 11, 30, 23, 40))  # due 00:10: overdue
    queue = selectors.bank_queue(world.users["bank"], "open")
    assert [m.pk for m in queue] == [late.pk, fresh.pk, freeze.pk]
    rows = selectors.measure_rows(queue, now=china(2026, 12, 1, 0, 15))
    assert [r.answer_clock.expired for r in rows] == [True, False, False]


def test_the_bank_queue_page_marks_an_overdue_request(world, client):
    case = make_case(world)
    now = dt.datetime.now(tz=CHINA)
    request(world, case, PAYEE, "stop", now - dt.timedelta(minutes=45))
    request(world, case, SECOND, "stop", now - dt.timedelta(minutes=5))
    client.force_login(world.users["bank"])
    page = client.get("/cases/bank/").content.decode()
    assert page.count("反馈已超时") == 1 and "剩余 2" in page
    assert page.index("反馈已超时") < page.index("剩余 2")


def test_the_officers_board_shows_waiting_requests_with_their_deadline(world, client):
    case = make_case(world)
    now = dt.datetime.now(tz=CHINA)
    request(world, case, PAYEE, "stop", now - dt.timedelta(minutes=40))
    board = selectors.clocks_board(world.users["police_cg"], now)
    assert len(board) == 1 and board[0].answer_clock.expired
    client.force_login(world.users["police_cg"])
    page = client.get("/cases/").content.decode()
    assert 'data-testid="clock-board"' in page and "反馈已超时 10分" in page
    detail = client.get(f"/cases/{case.pk}/").content.decode()
    assert "待银行反馈" in detail and "反馈已超时 10分" in detail


def test_the_board_orders_waiting_and_running_clocks_by_deadline(world):
    case = make_case(world)
    in_force = request(world, case, SECOND, "stop", china(2026, 11, 29, 9, 0))
    in_force = answer(in_force, world.users["bank"])
    Measure.objects.filter(pk=in_force.pk).update(expires_at=china(2026, 12, 1, 9, 0))
    waiting = request(world, case, PAYEE, "stop", china(2026, 11, 30, 23, 50))
    board = selectors.clocks_board(world.users["police_cg"], china(2026, 12, 1, 0, 0))
    assert [r.measure.pk for r in board] == [waiting.pk, in_force.pk]


@pytest.mark.parametrize(
    ("kind", "sent", "before", "after"),
    [
        # sent 23:50 on 11-30, due 00:20 on 12-01 (China), 16:20 UTC on 11-30
        ("stop", china(2026, 11, 30, 23, 50), china(2026, 12, 1, 0, 19), china(2026, 12, 1, 0, 21)),
        # sent 07:30 China = 23:30 UTC the day before; due 08:00 China
        ("stop", china(2026, 12, 1, 7, 30), china(2026, 12, 1, 7, 59), china(2026, 12, 1, 8, 1)),
        # a freeze sent on New Year's Eve is due the next evening
        ("freeze", china(2026, 12, 31, 23, 0), china(2027, 1, 1, 22, 59), china(2027, 1, 1, 23, 1)),
    ],
)
def test_the_clock_check_tells_the_officer_and_the_bank_once(world, kind, sent, before, after):
    case = make_case(world)
    measure = request(world, case, PAYEE, kind, sent)
    officer, bank = world.users["police_cg"], world.users["bank"]
    assert measures.clock_check(now=before.astimezone(dt.UTC)).answers_overdue == 0
    assert not overdue_notes(officer) and not overdue_notes(bank)
    assert measures.clock_check(now=after.astimezone(dt.UTC)).answers_overdue == 1
    assert measures.clock_check(now=after + dt.timedelta(hours=1)).answers_overdue == 0
    assert len(overdue_notes(officer)) == 1 and len(overdue_notes(bank)) == 1
    due = clocks.answer_due(kind, sent)
    assert f"{due:%m-%d %H:%M}" in overdue_notes(officer)[0].body
    history = CaseEvent.objects.filter(case=case, kind=EventKind.ALERT, message__contains="未反馈")
    assert history.count() == 1 and f"#{measure.pk}" in history.get().message
    assert PAYEE not in overdue_notes(bank)[0].body


def test_an_answered_or_released_request_is_never_overdue(world):
    case = make_case(world)
    answered = request(world, case, PAYEE, "stop", china(2026, 12, 1, 10, 0))
    answer(answered, world.users["bank"])
    released = request(world, case, SECOND, "stop", china(2026, 12, 1, 10, 0))
    measures.measure_release(actor=world.users["police_cg"], measure=released, reason="误发")
    assert measures.clock_check(now=china(2026, 12, 1, 12, 0)).answers_overdue == 0
    assert not overdue_notes(world.users["police_cg"])
