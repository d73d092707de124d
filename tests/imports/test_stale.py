"""No batch stays "running" for ever: failed jobs, killed workers and killed processes end as failed."""

from __future__ import annotations

from datetime import timedelta

from django.core.management import call_command
from django.utils import timezone

from fanzha.audit.models import AuditEvent
from fanzha.core.models import Person
from fanzha.imports import background
from fanzha.imports.models import BatchStatus, ImportBatch, ImportUpload
from fanzha.imports.pipeline import batch_create, resolve_importer
from fanzha.jobs.models import Job, JobStatus
from fanzha.jobs.queue import job_claim, jobs_reclaim_stale
from fanzha.jobs.schedules import schedule_seed_defaults
from fanzha.jobs.services import job_enqueue
from tests.imports.files import PEOPLE_HEADER, csv_bytes, unique_people

DATA = csv_bytes(PEOPLE_HEADER, unique_people(1, 4))


def queued(world, name: str = "leader") -> ImportBatch:  # type: ignore[no-untyped-def]
    return background.import_enqueue(
        actor=world.users[name], importer="people", file_name="名单.csv", data=DATA
    )


def kill_worker(job_id: int) -> None:
    """The worker holding the job dies: claimed, then its heartbeat goes stale and the job is reclaimed."""
    claimed = job_claim("w-dies")
    assert claimed is not None and claimed.pk == job_id
    Job.objects.filter(pk=job_id).update(heartbeat_at=timezone.now() - timedelta(hours=1))
    jobs_reclaim_stale()


def test_it_retries_an_import_whose_worker_was_killed_once(world) -> None:  # type: ignore[no-untyped-def]
    batch = queued(world)
    kill_worker(batch.job_id)
    assert Job.objects.get(pk=batch.job_id).status == JobStatus.QUEUED  # one attempt left
    assert background.imports_sweep_stale() == {"failed": 0, "discarded": 0}
    call_command("worker", "--once")
    batch.refresh_from_db()
    assert batch.status == BatchStatus.COMMITTED and Person.objects.count() == 6
    assert not ImportUpload.objects.exists()


def test_it_fails_a_batch_whose_job_was_reclaimed_and_failed(world) -> None:  # type: ignore[no-untyped-def]
    batch = queued(world)
    kill_worker(batch.job_id)
    kill_worker(batch.job_id)
    assert Job.objects.get(pk=batch.job_id).status == JobStatus.FAILED
    assert background.imports_sweep_stale() == {"failed": 1, "discarded": 0}
    batch.refresh_from_db()
    assert batch.status == BatchStatus.FAILED and batch.finished_at is not None
    assert batch.message == "导入中断：进程被终止，未写入任何数据，请重新导入"
    assert not ImportUpload.objects.exists() and Person.objects.count() == 2
    event = AuditEvent.objects.get(action="import.fail")
    assert event.object_id == str(batch.pk) and event.actor_id is None
    assert background.imports_sweep_stale() == {"failed": 0, "discarded": 0}  # once only


def test_it_fails_a_batch_whose_job_was_cancelled(world) -> None:  # type: ignore[no-untyped-def]
    batch = queued(world)
    Job.objects.filter(pk=batch.job_id).update(status=JobStatus.CANCELLED)
    background.imports_sweep_stale()
    batch.refresh_from_db()
    assert batch.status == BatchStatus.FAILED and batch.message == background.CANCELLED_MESSAGE


def test_it_fails_a_batch_without_a_job_only_after_the_timeout(world) -> None:  # type: ignore[no-untyped-def]
    imp = resolve_importer("people")
    leader = world.users["leader"]
    killed = batch_create(actor=leader, importer=imp, file_name="命令行.csv", data=DATA, dry_run=False)
    waiting = queued(world)
    assert background.imports_sweep_stale()["failed"] == 0  # might still be running
    later = timezone.now() + background.STALE_WITHOUT_JOB + timedelta(minutes=1)
    assert background.imports_sweep_stale(now=later)["failed"] == 1
    killed.refresh_from_db()
    waiting.refresh_from_db()
    assert killed.status == BatchStatus.FAILED and killed.message == background.KILLED_MESSAGE
    assert waiting.status == BatchStatus.RUNNING  # its job is still queued: the worker will run it
    assert ImportUpload.objects.filter(batch=waiting).exists()


def test_it_leaves_finished_batches_alone_and_discards_their_leftover_files(world) -> None:  # type: ignore[no-untyped-def]
    batch = queued(world)
    call_command("worker", "--once")
    ImportUpload.objects.create(batch=batch, payload=b"v1:aes:leftover", size=1)  # died before deleting it
    later = timezone.now() + timedelta(days=3)
    assert background.imports_sweep_stale(now=later) == {"failed": 0, "discarded": 1}
    batch.refresh_from_db()
    assert batch.status == BatchStatus.COMMITTED and not ImportUpload.objects.exists()


def test_it_fails_the_batch_when_the_import_job_fails_its_last_attempt(world, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("database went away")

    monkeypatch.setattr(background, "batch_process", broken)
    batch = queued(world)
    call_command("worker", "--once")
    batch.refresh_from_db()
    job = Job.objects.get(pk=batch.job_id)
    assert job.status == JobStatus.QUEUED and job.attempts == 1  # will retry: the file is kept
    assert batch.status == BatchStatus.RUNNING and ImportUpload.objects.filter(batch=batch).exists()
    Job.objects.filter(pk=job.pk).update(run_at=timezone.now())
    call_command("worker", "--once")
    batch.refresh_from_db()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and "database went away" in job.last_error
    assert batch.status == BatchStatus.FAILED and batch.message == background.ERROR_MESSAGE
    assert not ImportUpload.objects.exists() and Person.objects.count() == 2


def test_it_fails_the_batch_when_its_file_cannot_be_decrypted(world, settings) -> None:  # type: ignore[no-untyped-def]
    from fanzha.core.pii.crypto import generate_key

    batch = queued(world)
    settings.PII_KEY = generate_key()
    call_command("worker", "--once")
    batch.refresh_from_db()
    assert batch.status == BatchStatus.FAILED and batch.message == background.UNREADABLE_MESSAGE
    assert not ImportUpload.objects.exists()
    job = Job.objects.get(pk=batch.job_id)
    assert job.status == JobStatus.FAILED and job.attempts == 1  # no retry: it cannot get better


def test_it_runs_the_sweep_as_a_default_schedule(world) -> None:  # type: ignore[no-untyped-def]
    kind = "imports.sweep_stale"
    batch = queued(world)
    Job.objects.filter(pk=batch.job_id).update(status=JobStatus.FAILED)
    schedule = next(s for s in schedule_seed_defaults() if s.kind == kind)
    assert schedule.every_seconds == 600 and schedule.enabled
    job_enqueue(actor=None, kind=kind)
    call_command("worker", "--once")
    batch.refresh_from_db()
    assert batch.status == BatchStatus.FAILED
    assert Job.objects.filter(kind=kind, status=JobStatus.SUCCEEDED).get().result == {
        "failed": 1,
        "discarded": 0,
    }
