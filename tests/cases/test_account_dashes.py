"""A card number written in groups with dashes (6222-0210-…) is that card: its bank, its mask, one account."""

from fanzha.cases.common import account_hash, clean_account
from fanzha.cases.models import Payment
from tests.cases.helpers import PAYEE, make_case


def test_the_counter_keeps_a_dashed_card_number_as_the_card(world, client):
    case = make_case(world)
    client.force_login(world.users["police_cg"])
    form = {
        "victim": case.victims.get().pk,
        "paid_at": "2026-11-20T10:00",
        "amount": "1000",
        "channel": "bank",
        "to_account": "6222-0210 0112-2334-455",
    }
    assert client.post(f"/cases/{case.pk}/payments/add/", form).status_code == 302
    payment = Payment.objects.get()
    assert payment.to_account == PAYEE and payment.to_account_hash == account_hash(PAYEE)
    assert payment.bank_org == world.orgs["工商银行青溪支行"]  # told by the card's BIN
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "6222 **** **** 4455" in page


def test_only_digits_lose_their_dashes():
    assert clean_account("6222-0210-0112-2334-455") == PAYEE
    assert clean_account("zhang-san@example.com") == "zhang-san@example.com"
    assert clean_account("6228****8901") == "6228****8901"
