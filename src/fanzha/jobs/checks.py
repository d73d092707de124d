"""Start-up check of the notification gateway setting (Django's system checks: ``migrate``, ``check``,
``make run``): a class that cannot be imported, or is no gateway, is named before the platform serves,
not when the first urgent warning's SMS is handed over (after the warning was saved)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks
from django.utils.module_loading import import_string

CHECK_ID = "fanzha.jobs.E001"
SETTING = "FANZHA_NOTIFICATION_GATEWAY"


def gateway_problem(path: str) -> str:
    """Why ``path`` names no usable gateway class (one with a ``send`` method), or "" when it does."""
    if "." not in path.strip(".") or path != path.strip():
        example = "fanzha.jobs.gateways.OutboxGateway"
        return f"{SETTING} must name a gateway class by its dotted path (e.g. {example}), not {path!r}"
    try:
        found = import_string(path)
    except ImportError as exc:
        return f"{SETTING}: cannot import {path!r} ({exc})"
    if not isinstance(found, type) or not callable(getattr(found, "send", None)):
        return f"{SETTING}: {path!r} is not a gateway class (a class with a send(message) method)"
    return ""


def gateway_setting(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    problem = gateway_problem(str(settings.NOTIFICATION_GATEWAY))
    if not problem:
        return []
    return [checks.Error(problem, hint="见 docs/configuration.md", id=CHECK_ID)]
