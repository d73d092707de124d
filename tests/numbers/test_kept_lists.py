"""号码研判: a run keeps the first KEEP_NUMBERS scored numbers and KEEP_VICTIMS potential victims; its page
counts what was found and says when a list shows only the first of them (a county's month of calls can
reach thousands of people)."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from fanzha.numbers import engine
from fanzha.numbers.models import RunStatus, ScoringRun
from tests.numbers.extract import calls_csv
from tests.numbers.test_upload_probe import _work


def _run_page(world, client, monkeypatch, **keep: int) -> tuple[ScoringRun, str]:  # type: ignore[no-untyped-def]
    for name, value in keep.items():
        monkeypatch.setattr(engine, name, value)
    client.force_login(world.users["analyst"])
    client.post(reverse("numbers_run_upload"), {"calls": SimpleUploadedFile("voc.csv", calls_csv())})
    _work()
    run = ScoringRun.objects.get()
    assert run.status == RunStatus.SUCCEEDED, run.message
    return run, client.get(reverse("numbers_run_detail", args=[run.pk])).content.decode()


def test_it_counts_every_potential_victim_found_and_says_the_list_keeps_the_first(
    world, client, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    run, page = _run_page(world, client, monkeypatch, KEEP_VICTIMS=2)
    assert run.victims.count() == 2
    assert run.victims_count > 2  # the extract's fraud numbers reach 40 people
    assert f"潜在受害人 {run.victims_count} 人（只列出排名前 2 人）" in page


def test_it_says_the_high_risk_list_keeps_the_highest_scores(world, client, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    run, page = _run_page(world, client, monkeypatch, KEEP_NUMBERS=1)
    assert run.high_risk_count > 1
    assert run.scored.filter(is_high_risk=True).count() == 1
    assert f"高风险 {run.high_risk_count} 个（只列出风险分最高的 1 个；阈值" in page


def test_a_run_whose_lists_are_whole_adds_nothing_to_its_counts(world, client, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    run, page = _run_page(world, client, monkeypatch)
    assert run.victims.count() == run.victims_count
    assert "只列出" not in page
