"""Probe s19: a bank's answer to a stop-payment request holds no more than was asked for."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from fanzha.cases import measures
from fanzha.cases.models import MeasureStatus
from tests.cases.helpers import add_payment, make_case, send_stop
from tests.personas import login


@pytest.fixture
def request_50k(world):
    officer = world.users["police_cg"]
    return send_stop(add_payment(make_case(world), officer, amount_fen=5_000_000), officer)


def test_a_stopped_amount_over_the_requested_amount_is_refused(world, request_50k):
    too_much = 500_000_000  # 5,000,000 元: two zeros too many
    data = measures.AnswerData(answer="stopped", effective_fen=too_much, executed_at=timezone.now())
    with pytest.raises(ValidationError) as exc:
        measures.measure_answer(actor=world.users["bank"], measure=request_50k, data=data)
    assert "50,000.00 元" in str(exc.value)
    request_50k.refresh_from_db()
    assert request_50k.status == MeasureStatus.SENT and request_50k.effective_fen == 0


def test_a_partial_stop_is_recorded_as_the_bank_gives_it(world, request_50k):
    data = measures.AnswerData(
        answer="stopped", effective_fen=1_234_500, balance_fen=1_234_500, executed_at=timezone.now()
    )
    done = measures.measure_answer(actor=world.users["bank"], measure=request_50k, data=data)
    assert done.status == MeasureStatus.IN_FORCE and done.effective_fen == 1_234_500


def test_the_bank_page_shows_the_refusal_on_the_form(world, client, request_50k):
    login(client, world.users["bank"])
    response = client.post(
        f"/cases/bank/{request_50k.pk}/",
        {
            "answer": "stopped",
            "effective": "5,000,000.00元",
            "executed_at": f"{timezone.localtime():%Y-%m-%dT%H:%M}",
        },
    )
    assert response.status_code == 200 and "不能超过请求金额" in response.content.decode()
    request_50k.refresh_from_db()
    assert request_50k.status == MeasureStatus.SENT
