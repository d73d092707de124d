"""Probe s23: the case loop as an officer, a bank and the centre meet it."""

import datetime as dt
import io

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from fanzha.cases import measures, recovery, selectors
from tests.cases.helpers import (
    PAYEE,
    SECOND,
    VICTIM_ACCOUNT,
    add_payment,
    answer,
    make_case,
    send_stop,
    upload,
)
from tests.personas import login


@pytest.fixture
def officer(world):
    return world.users["police_cg"]


@pytest.fixture
def bank(world):
    return world.users["bank"]


def test_a_stop_request_answered_as_frozen_is_refused(world, officer, bank):
    stop = send_stop(add_payment(make_case(world), officer), officer)
    with pytest.raises(ValidationError):
        answer(stop, bank, "frozen", 1_000_000)


def test_a_freeze_request_answered_as_stopped_is_refused(world, officer, bank):
    payment = add_payment(make_case(world), officer)
    target = measures.target_of_payment(payment)
    freeze = measures.measure_send(actor=officer, case=payment.case, target=target, kind="freeze")
    with pytest.raises(ValidationError):
        answer(freeze, bank, "stopped", 1_000_000)


def test_a_request_for_more_than_the_payment_is_refused(world, officer):
    payment = add_payment(make_case(world), officer, amount_fen=1_000_000)
    target = measures.target_of_payment(payment)
    target.amount_fen = 100_000_000  # 1,000,000 元 typed for a 10,000 元 payment
    with pytest.raises(ValidationError) as exc:
        measures.measure_send(actor=officer, case=payment.case, target=target)
    assert "10,000.00 元" in str(exc.value)


def test_an_answer_given_after_its_deadline_is_shown_late_on_the_case_page(world, officer, bank, client):
    stop = send_stop(add_payment(make_case(world), officer), officer)
    stop.sent_at = timezone.now() - dt.timedelta(minutes=45)  # 30 minutes to answer a stop
    stop.save(update_fields=["sent_at"])
    answer(stop, bank, "stopped", 1_000_000)  # before the clock check marked it overdue
    stop.refresh_from_db()
    [row] = selectors.measure_rows([stop])
    assert row.answered_late == "超时反馈（15分）"
    login(client, officer)
    page = client.get(f"/cases/{stop.case_id}/").content.decode()
    assert "超时反馈（15分）" in page


def test_an_answer_in_time_is_not_marked(world, officer, bank):
    stop = answer(send_stop(add_payment(make_case(world), officer), officer), bank, "stopped", 1_000_000)
    [row] = selectors.measure_rows([stop])
    assert row.answered_late == ""


def test_a_repeated_stop_waiting_for_its_answer_keeps_the_stopped_amount(world, officer, bank):
    stop = answer(send_stop(add_payment(make_case(world), officer), officer), bank, "stopped", 3_000_000)
    again = measures.measure_follow_up(actor=officer, measure=stop, kind="stop")
    assert recovery.recovery_of_case(stop.case).stopped_fen == 3_000_000  # was 0 until the bank answered
    [(_, mine)] = recovery.recovery_by_victim(stop.case)
    assert mine.stopped_fen == 3_000_000
    answer(again, bank, "stopped", 2_000_000)
    assert recovery.recovery_of_case(stop.case).stopped_fen == 2_000_000  # the answer replaces it, once


def test_a_freeze_waiting_for_its_answer_leaves_the_stop_counted_and_then_replaces_it(world, officer, bank):
    stop = answer(send_stop(add_payment(make_case(world), officer), officer), bank, "stopped", 3_000_000)
    freeze = measures.measure_follow_up(actor=officer, measure=stop, kind="freeze")
    before = recovery.recovery_of_case(stop.case)
    assert (before.stopped_fen, before.frozen_fen) == (3_000_000, 0)
    answer(freeze, bank, "frozen", 3_000_000)
    after = recovery.recovery_of_case(stop.case)
    assert (after.stopped_fen, after.frozen_fen) == (0, 3_000_000)


def test_the_case_list_shows_the_loss_as_the_case_page_does(world, officer, client):
    case = make_case(world, loss_fen=1_234_567)
    login(client, officer)
    listed = client.get("/cases/").content.decode()
    shown = client.get(f"/cases/{case.pk}/").content.decode()
    assert "12,345.67 元" in listed and "12,345.67 元" in shown
    assert ">12346<" not in listed  # was rounded to whole yuan, without separators


def test_a_workbook_whose_rows_go_on_in_a_second_sheet_is_imported_whole(world, officer):
    case = make_case(world)
    book = openpyxl.Workbook()
    header = ["交易时间", "交易金额", "借贷标志", "对方账号", "摘要", "交易流水号"]
    book.active.append(header)
    book.active.append([dt.datetime(2026, 11, 20, 10, 0, 2), 50000, "贷", VICTIM_ACCOUNT, "转账", "A1"])
    second = book.create_sheet("Sheet2")
    second.append(header)
    second.append([dt.datetime(2026, 11, 20, 10, 15), 30000, "借", SECOND, "转账", "A2"])
    buffer = io.BytesIO()
    book.save(buffer)
    statement, _ = upload(case, officer, buffer.getvalue(), name="icbc.xlsx", account=PAYEE)
    assert statement.rows_added == 2  # the second sheet was left out without a word


def test_a_partial_stop_whose_rest_moved_on_is_followed_for_the_rest(world, officer, bank, client):
    stop = send_stop(add_payment(make_case(world), officer), officer)  # 50,000 asked
    onward_card = "6222021001199887766"  # another 工商银行 card
    data = measures.AnswerData(
        answer="stopped", effective_fen=2_000_000, moved_to=onward_card, executed_at=timezone.now()
    )
    stop = measures.measure_answer(actor=bank, measure=stop, data=data)  # 20,000 held, the rest moved on
    login(client, officer)
    assert f"follow-money-{stop.pk}" in client.get(f"/cases/{stop.case_id}/").content.decode()
    onward = measures.measure_follow_money(actor=officer, measure=stop)
    assert [m.requested_fen for m in onward.sent] == [3_000_000]  # the 30,000 that moved on, not 50,000


def test_a_full_stop_offers_no_onward_stop(world, officer, bank):
    stop = send_stop(add_payment(make_case(world), officer), officer)
    data = measures.AnswerData(
        answer="stopped", effective_fen=5_000_000, moved_to=SECOND, executed_at=timezone.now()
    )
    stop = measures.measure_answer(actor=bank, measure=stop, data=data)
    with pytest.raises(ValidationError):
        measures.measure_follow_money(actor=officer, measure=stop)
