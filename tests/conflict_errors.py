"""Database conflicts as Django raises them, for tests of how they are answered."""

from __future__ import annotations

import sqlite3

import psycopg.errors
from django.db import OperationalError


def wrapped(driver_error: BaseException) -> OperationalError:
    """The driver's exception as Django raises it: its own OperationalError, the original as cause."""
    error = OperationalError(*driver_error.args)
    error.__cause__ = driver_error
    return error


def deadlock(message: str = "deadlock detected") -> OperationalError:
    return wrapped(psycopg.errors.DeadlockDetected(message))


def sqlite_locked() -> OperationalError:
    return wrapped(sqlite3.OperationalError("database is locked"))
