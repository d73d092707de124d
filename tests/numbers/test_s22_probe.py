"""Probe of session 22: the 号码研判 pages with small hostile extracts."""

from __future__ import annotations

from django.urls import reverse

from fanzha.jobs.models import Job
from fanzha.jobs.queue import job_claim, job_execute
from fanzha.numbers.models import RunStatus
from fanzha.numbers.services import UploadedFile, numbers_submit


def test_a_headerless_extract_fails_without_showing_its_first_record(world, client) -> None:  # type: ignore[no-untyped-def]
    """The first line of a file without a header is a record: its numbers are not “columns” to list on
    the run's page (they were, unmasked: 现有列：13800138000, 13900139000, …)."""
    analyst = world.users["analyst"]
    rows = (
        b"13800138000,13900139000,1,2026-11-28 09:05:03,65\n"
        b"13800138000,13700137000,1,2026-11-28 10:00:00,30\n"
    )
    run = numbers_submit(actor=analyst, files=[UploadedFile("calls", "voc.csv", rows)])
    job_execute(job_claim("w-test"), "w-test")
    run.refresh_from_db()
    client.force_login(analyst)
    pages = [client.get(reverse(name, **kw)).content.decode() for name, kw in
             (("numbers_run_detail", {"args": [run.pk]}), ("numbers_run_list", {}))]  # fmt: skip
    assert run.status == RunStatus.FAILED and "缺少必需的列" in run.message
    assert "表头" in run.message  # what is wrong: the first line holds data, not column names
    for text in [run.message, *pages, Job.objects.get().last_error]:
        assert "13800138000" not in text and "13900139000" not in text
