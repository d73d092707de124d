"""The job: a tiny generated extract scored end to end, results stored, files deleted, numbers encrypted."""

from __future__ import annotations

from django.db import connection

from fanzha.audit.models import AuditEvent
from fanzha.numbers.models import PotentialVictim, RunStatus, RunUpload, ScoredNumber
from fanzha.numbers.services import number_hash
from tests.numbers.extract import FRAUD
from tests.numbers.factories import run_now, submit_extract


def test_it_stores_the_files_encrypted_until_the_job_has_run(world) -> None:  # type: ignore[no-untyped-def]
    run = submit_extract(world.users["analyst"])
    assert run.status == RunStatus.QUEUED and run.job.args == {"run_id": run.pk}
    upload = RunUpload.objects.get(run=run, kind="calls")
    assert FRAUD[0].encode() not in bytes(upload.payload)
    assert len(run.files) == 2 and all(len(f["sha256"]) == 64 for f in run.files)
    assert AuditEvent.objects.filter(action="numbers.submit", object_id=str(run.pk)).exists()
    run_now(run)
    assert not RunUpload.objects.filter(run=run).exists()


def test_it_scores_the_extract_and_finds_the_fraud_numbers_and_their_victims(world) -> None:  # type: ignore[no-untyped-def]
    run = run_now(submit_extract(world.users["analyst"]))
    assert run.status == RunStatus.SUCCEEDED, run.message
    assert run.numbers_total == 83 and run.quality["calls"]["records"] > 0
    assert "没有短信、上网流量记录" in run.quality["scoring_note"]  # calls and spending: the partial model
    high = list(run.scored.filter(is_high_risk=True))
    assert sorted(n.number for n in high) == sorted(FRAUD)
    assert all(n.reasons and all(isinstance(r, str) for r in n.reasons) for n in high)
    assert run.high_risk_count == 3 and run.victims_count == 40
    first = run.victims.order_by("rank").first()
    assert first is not None and first.number == "13905700000" and first.grade == "high"
    assert first.callbacks == 1 and first.calls == 4 and first.first_contact is not None
    assert run.proposals.filter(status="pending").count() == 3


def test_it_keeps_numbers_encrypted_with_a_search_hash(world) -> None:  # type: ignore[no-untyped-def]
    run = run_now(submit_extract(world.users["analyst"]))
    victim = PotentialVictim.objects.get(run=run, number_hash=number_hash("13905700000"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT number FROM numbers_potentialvictim WHERE id = %s", [victim.pk])
        raw = cursor.fetchone()[0]
    assert raw != "13905700000" and "13905700000" not in raw
    assert ScoredNumber.objects.filter(run=run, number_hash=number_hash(FRAUD[0])).exists()


def test_it_fails_a_run_whose_calls_file_lacks_columns(world) -> None:  # type: ignore[no-untyped-def]
    from fanzha.jobs.queue import job_claim, job_execute
    from fanzha.numbers.services import UploadedFile, numbers_submit

    run = numbers_submit(
        actor=world.users["analyst"], files=[UploadedFile("calls", "bad.csv", b"a,b\n1,2\n")]
    )
    job = job_claim("w-test")
    job_execute(job, "w-test")
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED and "文件不可用" in run.message
    assert not RunUpload.objects.filter(run=run).exists()
    assert AuditEvent.objects.filter(action="numbers.fail", object_id=str(run.pk)).exists()
