"""Database-wide locks held until the caller's transaction ends."""

from __future__ import annotations

from django.db import connection


def transaction_lock(key: int) -> None:
    """Wait for and take lock ``key`` until the current transaction ends (call it inside one).

    PostgreSQL: a transaction-level advisory lock. SQLite needs none: its writing transactions begin
    IMMEDIATE, so writers already queue one behind another.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])
