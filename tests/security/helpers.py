"""Shared steps for the account-security tests."""

from __future__ import annotations

from typing import Any

import pyotp
from django.urls import reverse

from fanzha.audit.models import AuditEvent

WRONG = "Wrong#pass2026"


def post_login(client: Any, username: str, password: str, ip: str = "10.0.0.1") -> Any:
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


def logged_in_user_id(client: Any) -> str | None:
    return client.session.get("_auth_user_id")


class Clock:
    """A TOTP clock the test moves by whole 30-second steps (patched into security.totp_now)."""

    def __init__(self, start: float) -> None:
        self.now = float(int(start) // 30 * 30 + 5)  # a few seconds into a step

    def __call__(self) -> float:
        return self.now

    def tick(self, steps: int = 1) -> None:
        self.now += 30 * steps

    def code(self, secret: str, offset: int = 0) -> str:
        return str(pyotp.TOTP(secret).at(self.now, counter_offset=offset))

    def wrong(self, secret: str) -> str:
        """A well-formed code that is not valid now (nor in the neighbouring steps)."""
        totp = pyotp.TOTP(secret)
        candidates = ("000000", "111111", "222222")
        return next(c for c in candidates if not totp.verify(c, for_time=self.now, valid_window=1))
