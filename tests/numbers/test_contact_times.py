"""号码研判: a potential victim's first and last contact are shown with their year, in local time — an
operator extract often spans December into January, and the analyst compares the times with other
records (the warnings pages print a warning's time as 2026-01-02 09:00 too)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse

from fanzha.numbers.models import PotentialVictim, RunStatus, ScoringRun
from fanzha.numbers.services import number_hash

CHINA = dt.timezone(dt.timedelta(hours=8))


def _run(world: Any, contacts: list[tuple[dt.datetime, dt.datetime]]) -> ScoringRun:
    analyst = world.users["analyst"]
    run = ScoringRun.objects.create(
        created_by=analyst,
        organisation=analyst.organisation,
        status=RunStatus.SUCCEEDED,
        victims_count=len(contacts),
    )
    for rank, (first, last) in enumerate(contacts, start=1):
        number = f"139057{rank:05d}"
        PotentialVictim.objects.create(
            run=run,
            number=number,
            number_hash=number_hash(number),
            rank=rank,
            grade="low",
            priority=1.0 / rank,
            risk_numbers=1,
            max_score=0.9,
            calls=1,
            first_contact=first,
            last_contact=last,
        )
    return run


def _page(world: Any, client: Any, run: ScoringRun) -> str:
    client.force_login(world.users["analyst"])
    response = client.get(reverse("numbers_run_detail", args=[run.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_it_tells_contacts_either_side_of_the_new_year_apart(world, client) -> None:  # type: ignore[no-untyped-def]
    december = dt.datetime(2025, 12, 30, 10, 5, tzinfo=CHINA)
    january = dt.datetime(2026, 1, 2, 9, 0, tzinfo=CHINA)
    page = _page(world, client, _run(world, [(december, january), (january, january)]))
    assert "2025-12-30 10:05" in page
    assert "2026-01-02 09:00" in page


def test_it_shows_the_contact_in_local_time_with_the_local_year(world, client) -> None:  # type: ignore[no-untyped-def]
    new_year = dt.datetime(2025, 12, 31, 17, 30, tzinfo=dt.UTC)  # 2026-01-01 01:30 in China
    page = _page(world, client, _run(world, [(new_year, new_year)]))
    assert "2026-01-01 01:30" in page
    assert "2025-12-31 17:30" not in page
