"""号码研判 list: a run not finished (queued, running) or failed has found nothing yet — its counts show
“—”, not 0 号码 / 0 高风险 / 0 潜在受害人, which reads as an extract searched with nothing in it."""

from __future__ import annotations

import re

from django.urls import reverse

from fanzha.numbers.models import RunStatus, ScoringRun


def _row(page: str, run: ScoringRun) -> str:
    found = re.search(rf'<tr>\s*<td><a href="/numbers/{run.pk}/">#{run.pk}</a>.*?</tr>', page, re.S)
    assert found is not None
    return found.group()


def _counts(row: str) -> list[str]:
    return re.findall(r'<td class="text-end"[^>]*>(.*?)</td>', row)


def test_only_a_finished_run_shows_its_counts(world, client) -> None:  # type: ignore[no-untyped-def]
    analyst = world.users["analyst"]
    mine = {"created_by": analyst, "organisation": analyst.organisation}
    runs = [
        ScoringRun.objects.create(**mine, status=status)
        for status in (RunStatus.QUEUED, RunStatus.RUNNING, RunStatus.FAILED)
    ]
    done = ScoringRun.objects.create(
        **mine,
        status=RunStatus.SUCCEEDED,
        numbers_total=120,
        high_risk_count=0,
        victims_count=0,
    )
    client.force_login(analyst)
    page = client.get(reverse("numbers_run_list")).content.decode()
    for run in runs:
        assert _counts(_row(page, run)) == ["—", "—", "—"], run.status
    assert _counts(_row(page, done)) == ["120", "0", "0"]  # searched, nothing found: 0 is the answer
