"""A run keeps thousands of potential victims and one click sends at most SEND_MAX: “发送前 1000 名”
sent the first 500 without a word, and a second click sent the same 500 again (此前已发送) — ranks past
the limit could be sent only by ticking them page by page. More than the limit is refused saying how to
send in batches, and a batch starts at a rank of the analyst's choosing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from fanzha.numbers import services
from fanzha.warnings.models import Warning
from tests.numbers.factories import run_now, submit_extract


@pytest.fixture
def send_max(monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr(services, "SEND_MAX", 2)
    return 2


def _send(client, run, **data: str) -> str:  # type: ignore[no-untyped-def]
    response = client.post(reverse("numbers_send_warnings", args=[run.pk]), data, follow=True)
    assert response.status_code == 200
    return response.content.decode()


def test_more_than_the_limit_is_refused_saying_how_to_send_in_batches(world, client, send_max) -> None:  # type: ignore[no-untyped-def]
    run = run_now(submit_extract(world.users["analyst"]))
    assert run.victims.count() >= 3
    client.force_login(world.users["analyst"])
    page = _send(client, run, top="3")
    assert "一次最多发送 2 人（本次填写 3 人）；请分批发送：从第 1 名起 2 人，再从第 3 名起" in page
    assert Warning.objects.count() == 0 and not run.victims.filter(sent_at__isnull=False).exists()


def test_a_batch_starts_at_the_rank_given(world, client, send_max) -> None:  # type: ignore[no-untyped-def]
    run = run_now(submit_extract(world.users["analyst"]))
    client.force_login(world.users["analyst"])
    assert "新建 2 条" in _send(client, run, top="2")
    page = _send(client, run, top="2", start="3")
    assert "新建 2 条" in page and "此前已发送 0 条" in page
    sent = sorted(run.victims.filter(sent_at__isnull=False).values_list("rank", flat=True))
    assert sent == [1, 2, 3, 4]


def test_the_page_offers_the_start_rank_and_says_the_limit(world, client) -> None:  # type: ignore[no-untyped-def]
    run = run_now(submit_extract(world.users["analyst"]))
    client.force_login(world.users["analyst"])
    page = client.get(reverse("numbers_run_detail", args=[run.pk])).content.decode()
    assert 'name="start"' in page and f"一次最多 {services.SEND_MAX} 名" in page
