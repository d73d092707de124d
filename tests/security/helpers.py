"""Shared steps for the account-security tests."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from fanzha.audit.models import AuditEvent

WRONG = "Wrong#pass2026"


def post_login(client: Any, username: str, password: str, ip: str = "10.0.0.1") -> Any:
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


def logged_in_user_id(client: Any) -> str | None:
    return client.session.get("_auth_user_id")
