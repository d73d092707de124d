"""Enqueue, claim, run, retry with back-off, reclaim stale jobs, never claim one job twice."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from fanzha.audit.models import AuditEvent
from fanzha.jobs import queue
from fanzha.jobs.models import Job, JobStatus
from fanzha.jobs.services import job_enqueue
from tests.jobs import sample_tasks  # noqa: F401 - registers the test tasks


def test_it_enqueues_claims_runs_and_succeeds(world) -> None:  # type: ignore[no-untyped-def]
    analyst = world.users["analyst"]
    job = job_enqueue(actor=analyst, kind="tests.add", args={"a": 2, "b": 3})
    assert job.status == JobStatus.QUEUED and job.created_by == analyst
    claimed = queue.job_claim("w1")
    assert claimed is not None and claimed.pk == job.pk
    assert claimed.status == JobStatus.RUNNING and claimed.locked_by == "w1" and claimed.attempts == 1
    assert queue.job_execute(claimed, "w1") == JobStatus.SUCCEEDED
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert job.result == {"sum": 5}
    assert job.progress == 100 and job.locked_by == "" and job.finished_at is not None


def test_it_audits_enqueue_by_a_user_only(world) -> None:  # type: ignore[no-untyped-def]
    by_user = job_enqueue(actor=world.users["leader"], kind="jobs.ping")
    by_system = job_enqueue(actor=None, kind="jobs.ping")
    events = AuditEvent.objects.filter(action="job.enqueue")
    assert list(events.values_list("object_id", flat=True)) == [str(by_user.pk)]
    assert events.get().details == {"kind": "jobs.ping"}
    assert by_system.created_by is None


def test_it_refuses_unknown_kinds_and_personal_data_in_args(db) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError, match="未知的任务类型"):
        job_enqueue(actor=None, kind="no.such.task")
    with pytest.raises(ValidationError, match="不得包含"):
        job_enqueue(actor=None, kind="tests.add", args={"a": 1, "b": 2, "phone": "13905710001"})
    assert not Job.objects.exists()


def test_it_does_not_claim_a_job_before_its_time(db) -> None:  # type: ignore[no-untyped-def]
    later = timezone.now() + timedelta(hours=1)
    job = job_enqueue(actor=None, kind="jobs.ping", run_at=later)
    assert queue.job_claim("w1") is None
    claimed = queue.job_claim("w1", now=later)
    assert claimed is not None and claimed.pk == job.pk


def test_it_backs_off_exponentially_with_a_cap() -> None:
    assert queue.retry_delay(1) == timedelta(seconds=30)
    assert queue.retry_delay(2) == timedelta(seconds=60)
    assert queue.retry_delay(3) == timedelta(seconds=120)
    assert queue.retry_delay(50) == timedelta(seconds=queue.RETRY_MAX_SECONDS)


def _run_once(now):  # type: ignore[no-untyped-def]
    claimed = queue.job_claim("w1", now=now)
    assert claimed is not None
    return queue.job_execute(claimed, "w1")


def test_it_retries_a_failing_task_with_back_off_then_fails(db) -> None:  # type: ignore[no-untyped-def]
    job = job_enqueue(actor=None, kind="tests.boom", max_attempts=3)
    before = timezone.now()
    assert _run_once(before) == JobStatus.QUEUED
    job.refresh_from_db()
    assert job.attempts == 1 and "下游接口返回 500" in job.last_error
    assert before + timedelta(seconds=30) <= job.run_at <= timezone.now() + timedelta(seconds=30)
    assert queue.job_claim("w1", now=job.run_at - timedelta(seconds=1)) is None
    second_start = timezone.now()
    assert _run_once(job.run_at) == JobStatus.QUEUED
    job.refresh_from_db()
    assert job.attempts == 2 and job.run_at >= second_start + timedelta(seconds=60)
    assert _run_once(job.run_at) == JobStatus.FAILED
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.attempts == 3
    assert "RuntimeError" in job.last_error and job.finished_at is not None


def test_it_fails_at_once_when_the_task_says_retrying_cannot_help(db) -> None:  # type: ignore[no-untyped-def]
    job = job_enqueue(actor=None, kind="tests.refuse", max_attempts=5)
    assert _run_once(timezone.now()) == JobStatus.FAILED
    job.refresh_from_db()
    assert job.attempts == 1 and "参数指向的批次不存在" in job.last_error


def test_it_reclaims_a_stale_running_job(db, settings) -> None:  # type: ignore[no-untyped-def]
    settings.WORKER_STALE_SECONDS = 300
    alive = job_enqueue(actor=None, kind="jobs.ping")
    dead = job_enqueue(actor=None, kind="jobs.ping")
    exhausted = job_enqueue(actor=None, kind="jobs.ping", max_attempts=1)
    for _ in range(3):
        queue.job_claim("w-dead")
    now = timezone.now()
    Job.objects.filter(pk__in=[dead.pk, exhausted.pk]).update(heartbeat_at=now - timedelta(seconds=301))
    assert queue.jobs_reclaim_stale(now=now) == {"requeued": 1, "failed": 1}
    for job in (alive, dead, exhausted):
        job.refresh_from_db()
    assert alive.status == JobStatus.RUNNING and alive.locked_by == "w-dead"
    assert dead.status == JobStatus.QUEUED and dead.locked_by == "" and "心跳超时" in dead.last_error
    assert exhausted.status == JobStatus.FAILED and exhausted.finished_at is not None
    reclaimed = queue.job_claim("w-new")
    assert reclaimed is not None and reclaimed.pk == dead.pk and reclaimed.attempts == 2


def test_it_ignores_the_result_of_a_worker_whose_job_was_reclaimed(db) -> None:  # type: ignore[no-untyped-def]
    job_enqueue(actor=None, kind="tests.add", args={"a": 1, "b": 1})
    claimed = queue.job_claim("w-old")
    assert claimed is not None
    Job.objects.filter(pk=claimed.pk).update(status=JobStatus.QUEUED, locked_by="")
    queue.job_execute(claimed, "w-old")
    claimed.refresh_from_db()
    assert claimed.status == JobStatus.QUEUED and claimed.result is None


def test_it_lets_only_one_of_two_claimers_take_a_job(db) -> None:  # type: ignore[no-untyped-def]
    job = job_enqueue(actor=None, kind="jobs.ping")
    now = timezone.now()
    # Both workers saw the same candidate; the conditional UPDATE lets exactly one of them have it.
    assert queue._take(job.pk, "w1", now) == 1
    assert queue._take(job.pk, "w2", now) == 0
    assert queue.job_claim("w2") is None
    job.refresh_from_db()
    assert job.locked_by == "w1" and job.attempts == 1


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_it_never_gives_one_job_to_two_threads_on_postgresql(allow_audit_flush) -> None:  # type: ignore[no-untyped-def]
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SELECT … FOR UPDATE SKIP LOCKED across separate connections")
    for _ in range(30):
        job_enqueue(actor=None, kind="jobs.ping")
    claimed: list[int] = []
    lock = threading.Lock()
    barrier = threading.Barrier(4)

    def claimer(name: str) -> None:
        try:
            barrier.wait()
            while (job := queue.job_claim(name)) is not None:
                with lock:
                    claimed.append(job.pk)
        finally:
            connection.close()

    threads = [threading.Thread(target=claimer, args=(f"w{i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(claimed) == 30 and len(set(claimed)) == 30
    assert Job.objects.filter(status=JobStatus.RUNNING).count() == 30
