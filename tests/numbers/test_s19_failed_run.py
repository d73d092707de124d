"""A run that fails shows as failed: no progress bar left at its last percentage, the reason in Chinese,
no more polling; between a failed attempt and its retry the page says a retry is coming."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from fanzha.jobs.models import Job, JobStatus
from fanzha.jobs.queue import job_claim, job_execute
from fanzha.numbers import background
from fanzha.numbers.models import RunStatus, RunUpload, ScoringRun
from tests.numbers.extract import calls_csv

BAR = re.compile(r'class="progress[ "]')


@pytest.fixture
def breaks_at_half(monkeypatch: pytest.MonkeyPatch) -> None:
    """The engine reports 50 % and then breaks (a full disk, a lost connection)."""
    from fanzha.numbers import engine

    def broken(files: Any, scratch: Any, report: Any, names: Any = None) -> Any:
        report(50, "正在为 83 个号码评分")
        raise RuntimeError("disk full")

    monkeypatch.setattr(engine, "run_engine", broken)


def _submit(client) -> ScoringRun:  # type: ignore[no-untyped-def]
    client.post(reverse("numbers_run_upload"), {"calls": SimpleUploadedFile("voc.csv", calls_csv())})
    return ScoringRun.objects.get()


def _attempt(now=None) -> None:  # type: ignore[no-untyped-def]
    job = job_claim("w-test", now=now)
    assert job is not None
    job_execute(job, "w-test")


def _page(client, run: ScoringRun) -> str:  # type: ignore[no-untyped-def]
    return client.get(reverse("numbers_run_detail", args=[run.pk])).content.decode()


def test_a_run_failed_after_its_retries_shows_no_progress_bar_and_stops_polling(
    world, client, breaks_at_half
) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.users["analyst"])
    run = _submit(client)
    _attempt()
    _attempt(now=timezone.now() + timedelta(hours=2))  # the retry, once due
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED and run.job.progress == 50  # the job stopped there
    page = _page(client, run)
    status = page[page.index('<div id="run-status"') :][:2000]
    assert not BAR.search(status) and "50%" not in status and "正在为" not in status
    assert "hx-trigger" not in page
    assert 'data-testid="run-failure"' in status and "研判失败" in status and "处理时出错" in status
    partial = client.get(reverse("numbers_run_detail", args=[run.pk]), HTTP_HX_REQUEST="true")
    assert partial["HX-Refresh"] == "true"  # a page still polling reloads into the failed one


def test_between_a_failed_attempt_and_its_retry_the_page_says_a_retry_is_coming(
    world, client, breaks_at_half
) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.users["analyst"])
    run = _submit(client)
    _attempt()
    run.refresh_from_db()
    assert run.status == RunStatus.RUNNING and run.job.status == JobStatus.QUEUED
    partial = client.get(reverse("numbers_run_detail", args=[run.pk]), HTTP_HX_REQUEST="true")
    body = partial.content.decode()
    assert "hx-trigger" in body  # still polling: the retry is coming
    assert "progress-bar-animated" not in body and "50%" not in body
    assert 'data-testid="run-retry"' in body and "重试" in body and "disk full" not in body


def test_a_run_whose_files_cannot_be_decrypted_says_so(world, client) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.users["analyst"])
    run = _submit(client)
    RunUpload.objects.filter(run=run).update(payload=b"not what was stored")
    _attempt()
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED and run.message == background.UNREADABLE
    assert Job.objects.get(pk=run.job_id).status == JobStatus.FAILED
    assert "已无法读取" in _page(client, run)


def test_an_interrupted_run_says_it_failed_once(world, client) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.users["analyst"])
    run = _submit(client)
    run.job.status = JobStatus.FAILED  # the worker died on its last attempt
    run.job.save(update_fields=["status"])
    assert background.numbers_settle(run=run)
    page = _page(client, run)
    failure = page[page.index('data-testid="run-failure"') :][:300]
    assert "研判失败：后台任务已中断" in failure
    assert failure.count("研判") == 1  # not "研判失败：研判中断：…"
