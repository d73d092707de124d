"""Odd extracts through the upload page and the job: a clear Chinese refusal, or a run that ends
(succeeded, or failed with a Chinese message) — never one left "running"."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from fanzha.jobs.models import Job, JobStatus
from fanzha.jobs.queue import job_claim, job_execute, jobs_reclaim_stale
from fanzha.numbers.models import RunStatus, RunUpload, ScoringRun
from tests.numbers.extract import calls_csv


def _post(client, name: str, data: bytes):  # type: ignore[no-untyped-def]
    return client.post(reverse("numbers_run_upload"), {"calls": SimpleUploadedFile(name, data)})


def _work(now=None) -> None:  # type: ignore[no-untyped-def]
    """Run every due job (retries included), as the worker would."""
    for _ in range(10):
        job = job_claim("w-test", now=now)
        if job is None:
            return
        job_execute(job, "w-test")


def test_it_refuses_an_empty_file_and_one_over_the_limit(world, client, settings) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.users["analyst"])
    response = _post(client, "voc.csv", b"")
    assert response.status_code == 400 and "空" in response.content.decode()
    settings.IMPORT_MAX_BYTES = 1024 * 1024
    response = _post(client, "voc.csv", b"x" * (1024 * 1024 + 1))
    assert response.status_code == 400 and "上限" in response.content.decode()
    assert not ScoringRun.objects.exists()


def test_it_refuses_a_zip_named_csv_with_a_chinese_message(world, client) -> None:  # type: ignore[no-untyped-def]
    """Refused at upload (it used to be stored and fail its run), nothing kept."""
    client.force_login(world.users["analyst"])
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("voc.csv", calls_csv())
    response = _post(client, "voc.csv", buffer.getvalue())
    assert response.status_code == 400 and "压缩文件" in response.content.decode()
    assert not ScoringRun.objects.exists()


def test_it_scores_the_same_file_uploaded_twice(world, client) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.users["analyst"])
    assert _post(client, "voc.csv", calls_csv()).status_code == 302
    assert _post(client, "voc.csv", calls_csv()).status_code == 302
    _work()
    runs = list(ScoringRun.objects.order_by("pk"))
    assert [r.status for r in runs] == [RunStatus.SUCCEEDED, RunStatus.SUCCEEDED]
    assert runs[0].numbers_total == runs[1].numbers_total > 0


def test_it_fails_a_run_that_breaks_midway_after_its_retries(world, client, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from fanzha.numbers import engine

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("disk full")

    monkeypatch.setattr(engine, "run_engine", broken)
    client.force_login(world.users["analyst"])
    _post(client, "voc.csv", calls_csv())
    _work()
    _work(now=timezone.now() + timedelta(hours=2))  # the retry, once due
    run = ScoringRun.objects.get()
    assert run.status == RunStatus.FAILED and "出错" in run.message, run.message
    assert not RunUpload.objects.filter(run=run).exists()


@pytest.mark.parametrize("ended", ["killed", "cancelled"])
def test_it_does_not_show_a_run_whose_job_ended_as_running(world, client, ended: str) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.users["analyst"])
    _post(client, "voc.csv", calls_csv())
    run = ScoringRun.objects.get()
    ScoringRun.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING)
    if ended == "killed":  # the worker died on its last attempt: the queue takes the job back as failed
        Job.objects.filter(pk=run.job_id).update(
            status=JobStatus.RUNNING, attempts=2, heartbeat_at=timezone.now() - timedelta(hours=1)
        )
        jobs_reclaim_stale()
    else:
        Job.objects.filter(pk=run.job_id).update(status=JobStatus.CANCELLED)
    if ended == "cancelled":  # the list settles it too
        assert client.get(reverse("numbers_run_list")).status_code == 200
        run.refresh_from_db()
        assert run.status == RunStatus.FAILED
    page = client.get(reverse("numbers_run_detail", args=[run.pk])).content.decode()
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED and "中断" in run.message
    assert "hx-trigger" not in page and "中断" in page
    assert not RunUpload.objects.filter(run=run).exists()


def test_it_settles_a_run_whose_job_ended_on_schedule_without_anyone_looking(
    world, client, tmp_path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    import tempfile

    from fanzha.jobs.schedules import DEFAULT_SCHEDULES
    from fanzha.numbers.background import SWEEP_TASK, numbers_sweep_stale

    assert DEFAULT_SCHEDULES["中断研判清理"] == (SWEEP_TASK, 600)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # the sweep also clears scratch folders
    client.force_login(world.users["analyst"])
    _post(client, "voc.csv", calls_csv())
    _post(client, "voc2.csv", calls_csv())
    stuck, waiting = ScoringRun.objects.order_by("pk")
    ScoringRun.objects.filter(pk=stuck.pk).update(status=RunStatus.RUNNING)
    Job.objects.filter(pk=stuck.job_id).update(status=JobStatus.CANCELLED)
    assert numbers_sweep_stale() == {"failed": 1, "removed": 0}
    stuck.refresh_from_db()
    waiting.refresh_from_db()
    assert stuck.status == RunStatus.FAILED and "中断" in stuck.message
    assert waiting.status == RunStatus.QUEUED  # its job has not run yet: left alone
    assert numbers_sweep_stale() == {"failed": 0, "removed": 0}
