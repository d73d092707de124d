"""SLA clocks per grade: minutes to acknowledge (签收) and to complete contact, from receipt."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from fanzha.warnings.models import Grade, Warning

DEFAULT_SLA: dict[str, tuple[int, int]] = {
    Grade.URGENT: (5, 30),
    Grade.HIGH: (30, 240),
    Grade.MEDIUM: (240, 1440),
    Grade.LOW: (1440, 4320),
}


@lru_cache(maxsize=4)
def _parse(text: str) -> dict[str, tuple[int, int]]:
    table = dict(DEFAULT_SLA)
    for part in filter(None, (p.strip() for p in text.split(";"))):
        try:
            grade, minutes = part.split("=", 1)
            ack, contact = (int(m) for m in minutes.split("/", 1))
        except ValueError as exc:
            raise ImproperlyConfigured(
                f"FANZHA_WARNING_SLA: cannot read {part!r} (grade=ack/contact)"
            ) from exc
        if grade.strip() not in Grade.values or ack < 1 or contact < ack:
            raise ImproperlyConfigured(f"FANZHA_WARNING_SLA: bad entry {part!r}")
        table[grade.strip()] = (ack, contact)
    return table


def sla_table() -> dict[str, tuple[int, int]]:
    """grade → (minutes to acknowledge, minutes to complete contact)."""
    return _parse(getattr(settings, "WARNING_SLA", ""))


def deadlines(grade: str, start: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    ack, contact = sla_table()[grade]
    return start + dt.timedelta(minutes=ack), start + dt.timedelta(minutes=contact)


def remind_at(start: dt.datetime, due: dt.datetime) -> dt.datetime:
    """When to remind: once ``WARNING_REMIND_PERCENT`` of the time to ``due`` has gone."""
    percent = min(max(getattr(settings, "WARNING_REMIND_PERCENT", 80), 1), 99)
    return start + (due - start) * percent / 100


def describe(minutes: int) -> str:
    if minutes % 1440 == 0:
        return f"{minutes // 1440} 天"
    if minutes % 60 == 0:
        return f"{minutes // 60} 小时"
    return f"{minutes} 分钟"


def apply_deadlines(warning: Warning, due_ack: dt.datetime, due_contact: dt.datetime) -> list[str]:
    """Set both deadlines and their reminder times (from receipt); returns the fields set."""
    warning.due_ack_at, warning.due_contact_at = due_ack, due_contact
    warning.remind_ack_at = remind_at(warning.received_at, due_ack)
    warning.remind_contact_at = remind_at(warning.received_at, due_contact)
    return ["due_ack_at", "due_contact_at", "remind_ack_at", "remind_contact_at"]
