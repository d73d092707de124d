"""The per-minute counter in the database."""

from __future__ import annotations

import pytest

from fanzha.screen import ratelimit
from fanzha.screen.models import RateCounter

T0 = 1_800_000_000.0  # the start of a minute


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    now = [T0]
    monkeypatch.setattr(ratelimit, "_now", lambda: now[0])
    return now


def test_it_allows_up_to_the_limit_in_a_minute(db: None, clock: list[float]) -> None:
    decisions = [ratelimit.rate_take("key:1", 3) for _ in range(4)]
    assert [d.allowed for d in decisions] == [True, True, True, False]
    assert decisions[-1].retry_after == 60
    assert RateCounter.objects.get(bucket="key:1").count == 3


def test_it_starts_again_in_the_next_minute(db: None, clock: list[float]) -> None:
    assert ratelimit.rate_take("key:1", 1).allowed
    clock[0] = T0 + 59.5
    refused = ratelimit.rate_take("key:1", 1)
    assert not refused.allowed and refused.retry_after == 1
    clock[0] = T0 + 60
    assert ratelimit.rate_take("key:1", 1).allowed


def test_it_keeps_buckets_apart(db: None, clock: list[float]) -> None:
    assert ratelimit.rate_take("key:1", 1).allowed
    assert ratelimit.rate_take("user:1", 1).allowed
    assert not ratelimit.rate_take("key:1", 1).allowed


def test_it_forgets_old_minutes(db: None, clock: list[float]) -> None:
    ratelimit.rate_take("key:1", 5)
    clock[0] = T0 + 60 * (ratelimit.KEEP_WINDOWS + 2)
    ratelimit.rate_take("key:1", 5)
    assert RateCounter.objects.filter(bucket="key:1").count() == 1


def test_it_refuses_everything_at_a_zero_limit(db: None, clock: list[float]) -> None:
    assert not ratelimit.rate_take("key:1", 0).allowed


def test_it_counts_a_row_another_process_created(db: None, clock: list[float], monkeypatch) -> None:
    """Two processes open the same minute: the loser's create fails and it increments instead."""
    window = int(T0 // 60)

    def lost_the_race(bucket: str, window: int) -> bool:
        RateCounter.objects.create(bucket=bucket, window=window, count=1)  # the other process
        return False

    monkeypatch.setattr(ratelimit, "_open_window", lost_the_race)
    assert ratelimit.rate_take("key:1", 2).allowed
    assert RateCounter.objects.get(bucket="key:1", window=window).count == 2


def test_it_creates_the_row_of_a_new_minute_once(db: None, clock: list[float]) -> None:
    assert ratelimit._open_window("key:1", 5)
    assert not ratelimit._open_window("key:1", 5)
    assert RateCounter.objects.get(bucket="key:1", window=5).count == 1
