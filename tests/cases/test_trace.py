"""Tracing a payment through the case's statements, and stopping the money downstream."""

import pytest
from django.core.exceptions import ValidationError

from fanzha.audit.models import AuditEvent
from fanzha.cases import trace
from fanzha.cases.models import Measure
from fanzha.core.services import organisations as org_services
from tests.cases.helpers import (
    PAYEE,
    SECOND,
    THIRD,
    add_payment,
    make_case,
    payee_statement,
    second_statement,
    upload,
)


@pytest.fixture
def payment(world):
    officer = world.users["police_cg"]
    case = make_case(world)
    found = add_payment(case, officer)
    upload(case, officer, payee_statement())
    upload(case, officer, second_statement(), name="second.csv", bank_name="农业银行青溪支行")
    return found


def test_it_asks_for_the_payees_statement_first(world):
    officer = world.users["police_cg"]
    case = make_case(world)
    with pytest.raises(ValidationError) as exc:
        trace.trace_payment(actor=officer, payment=add_payment(case, officer))
    assert "收款卡" in str(exc.value)


def test_it_follows_the_victims_money_first_in_first_out(world, payment):
    found = trace.trace_payment(actor=world.users["police_cg"], payment=payment)
    held = {found.info(f.account).number: (f.hop, f.remaining) for f in found.result.still_held()}
    # the third card has no statement of its own: what reached it is shown as still there
    assert held == {THIRD: (2, 2_000_000), PAYEE: (0, 1_500_000), SECOND: (1, 1_000_000)}
    assert found.result.cash_out == 500_000 and found.result.held == 4_500_000
    assert found.info(found.index.account_id(payment.to_account_hash)).has_statement


def test_it_sends_stop_payments_to_the_accounts_that_still_hold_money(world, payment):
    abc = org_services.organisation_create(
        actor=None, name="农业银行青溪支行", kind="bank", area=world.area("城关镇")
    )
    outcome = trace.stop_downstream(actor=world.users["police_cg"], payment=payment)
    sent = {m.account: (m.requested_fen, m.bank_org, m.hop) for m in outcome.sent}
    assert sent == {PAYEE: (1_500_000, world.orgs["工商银行青溪支行"], 0), SECOND: (1_000_000, abc, 1)}
    assert len(outcome.skipped) == 1 and "20,000.00 元" in outcome.skipped[0]  # 建设银行: no organisation
    again = trace.stop_downstream(actor=world.users["police_cg"], payment=payment)
    assert again.sent == [] and Measure.objects.filter(case=payment.case).count() == 2
    assert AuditEvent.objects.filter(action="case.trace", object_id=str(payment.case_id)).count() == 2


def test_it_lists_accounts_it_cannot_route(world, payment):
    outcome = trace.stop_downstream(actor=world.users["police_cg"], payment=payment)
    assert len(outcome.sent) == 1 and len(outcome.skipped) == 2
    assert "未找到开户行" in outcome.skipped[0] and all(SECOND not in line for line in outcome.skipped)


def test_it_shows_the_trace_page_with_masked_accounts_and_the_graph(world, payment, client):
    client.force_login(world.users["police_cg"])
    page = client.get(f"/cases/payments/{payment.pk}/trace/").content.decode()
    assert "fz-trace-data" in page and "仍留存" in page and "45,000.00 元" in page
    assert PAYEE not in page and SECOND not in page
    export = client.get(f"/cases/payments/{payment.pk}/trace.csv").content.decode("utf-8-sig")
    assert export.splitlines()[0].startswith("层级,账号（脱敏）") and PAYEE not in export
