"""A fixed-window rate limit (requests per clock minute) kept in the database.

Why the database and not Django's cache: the default cache is per process, so with several
gunicorn workers each would allow the full rate; a shared cache (Redis, memcached) is one more
server that an intranet deployment may not have. One ``UPDATE … SET count = count + 1`` per request
is atomic on SQLite and PostgreSQL alike. The trade-offs: one small write per API request (a batch
of up to 1,000 items, so negligible next to the screening), and a fixed window lets a caller send up
to twice the rate across a minute boundary — acceptable for a fairness limit, not a security one.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F

from fanzha.screen.models import RateCounter

WINDOW_SECONDS = 60
KEEP_WINDOWS = 5  # older rows of a bucket are deleted when it opens a new window


def _now() -> float:
    return time.time()


@dataclass(frozen=True)
class RateDecision:
    allowed: bool
    retry_after: int  # seconds until the next window; 0 when allowed


def _increment(bucket: str, window: int, limit: int) -> bool:
    rows = RateCounter.objects.filter(bucket=bucket, window=window, count__lt=limit)
    return rows.update(count=F("count") + 1) == 1


def _open_window(bucket: str, window: int) -> bool:
    """Create this minute's row with the first request counted; False when another process won."""
    try:
        with transaction.atomic():
            RateCounter.objects.create(bucket=bucket, window=window, count=1)
    except IntegrityError:
        return False
    RateCounter.objects.filter(bucket=bucket, window__lt=window - KEEP_WINDOWS).delete()
    return True


def rate_take(bucket: str, limit: int) -> RateDecision:
    """Count one request of ``bucket``; refused (with Retry-After) once ``limit`` is reached this minute."""
    now = _now()
    window = int(now // WINDOW_SECONDS)
    retry_after = max(1, math.ceil((window + 1) * WINDOW_SECONDS - now))
    if limit <= 0:
        return RateDecision(False, retry_after)
    with transaction.atomic():
        if _increment(bucket, window, limit):
            return RateDecision(True, 0)
        exists = RateCounter.objects.filter(bucket=bucket, window=window).exists()
        if not exists and (_open_window(bucket, window) or _increment(bucket, window, limit)):
            return RateDecision(True, 0)
    return RateDecision(False, retry_after)
