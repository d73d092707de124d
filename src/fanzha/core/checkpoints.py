"""SQLite: a big write's WAL checkpoint run beside the caller, after its commit, not inside it.

In WAL mode a transaction's pages are appended to the ``-wal`` file and made durable there by the
commit's fsync (``synchronous=FULL``). Then, by default, the committing connection at once copies every
page into the database file and fsyncs that too (the automatic checkpoint), before the commit returns:
for a 100,000-row warning list that second copy is 1.5 s of the 12 s import, spent with the work already
durable. :func:`deferred_checkpoint` switches the automatic checkpoint off for the duration of a block
and, when the block is over, runs the checkpoint on a thread of its own (its own connection; ``PASSIVE``:
it takes no lock a reader or writer waits for) while the caller answers. Readers see the committed
rows either way (they read the WAL). If the process stops before the thread is done, the pages stay in
the WAL and the next checkpoint (any connection's) copies them.

Other databases, an in-memory database, a journal mode other than WAL, or a block inside an outer
transaction (nothing is committed when it ends): nothing changes.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import threading
from collections.abc import Iterator
from typing import Any

from django.db import connection as default_connection

logger = logging.getLogger(__name__)

_running: dict[str, threading.Thread] = {}  # database file → its checkpoint thread, while one runs
_lock = threading.Lock()


@contextlib.contextmanager
def deferred_checkpoint(connection: Any = default_connection) -> Iterator[None]:
    """Around a transaction that writes many pages: its checkpoint after it, on another thread
    (``connection``: Django's, the default database's unless another is given)."""
    path = _wal_file_database(connection)
    if path is None:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_autocheckpoint")
        (pages,) = cursor.fetchone()
        cursor.execute("PRAGMA wal_autocheckpoint = 0")
    try:
        yield
    finally:
        if connection.connection is not None:  # still open: set back as it was
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA wal_autocheckpoint = {int(pages)}")
        checkpoint_soon(path)


def _wal_file_database(connection: Any) -> str | None:
    """The database file of ``connection`` when it is SQLite in WAL mode, outside any
    transaction (else None)."""
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        return None
    path = str(connection.settings_dict["NAME"])
    if not path or connection.is_in_memory_db():
        return None
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        (mode,) = cursor.fetchone()
    return path if str(mode).lower() == "wal" else None


def checkpoint_soon(path: str) -> threading.Thread:
    """Start a ``PASSIVE`` checkpoint of ``path`` on its own thread (or give the one already running)."""
    with _lock:
        thread = _running.get(path)
        if thread is None or not thread.is_alive():
            # Not a daemon: a command that ends right after its import waits for it at exit.
            thread = threading.Thread(target=_checkpoint, args=(path,), name="fanzha-checkpoint")
            _running[path] = thread
            thread.start()
    return thread


def _checkpoint(path: str) -> None:
    try:
        with contextlib.closing(sqlite3.connect(path, timeout=20)) as db:
            busy, frames, copied = db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        if busy or copied < frames:
            logger.info(
                "checkpoint: %s of %s WAL frames copied (the rest by a later checkpoint)", copied, frames
            )
    except sqlite3.Error:
        logger.exception("checkpoint failed (the pages stay in the WAL for the next one)")
    finally:
        with _lock:
            if _running.get(path) is threading.current_thread():
                del _running[path]


def wait_for_checkpoints() -> None:
    """Wait for the checkpoints running now (a test, or a benchmark timing them on their own)."""
    with _lock:
        threads = list(_running.values())
    for thread in threads:
        thread.join()
