"""An earlier run stored again (its job retried after a later run was stored) leaves the later run's
pending proposals where they are: the later run proposed them last (docs/numbers.md, “one pending
proposal per number”); the earlier run's new score and evidence are what they go back with."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from fanzha.numbers import background
from fanzha.numbers.models import IndicatorProposal, ScoringRun
from fanzha.numbers.services import number_hash
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


def _proposal(number: str) -> IndicatorProposal:
    return IndicatorProposal.objects.get(number_hash=number_hash(number))


def _counts(*runs: ScoringRun) -> list[int]:
    for run in runs:
        run.refresh_from_db()
    return [run.proposals_count for run in runs]


def _rescored(result: Any, number: str, score: float) -> Any:
    proposals = [{**p, "score": score} if p["value"] == number else p for p in result.proposals]
    return dataclasses.replace(result, proposals=proposals)


def test_an_earlier_run_stored_again_leaves_the_later_runs_proposals(world, stored) -> None:  # type: ignore[no-untyped-def]
    analyst = world.users["analyst"]
    one = run_now(submit_extract(analyst))
    two = run_now(submit_extract(analyst))
    held = {n: (_proposal(n).pk, _proposal(n).score, list(_proposal(n).evidence)) for n in FRAUD[:3]}
    assert _counts(one, two) == [0, 3]
    background.numbers_store(run_id=one.pk, result=stored[0])
    assert [_proposal(n).run_id for n in FRAUD[:3]] == [two.pk, two.pk, two.pk]
    assert {n: (_proposal(n).pk, _proposal(n).score, list(_proposal(n).evidence)) for n in FRAUD[:3]} == held
    assert _counts(one, two) == [0, 3]
    assert [[place["run"] for place in _proposal(n).moved_from] for n in FRAUD[:3]] == [[one.pk]] * 3


def test_the_earlier_runs_new_evidence_is_what_it_gets_back(world, stored) -> None:  # type: ignore[no-untyped-def]
    analyst = world.users["analyst"]
    one = run_now(submit_extract(analyst))
    two = run_now(submit_extract(analyst))
    background.numbers_store(run_id=one.pk, result=_rescored(stored[0], FRAUD[0], 0.91))
    assert _proposal(FRAUD[0]).run_id == two.pk
    without = dataclasses.replace(
        stored[1], proposals=[p for p in stored[1].proposals if p["value"] != FRAUD[0]]
    )
    background.numbers_store(run_id=two.pk, result=without)
    back = _proposal(FRAUD[0])
    assert back.run_id == one.pk and back.score == pytest.approx(0.91) and back.moved_from == []
    assert _counts(one, two) == [1, 2]
