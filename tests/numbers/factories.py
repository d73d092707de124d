"""Runs for the tests: a real one through the job, and a small stored one for the permission matrix."""

from __future__ import annotations

from typing import Any

from fanzha.jobs.models import JobStatus
from fanzha.jobs.queue import job_claim, job_execute
from fanzha.numbers.models import IndicatorProposal, PotentialVictim, RunStatus, ScoringRun
from fanzha.numbers.services import UploadedFile, number_hash, numbers_submit
from tests.numbers.extract import calls_csv, spending_csv


def submit_extract(actor: Any) -> ScoringRun:
    files = [
        UploadedFile("calls", "voc.csv", calls_csv()),
        UploadedFile("spending", "user.csv", spending_csv()),
    ]
    return numbers_submit(actor=actor, files=files)


def run_now(run: ScoringRun) -> ScoringRun:
    """Execute the run's job synchronously, as the worker would."""
    job = job_claim("w-test")
    assert job is not None and job.pk == run.job_id
    assert job_execute(job, "w-test") == JobStatus.SUCCEEDED
    run.refresh_from_db()
    return run


def stored_run(world: Any) -> ScoringRun:
    """A finished run of the centre with one victim and one proposal (no engine), made once per world."""
    found = getattr(world, "_numbers_run", None)
    if found is not None:
        return found
    run = ScoringRun.objects.create(
        created_by=world.users["analyst"],
        organisation=world.users["analyst"].organisation,
        status=RunStatus.SUCCEEDED,
        numbers_total=1,
        high_risk_count=1,
        victims_count=1,
    )
    PotentialVictim.objects.create(
        run=run,
        number="13905799999",
        number_hash=number_hash("13905799999"),
        rank=1,
        grade="low",
        priority=0.5,
        risk_numbers=1,
        max_score=0.8,
        calls=1,
    )
    IndicatorProposal.objects.create(
        run=run, number="17012349999", number_hash=number_hash("17012349999"), score=0.9, evidence=["测试"]
    )
    world._numbers_run = run
    return run
