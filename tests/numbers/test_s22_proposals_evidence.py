"""Indicator proposals on the platform carry their evidence (s22): a high-risk number beyond the run's
explained numbers is not proposed with empty evidence; the run's page says how many were left out."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from fanzha.numbers import engine
from fanzha.numbers.models import IndicatorProposal, RunStatus, ScoringRun
from tests.numbers.extract import calls_csv
from tests.numbers.test_upload_probe import _work


def test_the_platform_proposes_only_explained_numbers_and_says_how_many_it_left(
    world, client, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(engine, "KEEP_NUMBERS", 1)  # one number explained
    client.force_login(world.users["analyst"])
    client.post(reverse("numbers_run_upload"), {"calls": SimpleUploadedFile("voc.csv", calls_csv())})
    _work()
    run = ScoringRun.objects.get()
    assert run.status == RunStatus.SUCCEEDED and run.high_risk_count > 1, run.message
    assert IndicatorProposal.objects.filter(run=run).count() == 1
    assert all(p.evidence for p in IndicatorProposal.objects.filter(run=run))
    page = client.get(reverse("numbers_run_detail", args=[run.pk])).content.decode()
    assert f"另有 {run.high_risk_count - 1} 个高风险号码" in page
