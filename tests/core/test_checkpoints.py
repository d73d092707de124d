"""A big write's WAL checkpoint after its commit, on its own thread (fanzha.core.checkpoints)."""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

import pytest
from django.db import connection
from django.db.backends.sqlite3.base import DatabaseWrapper

from fanzha.core import checkpoints

pytestmark = pytest.mark.django_db  # lifts pytest-django's block on opening connections (here: our own)

ROWS = 8000  # ≈ 8 MB of pages: twice the automatic checkpoint's 1,000 pages of 4 KiB


def _wal_database(path: Path) -> DatabaseWrapper:
    settings = {**connection.settings_dict, "NAME": str(path), "TEST": {}}
    settings["OPTIONS"] = {"init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"}
    wrapper = DatabaseWrapper(settings, alias="checkpoint-test")
    with wrapper.cursor() as cursor:
        cursor.execute("CREATE TABLE item (id INTEGER PRIMARY KEY, body TEXT)")
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the empty table in the file itself
    return wrapper


def _write(wrapper: DatabaseWrapper) -> None:
    with wrapper.cursor() as cursor:
        cursor.execute("BEGIN")
        cursor.executemany("INSERT INTO item (body) VALUES (%s)", [("x" * 1000,) for _ in range(ROWS)])
        cursor.execute("COMMIT")


def _rows_in_database_file(path: Path) -> int:
    """The rows the database file itself holds (``immutable``: the WAL is not read)."""
    with contextlib.closing(sqlite3.connect(f"file:{path}?immutable=1", uri=True)) as db:
        return db.execute("SELECT count(*) FROM item").fetchone()[0]


def test_the_commit_leaves_the_pages_in_the_wal_and_the_thread_copies_them(tmp_path: Path) -> None:
    path = tmp_path / "wal.sqlite3"
    wrapper = _wal_database(path)
    try:
        with checkpoints.deferred_checkpoint(wrapper):
            _write(wrapper)
            # Committed and readable, but no automatic checkpoint ran inside the commit.
            assert _rows_in_database_file(path) == 0
            with wrapper.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM item")
                assert cursor.fetchone()[0] == ROWS
        checkpoints.wait_for_checkpoints()
        assert _rows_in_database_file(path) == ROWS
        with wrapper.cursor() as cursor:
            cursor.execute("PRAGMA wal_autocheckpoint")
            assert cursor.fetchone()[0] == 1000  # set back as it was
    finally:
        wrapper.close()


def test_without_it_the_commit_checkpoints_at_once(tmp_path: Path) -> None:
    """What the module saves: SQLite's default copies the pages into the file inside the commit."""
    path = tmp_path / "wal.sqlite3"
    wrapper = _wal_database(path)
    try:
        _write(wrapper)
        assert _rows_in_database_file(path) == ROWS
    finally:
        wrapper.close()


def test_an_error_in_the_block_still_sets_the_setting_back(tmp_path: Path) -> None:
    path = tmp_path / "wal.sqlite3"
    wrapper = _wal_database(path)
    try:
        with pytest.raises(ValueError), checkpoints.deferred_checkpoint(wrapper):
            raise ValueError("the import failed")
        checkpoints.wait_for_checkpoints()
        with wrapper.cursor() as cursor:
            cursor.execute("PRAGMA wal_autocheckpoint")
            assert cursor.fetchone()[0] == 1000
    finally:
        wrapper.close()


def test_nothing_changes_inside_a_transaction_or_in_memory() -> None:
    """The tests' database is in memory (or PostgreSQL), and a block inside a transaction commits
    nothing itself."""
    with checkpoints.deferred_checkpoint():
        assert not checkpoints._running
    if connection.vendor != "sqlite":
        return  # PostgreSQL (CI's second run): nothing to set
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_autocheckpoint")
        assert cursor.fetchone()[0] == 1000


def test_a_missing_database_file_is_logged_not_raised(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    folder = tmp_path / "gone"
    checkpoints.checkpoint_soon(str(folder / "db.sqlite3")).join()
    assert "checkpoint failed" in caplog.text
