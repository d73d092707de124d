"""Helpers for the audit tests: writing records at a chosen time, switching the guard triggers off."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from unittest import mock

from django.db import connection

from fanzha.audit.models import AuditEvent
from fanzha.audit.services import audit_record

triggers = importlib.import_module("fanzha.audit.migrations.0002_append_only_triggers")


def write(
    n: int, *, action: str = "record.create", at: datetime | None = None, **kwargs: object
) -> list[AuditEvent]:
    """``n`` records by the system, stamped ``at`` when given."""
    if at is None:
        return [audit_record(actor=None, action=action, object_id=str(i), **kwargs) for i in range(n)]
    with mock.patch("django.utils.timezone.now", return_value=at):
        return [audit_record(actor=None, action=action, object_id=str(i), **kwargs) for i in range(n)]


def raw(sql: str, params: list[object] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])


def _drop_statements() -> list[str]:
    if connection.vendor == "postgresql":
        return ["DROP TRIGGER audit_event_guard ON audit_auditevent"]
    return ["DROP TRIGGER audit_event_no_update", "DROP TRIGGER audit_event_no_delete"]


def _create_statements() -> list[str]:
    if connection.vendor == "postgresql":
        return [triggers.POSTGRES_UP[1]]
    return list(triggers.SQLITE_UP)


@contextmanager
def guard_dropped() -> Iterator[None]:
    """Simulates someone with database access: the append-only triggers are gone meanwhile."""
    for statement in _drop_statements():
        raw(statement)
    try:
        yield
    finally:
        for statement in _create_statements():
            raw(statement)
