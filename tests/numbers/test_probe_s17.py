"""Potential victims into warnings and numbers into the indicator proposals, as an analyst uses them:
the same extract scored twice, a victim the centre already warned, proposals across runs."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from fanzha.numbers.models import IndicatorProposal, ProposalStatus
from fanzha.numbers.services import number_hash, numbers_proposal_decide, numbers_send_warnings
from fanzha.warnings.intake import WarningInput
from fanzha.warnings.models import Warning
from fanzha.warnings.services import Intake, receive
from tests.numbers import extract
from tests.numbers.extract import FRAUD
from tests.numbers.factories import run_now, submit_extract

CHINA = ZoneInfo("Asia/Shanghai")
FIRST_VICTIM = "13905700000"  # called by all three fraud numbers, talked 7 minutes, called back


@pytest.fixture
def recent(monkeypatch: pytest.MonkeyPatch) -> dt.datetime:
    """The extract's calls made in the last few days (the merge window is 72 hours)."""
    local = timezone.localtime(timezone.now(), CHINA).replace(tzinfo=None)
    base = (local - dt.timedelta(days=23)).replace(hour=9, minute=0, second=0, microsecond=0)
    monkeypatch.setattr(extract, "BASE", base)
    return base


def test_a_victim_row_names_its_high_risk_numbers_masked_and_the_warning_gets_them(world, client) -> None:  # type: ignore[no-untyped-def]
    analyst = world.users["analyst"]
    run = run_now(submit_extract(analyst))
    first = run.victims.get(rank=1)
    assert first.number == FIRST_VICTIM
    assert sorted(first.suspect_numbers.split()) == sorted(FRAUD)
    assert "170****0001" in first.reasons and FRAUD[0] not in first.reasons
    client.force_login(analyst)
    page = client.get(reverse("numbers_run_detail", args=[run.pk])).content.decode()
    assert "170****0001" in page and not any(n in page for n in FRAUD)
    numbers_send_warnings(actor=analyst, run=run, top=1)
    warning = Warning.objects.get()
    assert sorted(warning.suspect_numbers.split()) == sorted(FRAUD)
    assert "曾回拨 1 次" in warning.notes


def test_contact_times_are_china_time_whatever_the_sites_time_zone(world, settings) -> None:  # type: ignore[no-untyped-def]
    settings.TIME_ZONE = "UTC"
    run = run_now(submit_extract(world.users["analyst"]))
    first = run.victims.get(rank=1)
    # the extract's calls are written in China time: 2026-03-02 .. 2026-03-24 (BASE 09:00)
    assert first.first_contact is not None and first.first_contact.tzinfo is not None
    local = first.first_contact.astimezone(CHINA)
    assert f"首次 {local:%Y-%m-%d %H:%M}" in first.reasons


def test_the_same_extract_scored_twice_makes_no_second_warning_or_merge(world) -> None:  # type: ignore[no-untyped-def]
    analyst = world.users["analyst"]
    one = run_now(submit_extract(analyst))
    two = run_now(submit_extract(analyst))
    assert numbers_send_warnings(actor=analyst, run=one, top=3).new == 3
    again = numbers_send_warnings(actor=analyst, run=two, top=3)
    assert (again.new, again.merged, again.unchanged) == (0, 0, 3)
    assert Warning.objects.count() == 3 and all(w.merged_count == 0 for w in Warning.objects.all())
    assert all(v.warning_id is not None for v in two.victims.filter(rank__lte=3))


def test_a_victim_the_centre_warned_within_the_window_joins_that_warning(world, recent) -> None:  # type: ignore[no-untyped-def]
    analyst = world.users["analyst"]
    warned = timezone.now() - dt.timedelta(hours=30)
    centre = receive(
        intake=Intake(analyst),
        data=WarningInput(
            source="superior", source_id="SJ-1", phone=FIRST_VICTIM, warned_at=warned, notes="中心来电提醒"
        ),
    ).warning
    run = run_now(submit_extract(analyst))
    result = numbers_send_warnings(actor=analyst, run=run, top=1)
    assert (result.new, result.merged) == (0, 1)
    centre.refresh_from_db()
    assert Warning.objects.count() == 1 and centre.merged_count == 1
    assert "中心来电提醒" in centre.notes and "曾回拨 1 次" in centre.notes
    assert centre.facts["callbacks"] == 1 and sorted(centre.suspect_numbers.split()) == sorted(FRAUD)


def _pending(number: str) -> list[IndicatorProposal]:
    return list(IndicatorProposal.objects.filter(number_hash=number_hash(number), status="pending"))


def test_a_number_proposed_by_two_runs_is_one_pending_proposal_on_the_latest_run(world) -> None:  # type: ignore[no-untyped-def]
    analyst = world.users["analyst"]
    one = run_now(submit_extract(analyst))
    two = run_now(submit_extract(analyst))
    for number in FRAUD:
        pending = _pending(number)
        assert len(pending) == 1 and pending[0].run_id == two.pk and pending[0].evidence
    assert one.proposals.count() == 0 and two.proposals.count() == 3


def test_a_rejected_proposal_is_not_proposed_again_by_the_same_evidence(world) -> None:  # type: ignore[no-untyped-def]
    analyst = world.users["analyst"]
    one = run_now(submit_extract(analyst))
    proposal = one.proposals.get(number_hash=number_hash(FRAUD[0]))
    numbers_proposal_decide(actor=analyst, proposal=proposal, confirm=False)
    run_now(submit_extract(analyst))
    assert _pending(FRAUD[0]) == []
    assert len(_pending(FRAUD[1])) == 1


def test_a_confirmed_number_goes_onto_the_list_once(world) -> None:  # type: ignore[no-untyped-def]
    analyst = world.users["analyst"]
    one = run_now(submit_extract(analyst))
    numbers_proposal_decide(
        actor=analyst, proposal=one.proposals.get(number_hash=number_hash(FRAUD[0])), confirm=True
    )
    run_now(submit_extract(analyst))
    listed = IndicatorProposal.objects.filter(number_hash=number_hash(FRAUD[0]))
    assert [p.status for p in listed] == [ProposalStatus.CONFIRMED]


def test_confirming_a_number_already_on_the_list_is_refused(world) -> None:  # type: ignore[no-untyped-def]
    analyst = world.users["analyst"]
    one = run_now(submit_extract(analyst))
    proposal = one.proposals.get(number_hash=number_hash(FRAUD[0]))
    twin = IndicatorProposal.objects.create(  # a duplicate left by an earlier version
        run=one, number=FRAUD[0], number_hash=number_hash(FRAUD[0]), score=0.9, evidence=["旧"]
    )
    numbers_proposal_decide(actor=analyst, proposal=proposal, confirm=True)
    with pytest.raises(ValidationError, match="已在涉诈名单"):
        numbers_proposal_decide(actor=analyst, proposal=twin, confirm=True)
