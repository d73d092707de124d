"""Probe s23: the case loop as an officer, a bank and the centre meet it."""

import pytest
from django.core.exceptions import ValidationError

from fanzha.cases import measures
from tests.cases.helpers import add_payment, answer, make_case, send_stop


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
