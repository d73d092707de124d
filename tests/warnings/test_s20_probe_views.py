"""The centre's figures as a county centre reads them: what the dissuasion rate counts."""

from __future__ import annotations

from django.urls import reverse

from fanzha.warnings import selectors
from fanzha.warnings.models import Warning
from fanzha.warnings.workflow import ContactData, warning_contact_record
from tests.personas import World, login
from tests.warnings.helpers import make_warning


def _reached(world: World, outcomes: list[str]) -> None:
    for n, outcome in enumerate(outcomes, start=1):
        warning_contact_record(
            actor=world.users["grid_cd"],
            warning=make_warning(n),
            data=ContactData(kind="call", outcome=outcome),
        )


def test_a_warning_found_invalid_on_the_call_is_not_one_the_unit_failed_to_dissuade(world: World) -> None:
    # The grid worker reached both: one was stopped, the other was no fraud at all (the person's own
    # transfer) — nothing to dissuade: 1 of 1, not 1 of 2.
    _reached(world, ["dissuaded", "invalid"])
    totals = selectors.summary(Warning.objects.all())[0]
    assert totals["dissuasion_rate"] == "100.0%"
    by_unit = selectors.summary(Warning.objects.all(), ("organisation__name", "organisation_id"))
    assert [row["dissuasion_rate"] for row in by_unit] == ["100.0%"]


def test_the_stats_page_says_what_the_rate_counts(world: World, client) -> None:  # type: ignore[no-untyped-def]
    _reached(world, ["dissuaded", "invalid", "refused"])
    login(client, world.users["leader"])
    page = client.get(reverse("warning_stats")).content.decode()
    assert "50.0%" in page and "无效预警除外" in page
