"""Probe s24: onward stop-payments to several accounts share one cap — what moved on from the answered
measure, never more than the payment."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from fanzha.cases import measures, recovery
from fanzha.cases.models import Measure
from tests.cases.helpers import add_payment, make_case, send_stop
from tests.personas import login

ONWARD_A = "6222020000000000017"  # 工商银行 cards (BIN 622202): both have a bank unit here
ONWARD_B = "6222021001199887766"


@pytest.fixture
def officer(world):
    return world.users["police_cg"]


@pytest.fixture
def bank(world):
    return world.users["bank"]


def moved_on(world, officer, bank, held_fen: int = 0) -> Measure:
    """A 50,000 yuan payment's stop answered: ``held_fen`` held, the rest moved on to two accounts."""
    stop = send_stop(add_payment(make_case(world), officer), officer)
    answer = "stopped" if held_fen else "moved_on"
    data = measures.AnswerData(
        answer, effective_fen=held_fen, moved_to=f"{ONWARD_A}、{ONWARD_B}", executed_at=timezone.now()
    )
    return measures.measure_answer(actor=bank, measure=stop, data=data)


def onward_total(source: Measure) -> int:
    return sum(Measure.objects.filter(case=source.case, hop=1).values_list("requested_fen", flat=True))


def test_one_click_to_several_accounts_does_not_ask_each_for_all_that_moved_on(world, officer, bank):
    source = moved_on(world, officer, bank)
    with pytest.raises(ValidationError) as refused:
        measures.measure_follow_money(actor=officer, measure=source)
    assert "请分别填写" in str(refused.value) and "50,000.00 元" in str(refused.value)
    assert onward_total(source) == 0  # was 100,000 yuan: 50,000 to each of the two accounts


def test_the_accounts_share_what_moved_on_and_an_over_ask_names_the_amounts(world, officer, bank):
    source = moved_on(world, officer, bank, held_fen=2_000_000)  # 20,000 held, 30,000 moved on
    assert measures.onward_available_fen(source) == 3_000_000
    with pytest.raises(ValidationError) as refused:
        measures.measure_follow_money(
            actor=officer, measure=source, amounts={ONWARD_A: 2_000_000, ONWARD_B: 2_000_000}
        )
    text = " ".join(refused.value.messages)
    assert "合计 40,000.00 元" in text and "可申请止付余额 30,000.00 元" in text
    assert onward_total(source) == 0

    sent = measures.measure_follow_money(actor=officer, measure=source, amounts={ONWARD_A: 1_800_000})
    assert [m.requested_fen for m in sent.sent] == [1_800_000]
    assert sent.sent[0].onward_from_id == source.pk
    assert measures.onward_available_fen(source) == 1_200_000
    with pytest.raises(ValidationError) as again:
        measures.measure_follow_money(actor=officer, measure=source, amounts={ONWARD_B: 1_500_000})
    assert "可申请止付余额 12,000.00 元" in " ".join(again.value.messages)
    measures.measure_follow_money(actor=officer, measure=source, amounts={ONWARD_B: 1_200_000})
    assert onward_total(source) == 3_000_000 and measures.onward_available_fen(source) == 0


def test_a_single_sendable_account_gets_what_is_left(world, officer, bank):
    source = moved_on(world, officer, bank, held_fen=2_000_000)
    measures.measure_follow_money(actor=officer, measure=source, amounts={ONWARD_A: 1_000_000})
    # ONWARD_A has a request waiting: the one click goes to ONWARD_B alone, for the 20,000 left.
    rest = measures.measure_follow_money(actor=officer, measure=source)
    assert [(m.account, m.requested_fen) for m in rest.sent] == [(ONWARD_B, 2_000_000)]


def test_a_request_answered_not_our_account_gives_its_amount_back_to_the_cap(world, officer, bank):
    source = moved_on(world, officer, bank)
    sent = measures.measure_follow_money(actor=officer, measure=source, amounts={ONWARD_A: 3_000_000})
    assert measures.onward_available_fen(source) == 2_000_000
    measures.measure_answer(actor=bank, measure=sent.sent[0], data=measures.AnswerData("no_account"))
    assert measures.onward_available_fen(source) == 5_000_000  # was 20,000: the 30,000 stayed counted
    measures.measure_follow_money(actor=officer, measure=source, amounts={ONWARD_B: 5_000_000})
    assert measures.onward_available_fen(source) == 0


def test_the_case_totals_count_a_payment_at_most_once(world, officer, bank):
    """Requests sent before the cap (or by another path) held more than the payment between them: the
    case's and the victim's stopped amounts stop at the payment."""
    source = moved_on(world, officer, bank)
    for account in (ONWARD_A, ONWARD_B):
        target = measures.Target(account, 5_000_000, "", source.bank_org, "", 1, source.payment)
        sent = measures.measure_send(actor=officer, case=source.case, target=target)
        data = measures.AnswerData("stopped", effective_fen=5_000_000, executed_at=timezone.now())
        measures.measure_answer(actor=bank, measure=sent, data=data)
    assert recovery.recovery_of_case(source.case).stopped_fen == 5_000_000  # was 100,000 yuan
    [(_, by_victim)] = recovery.recovery_by_victim(source.case)
    assert by_victim.stopped_fen == 5_000_000


def test_the_form_shows_what_is_left_and_refuses_an_over_ask(world, officer, bank, client):
    source = moved_on(world, officer, bank, held_fen=2_000_000)
    login(client, officer)
    url = f"/cases/measures/{source.pk}/follow-money/"
    page = client.get(url).content.decode()
    assert "可申请止付余额" in page and "30,000.00 元" in page
    assert ONWARD_A not in page and ONWARD_B not in page  # masked
    refused = client.post(url, {"amount_0": "20000", "amount_1": "20000"})
    assert refused.status_code == 200
    text = refused.content.decode()
    assert "合计 40,000.00 元" in text and "可申请止付余额 30,000.00 元" in text
    assert onward_total(source) == 0  # was two requests of 30,000 each

    done = client.post(url, {"amount_0": "18000", "amount_1": "12000"})
    assert done.status_code == 302
    assert sorted(Measure.objects.filter(onward_from=source).values_list("requested_fen", flat=True)) == [
        1_200_000,
        1_800_000,
    ]
