"""A run stored again (its job retried after the results were written) with results that no longer name a
pending proposal moved in from an earlier run gives it back to that run, with that run's score and
evidence, instead of deleting it; and its potential victims keep the record that they were already sent
to warnings."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from fanzha.numbers import background
from fanzha.numbers.models import IndicatorProposal, ProposalStatus, ScoringRun
from fanzha.numbers.services import number_hash, numbers_send_warnings
from fanzha.warnings.models import Warning
from tests.numbers.extract import FRAUD
from tests.numbers.factories import run_now, submit_extract


@pytest.fixture
def stored(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The engine results each run stored, to store them again."""
    results: list[Any] = []
    real = background.numbers_store

    def keep(*, run_id: int, result: Any) -> Any:
        results.append(result)
        return real(run_id=run_id, result=result)

    monkeypatch.setattr(background, "numbers_store", keep)
    return results


def _without(result: Any, number: str) -> Any:
    """The same results but for the proposal of ``number``."""
    return dataclasses.replace(result, proposals=[p for p in result.proposals if p["value"] != number])


def _proposal(number: str) -> IndicatorProposal:
    return IndicatorProposal.objects.get(number_hash=number_hash(number))


def _counts(*runs: ScoringRun) -> list[int]:
    for run in runs:
        run.refresh_from_db()
    return [run.proposals_count for run in runs]


def test_a_moved_in_proposal_the_new_results_do_not_name_goes_back_to_its_run(world, stored) -> None:  # type: ignore[no-untyped-def]
    analyst = world.users["analyst"]
    one = run_now(submit_extract(analyst))
    first = {p.number_hash: (p.pk, p.score, list(p.evidence)) for p in one.proposals.all()}
    two = run_now(submit_extract(analyst))
    moved = _proposal(FRAUD[0])
    assert moved.run_id == two.pk and _counts(one, two) == [0, 3]
    background.numbers_store(run_id=two.pk, result=_without(stored[-1], FRAUD[0]))
    back = _proposal(FRAUD[0])  # kept: the earlier run's evidence still names it
    assert back.pk == moved.pk and back.status == ProposalStatus.PENDING and back.run_id == one.pk
    assert (back.pk, back.score, list(back.evidence)) == first[back.number_hash]
    assert [_proposal(n).run_id for n in FRAUD[1:]] == [two.pk, two.pk]
    assert _counts(one, two) == [1, 2]
    assert one.proposals.count() == 1 and two.proposals.count() == 2


def test_it_goes_back_one_run_at_a_time(world, stored) -> None:  # type: ignore[no-untyped-def]
    analyst = world.users["analyst"]
    one, two, three = (run_now(submit_extract(analyst)) for _ in range(3))
    assert _proposal(FRAUD[0]).run_id == three.pk
    background.numbers_store(run_id=three.pk, result=_without(stored[-1], FRAUD[0]))
    assert _proposal(FRAUD[0]).run_id == two.pk
    background.numbers_store(run_id=two.pk, result=_without(stored[1], FRAUD[0]))
    assert _proposal(FRAUD[0]).run_id == one.pk and _proposal(FRAUD[0]).moved_from == []
    assert _counts(one) == [1]


def test_a_proposal_made_by_the_run_itself_is_still_dropped(world, stored) -> None:  # type: ignore[no-untyped-def]
    run = run_now(submit_extract(world.users["analyst"]))
    background.numbers_store(run_id=run.pk, result=_without(stored[-1], FRAUD[0]))
    assert not IndicatorProposal.objects.filter(number_hash=number_hash(FRAUD[0])).exists()
    assert _counts(run) == [2]


def test_victims_stored_again_keep_their_sent_link(world, stored) -> None:  # type: ignore[no-untyped-def]
    analyst = world.users["analyst"]
    run = run_now(submit_extract(analyst))
    numbers_send_warnings(actor=analyst, run=run, top=3)
    sent = {v.number_hash: (v.warning_id, v.sent_at) for v in run.victims.filter(sent_at__isnull=False)}
    assert len(sent) == 3 and all(warning for warning, _ in sent.values())
    background.numbers_store(run_id=run.pk, result=stored[-1])
    again = {v.number_hash: (v.warning_id, v.sent_at) for v in run.victims.filter(sent_at__isnull=False)}
    assert again == sent
    assert run.victims.count() == len(stored[-1].victims)
    result = numbers_send_warnings(actor=analyst, run=run, top=3)
    assert result.new == 0 and Warning.objects.count() == 3
