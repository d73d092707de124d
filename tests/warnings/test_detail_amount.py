"""The warning page's amount, written as its grading reason writes it (50,000 元), not as stored."""

from __future__ import annotations

from django.urls import reverse

from tests.personas import login
from tests.warnings.helpers import make_warning


def _amount_shown(page: str) -> str:
    return page.split('<dt class="col-4">涉案金额</dt>', 1)[1].split("</dd>", 1)[0].split(">", 1)[1]


def test_the_amount_reads_as_the_reason_beside_it(world, client) -> None:  # type: ignore[no-untyped-def]
    """The page said 50000.00 while the grading reason beside it said 涉案金额 50,000 元."""
    warning = make_warning(1, amount="50000")
    login(client, world.users["analyst"])
    page = client.get(reverse("warning_detail", args=[warning.pk])).content.decode()
    assert "涉案金额 50,000 元" in page
    assert _amount_shown(page) == "50,000 元"
    assert "50000.00" not in page


def test_an_amount_with_fen_keeps_them_and_none_is_a_dash(world, client) -> None:  # type: ignore[no-untyped-def]
    login(client, world.users["analyst"])
    with_fen = make_warning(2, amount="1234.5")
    page = client.get(reverse("warning_detail", args=[with_fen.pk])).content.decode()
    assert _amount_shown(page) == "1,234.50 元"
    without = make_warning(3)
    page = client.get(reverse("warning_detail", args=[without.pk])).content.decode()
    assert _amount_shown(page) == "—"


def test_the_rule_list_writes_its_minimum_amounts_the_same_way(world, client) -> None:  # type: ignore[no-untyped-def]
    login(client, world.users["analyst"])
    page = client.get(reverse("warning_rule_list")).content.decode()
    assert "金额≥50,000 元" in page and "50000.00" not in page
