"""A run's results stored again (its job retried after the store committed) keep the proposals it
holds: those moved in from earlier runs and those a person already decided."""

from __future__ import annotations

from typing import Any

import pytest

from fanzha.numbers import background
from fanzha.numbers.models import IndicatorProposal, ProposalStatus
from fanzha.numbers.services import number_hash, numbers_proposal_decide
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


def _proposals(number: str) -> list[tuple[int, int, str]]:
    found = IndicatorProposal.objects.filter(number_hash=number_hash(number)).order_by("id")
    return [(p.pk, p.run_id, p.status) for p in found]


def test_storing_a_run_again_keeps_the_pending_proposals_moved_into_it(world, stored) -> None:  # type: ignore[no-untyped-def]
    analyst = world.users["analyst"]
    run_now(submit_extract(analyst))
    two = run_now(submit_extract(analyst))
    before = {number: _proposals(number) for number in FRAUD}
    assert all(len(p) == 1 and p[0][1] == two.pk for p in before.values())  # moved from run one
    background.numbers_store(run_id=two.pk, result=stored[-1])
    assert {number: _proposals(number) for number in FRAUD} == before  # same proposals, same ids
    two.refresh_from_db()
    assert two.proposals_count == 3 == two.proposals.count()


def test_storing_a_run_again_keeps_a_decision_made_on_it(world, stored) -> None:  # type: ignore[no-untyped-def]
    analyst = world.users["analyst"]
    run = run_now(submit_extract(analyst))
    proposal = run.proposals.get(number_hash=number_hash(FRAUD[0]))
    numbers_proposal_decide(actor=analyst, proposal=proposal, confirm=True)
    background.numbers_store(run_id=run.pk, result=stored[-1])
    assert _proposals(FRAUD[0]) == [(proposal.pk, run.pk, ProposalStatus.CONFIRMED)]
    assert len(_proposals(FRAUD[1])) == 1
    run.refresh_from_db()
    assert run.proposals_count == run.proposals.count() == 3
