"""Operators deliver a month's calls as several files: the upload page takes several of each kind."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from fanzha.numbers.forms import MAX_FILES_PER_KIND
from fanzha.numbers.models import RunStatus, ScoringRun
from tests.numbers.extract import calls_csv
from tests.numbers.factories import run_now


def _halves() -> tuple[bytes, bytes]:
    """The extract's calls split in two files, each with its header."""
    header, *lines = calls_csv().decode("utf-8").splitlines(keepends=True)
    middle = len(lines) // 2
    return (header + "".join(lines[:middle])).encode(), (header + "".join(lines[middle:])).encode()


def test_two_calls_files_make_one_run_scored_as_the_whole_extract(world, client) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.users["analyst"])
    first, second = _halves()
    files = [SimpleUploadedFile("话单-10月.csv", first), SimpleUploadedFile("话单-11月.csv", second)]
    response = client.post(reverse("numbers_run_upload"), {"calls": files})
    assert response.status_code == 302, response.content.decode()[:2000]
    run = ScoringRun.objects.get()
    assert [f["name"] for f in run.files] == ["话单-10月.csv", "话单-11月.csv"]
    run = run_now(run)
    client.post(reverse("numbers_run_upload"), {"calls": SimpleUploadedFile("voc.csv", calls_csv())})
    whole = run_now(ScoringRun.objects.exclude(pk=run.pk).get())
    assert run.status == whole.status == RunStatus.SUCCEEDED
    assert (run.numbers_total, run.high_risk_count, run.victims_count) == (
        whole.numbers_total,
        whole.high_risk_count,
        whole.victims_count,
    )


def test_too_many_files_of_one_kind_are_refused(world, client) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.users["analyst"])
    files = [SimpleUploadedFile(f"话单{n}.csv", calls_csv()) for n in range(MAX_FILES_PER_KIND + 1)]
    response = client.post(reverse("numbers_run_upload"), {"calls": files})
    assert response.status_code == 400 and f"最多 {MAX_FILES_PER_KIND} 个文件" in response.content.decode()
    assert not ScoringRun.objects.exists()


def test_the_form_lets_the_browser_pick_several_files(world, client) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.users["analyst"])
    page = client.get(reverse("numbers_run_upload")).content.decode()
    assert 'name="calls"' in page and "multiple" in page.split('name="calls"')[1].split(">")[0]
