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


# Any constant (not the audit chain's): serialises the intakes that register people on PostgreSQL.
_INTAKE_LOCK_KEY = 0x46415A57


def lock_intake() -> None:
    """One intake registering people at a time — a warning intake (list, push) or a people import —
    until the caller's transaction ends (call it inside, first).

    An intake reads what is already received (source ids, people, open warnings) and then writes:
    two at once would both read "not yet" — a repeated push failed on the unique source id, one
    person in two lists became two people. SQLite's writers already queue at ``BEGIN IMMEDIATE``;
    PostgreSQL gets a transaction-level advisory lock (a 100,000-row file holds it for its commit).
    """
    transaction_lock(_INTAKE_LOCK_KEY)
