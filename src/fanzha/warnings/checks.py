"""Start-up checks of the warnings settings (Django's system checks: ``migrate``, ``check --deploy``,
``make run``): a clock table, reminder share, police grades or assignment mode that cannot be used is
named before the platform serves, not at the first warning received — an import refused mid-file, or
every urgent warning routed to the grid worker until someone noticed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core import checks
from django.core.exceptions import ImproperlyConfigured

CHECK_ID = "fanzha.warnings.E001"


def _readers() -> list[Callable[[], Any]]:
    from fanzha.warnings import routing, sla

    return [sla.sla_table, sla.remind_percent, routing.police_grades, routing.round_robin]


def warning_settings(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Each warnings setting read as intake reads it; the reason it cannot be, as an error."""
    errors: list[checks.CheckMessage] = []
    for read in _readers():
        try:
            read()
        except ImproperlyConfigured as exc:
            errors.append(checks.Error(str(exc), hint="见 docs/configuration.md", id=CHECK_ID))
    return errors
