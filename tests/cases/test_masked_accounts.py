"""Accounts another bank's statement shows masked (6228****8901): the trace still follows the money to
them, but no stop-payment can go to an account the bank cannot identify — the officer is told to get
the full number (调取完整账号) instead, and the other accounts still get theirs."""

import pytest
from django.core.exceptions import ValidationError

from fanzha.cases import measures, trace
from fanzha.cases.common import account_hash
from fanzha.cases.models import Measure
from fanzha.core.services import organisations as org_services
from tests.cases.helpers import PAYEE, SECOND, VICTIM_ACCOUNT, add_payment, make_case, statement_csv, upload

MASKED = "6228****8901"


@pytest.fixture
def payment(world):
    officer = world.users["police_cg"]
    case = make_case(world)
    found = add_payment(case, officer)
    rows = [
        f"20261120,100002,,50000.00,50000.00,{VICTIM_ACCOUNT},王秀英,农业银行,转账,A1\n",
        f"20261120,101500,30000.00,,20000.00,{MASKED},李某,农业银行,网银转账,A2\n",
        f"20261120,101600,20000.00,,0.00,{SECOND},钱某,农业银行,网银转账,A3\n",
    ]
    upload(case, officer, statement_csv(PAYEE, rows))
    abc = "农业银行青溪支行"
    org_services.organisation_create(actor=None, name=abc, kind="bank", area=world.area("城关镇"))
    return found


def test_the_trace_follows_the_money_to_a_masked_account(world, payment):
    found = trace.trace_payment(actor=world.users["police_cg"], payment=payment)
    held = {found.info(f.account).number: f.remaining for f in found.result.still_held()}
    assert held == {MASKED: 3_000_000, SECOND: 2_000_000}


def test_stopping_downstream_skips_a_masked_account_and_says_why(world, payment):
    outcome = trace.stop_downstream(actor=world.users["police_cg"], payment=payment)
    assert [(m.account, m.requested_fen) for m in outcome.sent] == [(SECOND, 2_000_000)]
    assert len(outcome.skipped) == 1
    assert "完整账号" in outcome.skipped[0] and "30,000.00 元" in outcome.skipped[0]
    assert not Measure.objects.filter(account_hash=account_hash(MASKED)).exists()


def test_a_request_for_a_masked_account_is_refused(world, payment):
    target = measures.Target(MASKED, 1_000_000, "工商银行", world.orgs["工商银行青溪支行"])
    with pytest.raises(ValidationError) as exc:
        measures.measure_send(actor=world.users["police_cg"], case=payment.case, target=target)
    assert "完整账号" in str(exc.value)
