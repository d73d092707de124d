"""Probe s19: a 冲正 / 退汇 row that names no counterparty undoes the transfer it reverses in the trace."""

from fanzha.cases import trace
from tests.cases.helpers import PAYEE, SECOND, VICTIM_ACCOUNT, add_payment, make_case, statement_csv, upload


def _held(world, payment):
    found = trace.trace_payment(actor=world.users["police_cg"], payment=payment)
    return {found.info(f.account).number: f.remaining for f in found.result.still_held()}


def test_a_reversed_transfer_leaves_the_money_where_it_was(world):
    officer = world.users["police_cg"]
    case = make_case(world)
    payment = add_payment(case, officer)
    reversed_out = statement_csv(
        PAYEE,
        [
            f"20261120,100002,,50000.00,50000.00,{VICTIM_ACCOUNT},王秀英,农业银行,转账,A1\n",
            f"20261120,101500,30000.00,,20000.00,{SECOND},李某,农业银行,网银转账,A2\n",
            "20261120,102000,,30000.00,50000.00,,,,冲正 A2,A3\n",  # banks leave 对方账号 empty here
        ],
    )
    upload(case, officer, reversed_out)
    assert _held(world, payment) == {PAYEE: 5_000_000}


def test_a_returned_remittance_comes_back_from_the_account_it_went_to(world):
    officer = world.users["police_cg"]
    case = make_case(world)
    payment = add_payment(case, officer)
    returned = statement_csv(
        PAYEE,
        [
            f"20261120,100002,,50000.00,50000.00,{VICTIM_ACCOUNT},王秀英,农业银行,转账,A1\n",
            f"20261120,101500,30000.00,,20000.00,{SECOND},李某,农业银行,网银转账,A2\n",
            "20261120,103000,10000.00,,10000.00,,,,ATM取款,A3\n",
            "20261121,090000,,30000.00,40000.00,,,,退汇,A4\n",
        ],
    )
    upload(case, officer, returned)
    # FIFO: the ATM took 10,000 of what was left; the 30,000 back is the victim's money again
    assert _held(world, payment) == {PAYEE: 4_000_000}


def test_a_reversal_that_names_its_counterparty_is_still_a_transfer_back(world):
    officer = world.users["police_cg"]
    case = make_case(world)
    payment = add_payment(case, officer)
    named = statement_csv(
        PAYEE,
        [
            f"20261120,100002,,50000.00,50000.00,{VICTIM_ACCOUNT},王秀英,农业银行,转账,A1\n",
            f"20261120,101500,30000.00,,20000.00,{SECOND},李某,农业银行,网银转账,A2\n",
            f"20261120,102000,,30000.00,50000.00,{SECOND},李某,农业银行,冲正,A3\n",
        ],
    )
    upload(case, officer, named)
    assert _held(world, payment) == {PAYEE: 5_000_000}
