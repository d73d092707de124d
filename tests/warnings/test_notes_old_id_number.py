"""A first-generation ID number (15 digits, still in old household records) typed into a visit's notes
is masked like an 18-digit one: the bank-account alternative took the 15 digits first and, not Luhn-valid,
gave them back unmasked — the ID pattern after it never saw them."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from fanzha.core.pii.masking import scrub_text
from fanzha.warnings.models import Outcome
from tests.personas import World
from tests.warnings.helpers import acknowledged_by_grid_worker

OLD_ID = "331102560301001"  # 青溪县, born 1956-03-01, the 15-digit form


def test_a_15_digit_id_number_in_the_notes_is_kept_masked(world: World, client: Any) -> None:
    warning = acknowledged_by_grid_worker(world, client)
    data = {
        "kind": "call",
        "outcome": Outcome.DISSUADED,
        "notes": f"老人出示的是老身份证 {OLD_ID}，已劝阻",
        "version": warning.version,
    }
    response = client.post(reverse("warning_contact", args=[warning.pk]), data)
    assert response.status_code == 302
    notes = warning.contacts.get().notes
    assert OLD_ID not in notes
    assert notes == "老人出示的是老身份证 3311*******1001，已劝阻"


def test_a_15_digit_card_number_stays_a_card_and_other_runs_stay_readable() -> None:
    """Luhn-valid 15 digits without a birth date in them are an account, masked as one; a 15-digit run
    that is neither (an order number) is left as it is."""
    assert scrub_text("身份证331102560301001") == "身份证3311*******1001"
    assert scrub_text("卡号 378282246310005") == "卡号 3782 **** **** 0005"
    assert scrub_text("订单 202699991234567") == "订单 202699991234567"
