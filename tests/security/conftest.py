from __future__ import annotations

import time

import pytest

from fanzha.core import security
from tests.security.helpers import Clock


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):  # type: ignore[no-untyped-def]
    """These tests log in often; the production hasher is deliberately slow."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def clock(monkeypatch) -> Clock:  # type: ignore[no-untyped-def]
    """TOTP codes are checked against this clock, so no test depends on where a 30-second step ends."""
    fake = Clock(time.time())
    monkeypatch.setattr(security, "totp_now", fake)
    return fake
