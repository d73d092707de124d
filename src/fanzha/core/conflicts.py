"""Transient database conflicts: two operations changed the same records at the same moment.

PostgreSQL aborts one of two transactions that wait on each other's row locks (deadlock, SQLSTATE
40P01), that cannot be serialised (40001), or whose lock wait gave up (55P03); SQLite answers "database
is locked" once its busy timeout has passed (or "database table is locked" in a shared-cache database).
The aborted transaction saved nothing, and the same operation run again normally succeeds: the pages,
the API, the command line and the job queue each say so instead of failing with a traceback.

Django wraps the driver's exception (psycopg 3's carries ``.sqlstate``, psycopg2's ``.pgcode``, sqlite3's
``.sqlite_errorcode``) in ``django.db.utils.OperationalError`` with the original as ``__cause__``.
This module imports nothing of Django, so the command line can use it before settings are loaded.
"""

from __future__ import annotations

import logging
import sqlite3

logger = logging.getLogger("fanzha.conflicts")

# SQLSTATE → what PostgreSQL calls it.
POSTGRESQL_CONFLICTS = {
    "40P01": "deadlock_detected",
    "40001": "serialization_failure",
    "55P03": "lock_not_available",
}
SQLITE_BUSY = 5  # "database is locked": another connection held the write lock past the busy timeout
SQLITE_LOCKED = 6  # "database table is locked": a conflict inside one shared-cache database
SQLITE_CONFLICTS = {SQLITE_BUSY: "sqlite_busy", SQLITE_LOCKED: "sqlite_locked"}
SQLITE_MESSAGES = {"database is locked": SQLITE_BUSY, "database table is locked": SQLITE_LOCKED}

CODE = "conflict_retry"  # the API's stable error code
RETRY_AFTER_SECONDS = 5
EXIT_CODE = 75  # EX_TEMPFAIL (sysexits.h): a temporary failure, run the command again
MESSAGE = "另一项操作在同一时刻修改了相同的记录，本次操作没有保存任何内容。请稍后重试。"
COMMAND_MESSAGE = "数据库冲突：另一项操作在同一时刻修改了相同的记录，被中止的修改没有保存。请重新运行此命令。"
JOB_MESSAGE = "数据库冲突：另一项操作在同一时刻修改了相同的记录，本次运行没有保存任何内容"

_MAX_CAUSES = 10  # a chain of causes is short; the bound only guards against a cycle


def conflict_kind(exc: BaseException | None) -> str:
    """What conflict ``exc`` (or an exception it was raised from) is: "40P01", "40001", "55P03",
    "sqlite_busy" or "sqlite_locked"; "" for any other error."""
    for _ in range(_MAX_CAUSES):
        if exc is None:
            return ""
        kind = _own_kind(exc)
        if kind:
            return kind
        exc = exc.__cause__
    return ""


def is_conflict(exc: BaseException | None) -> bool:
    return bool(conflict_kind(exc))


def _own_kind(exc: BaseException) -> str:
    sqlstate = getattr(exc, "sqlstate", None) or getattr(exc, "pgcode", None)
    if sqlstate in POSTGRESQL_CONFLICTS:
        return str(sqlstate)
    if isinstance(exc, sqlite3.OperationalError):
        return SQLITE_CONFLICTS.get(_sqlite_primary_code(exc) or 0, "")
    return ""


def _sqlite_primary_code(exc: sqlite3.OperationalError) -> int | None:
    """The primary result code (an extended code's low byte); from the message when the exception
    was made without one."""
    code = getattr(exc, "sqlite_errorcode", None)
    if isinstance(code, int):
        return code & 0xFF
    return SQLITE_MESSAGES.get(str(exc).strip().lower())


def log_conflict(kind: str, channel: str, **where: str | int) -> None:
    """One WARNING line: the conflict's code and where it happened (a view or command name, never the
    records or the database's own message). The request id comes from the audit context."""
    logger.warning(
        "database conflict: the transaction was rolled back, the caller is asked to retry",
        extra={"conflict": kind, "channel": channel, **where},
    )
