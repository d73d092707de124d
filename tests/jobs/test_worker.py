"""The ``fanzha worker`` command and the built-in tasks it runs."""

from __future__ import annotations

import sys

from django.core.management import call_command

from fanzha.audit.models import AuditEvent
from fanzha.jobs import queue
from fanzha.jobs.models import Job, JobStatus, Schedule
from fanzha.jobs.services import job_enqueue
from fanzha.jobs.worker import Worker, run_with_signals
from tests.jobs import sample_tasks


def test_it_processes_the_queue_once_and_exits(db) -> None:  # type: ignore[no-untyped-def]
    sample_tasks.CALLS.clear()
    jobs = [job_enqueue(actor=None, kind="tests.add", args={"a": i, "b": 1}) for i in range(3)]
    failing = job_enqueue(actor=None, kind="tests.boom", max_attempts=2)
    call_command("worker", "--once")
    results = [Job.objects.get(pk=job.pk).result for job in jobs]
    assert results == [{"sum": 1}, {"sum": 2}, {"sum": 3}]
    assert len(sample_tasks.CALLS) == 3
    failing.refresh_from_db()
    assert failing.status == JobStatus.QUEUED and failing.attempts == 1  # retry waits for its back-off
    assert not Job.objects.filter(status=JobStatus.RUNNING).exists()
    assert Schedule.objects.filter(kind="retention.purge").exists()  # defaults seeded on start


def test_it_records_audit_events_of_jobs_on_the_worker_channel(db) -> None:  # type: ignore[no-untyped-def]
    job_enqueue(actor=None, kind="retention.purge")
    call_command("worker", "--once")
    events = AuditEvent.objects.filter(action="retention.purge")
    assert events.count() >= 3
    assert set(events.values_list("channel", flat=True)) == {"worker"}


def test_it_stops_after_the_current_job_on_sigterm(db) -> None:  # type: ignore[no-untyped-def]
    stopping = job_enqueue(actor=None, kind="tests.sigterm")
    waiting = job_enqueue(actor=None, kind="jobs.ping")
    assert run_with_signals(Worker(worker_id="w-sig"), once=True) == 1  # the second job waits
    stopping.refresh_from_db()
    waiting.refresh_from_db()
    assert stopping.status == JobStatus.SUCCEEDED and stopping.result == {"finished": True}
    assert waiting.status == JobStatus.QUEUED


def test_it_fails_the_audit_purge_clearly_when_the_purge_is_missing(db, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setitem(sys.modules, "fanzha.audit.purge", None)  # makes the import fail
    job = job_enqueue(actor=None, kind="audit.purge_expired")
    claimed = queue.job_claim("w1")
    assert claimed is not None
    assert queue.job_execute(claimed, "w1") == JobStatus.FAILED
    job.refresh_from_db()
    assert job.attempts == 1
    assert "fanzha.audit.purge.audit_purge_expired" in job.last_error


def test_it_fails_a_job_of_an_unknown_kind_without_retrying(db) -> None:  # type: ignore[no-untyped-def]
    job = Job.objects.create(kind="gone.away", run_at=job_enqueue(actor=None, kind="jobs.ping").run_at)
    call_command("worker", "--once")
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and "未注册的任务类型" in job.last_error


def test_it_stops_when_the_process_that_started_it_is_gone() -> None:
    import os

    from fanzha.jobs.worker import Worker

    assert Worker(parent_pid=os.getppid())._orphaned() is False
    assert Worker(parent_pid=os.getpid())._orphaned() is True  # our parent is not ourselves
    assert Worker()._orphaned() is False
