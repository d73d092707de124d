"""Backup and restore: data backed up from the live database is found again in a restored one."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.conf import settings
from django.db import connection

from fanzha.audit.models import AuditEvent, AuditPurgePermit
from fanzha.core import backup
from fanzha.core.models import Area, Person
from fanzha.core.pii import crypto
from tests.conftest import FLUSH_ALL
from tests.personas import World, build_world

sqlite_only = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="SQLite backup (the suite runs on PostgreSQL)"
)


@pytest.fixture
def committed_world(allow_audit_flush: None, transactional_db: None) -> Iterator[World]:
    """The personas, committed (a backup sees only committed data).

    The audit records are removed under a purge permit before the flush: on SQLite the flush
    deletes tables in an order that varies between runs, and the triggers refuse once the permit
    table is emptied first.
    """
    yield build_world()
    AuditPurgePermit.objects.create(upto_id=FLUSH_ALL)
    AuditEvent.objects.all().delete()


def counts_in_sqlite(path: Path) -> dict[str, int]:
    db = sqlite3.connect(path)
    try:
        return {
            table: db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]  # noqa: S608
            for table in ("core_person", "core_area", "audit_auditevent")
        }
    finally:
        db.close()


def live_counts() -> dict[str, int]:
    return {
        "core_person": Person.objects.count(),
        "core_area": Area.objects.count(),
        "audit_auditevent": AuditEvent.objects.count(),
    }


def run_fanzha(database: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "FANZHA_VAR_DIR": str(database.parent / "var"),
        "FANZHA_PII_KEY": settings.PII_KEY,  # the key the backed-up data was written with
    }
    return subprocess.run(
        [sys.executable, "-m", "fanzha", *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


@sqlite_only
def test_it_backs_up_sqlite_and_restores_into_a_new_file(committed_world: World, tmp_path: Path) -> None:
    world = committed_world
    before = live_counts()
    result = backup.backup_create(actor=world.users["admin"], out_path=tmp_path / "fanzha.backup")
    assert result.vendor == "sqlite" and result.size > 0
    assert AuditEvent.objects.filter(action="backup.create").count() == 1

    target = tmp_path / "restored.sqlite3"
    backup.sqlite_restore(result.path, target)
    assert counts_in_sqlite(target) == before  # the backup.create record came after the copy
    assert before["core_person"] == 2
    db = sqlite3.connect(target)
    row = db.execute("SELECT name FROM core_person WHERE id = ?", [world.people["shiqiao"].pk]).fetchone()
    db.close()
    token = row[0]
    assert crypto.decrypt(token) == "李建国"


@sqlite_only
def test_it_restores_with_the_command_and_refuses_a_database_with_data(
    committed_world: World, tmp_path: Path
) -> None:
    archive = tmp_path / "fanzha.backup"
    backup.backup_create(actor=None, out_path=archive)
    expected = live_counts()
    target = tmp_path / "restored.sqlite3"

    done = run_fanzha(target, "restore", str(archive))
    assert done.returncode == 0, done.stderr
    restored = counts_in_sqlite(target)
    assert restored == {**expected, "audit_auditevent": expected["audit_auditevent"]}  # + restore - create
    db = sqlite3.connect(target)
    assert (
        db.execute("SELECT action FROM audit_auditevent ORDER BY id DESC LIMIT 1").fetchone()[0]
        == "backup.restore"
    )
    token = db.execute("SELECT name FROM core_person WHERE id = ?", [committed_world.people["shiqiao"].pk])
    assert crypto.decrypt(token.fetchone()[0]) == "李建国"
    db.close()
    assert run_fanzha(target, "audit", "verify").returncode == 0

    again = run_fanzha(target, "restore", str(archive))
    assert again.returncode != 0 and "--force" in again.stderr
    forced = run_fanzha(target, "restore", str(archive), "--force")
    assert forced.returncode == 0, forced.stderr
    assert run_fanzha(target, "audit", "verify").returncode == 0


@sqlite_only
def test_a_backup_file_is_readable_by_its_owner_only(committed_world: World, tmp_path: Path) -> None:
    previous = os.umask(0o022)
    try:
        result = backup.backup_create(actor=None, out_path=tmp_path / "fanzha.backup")
    finally:
        os.umask(previous)
    assert result.path.stat().st_mode & 0o777 == 0o600


@sqlite_only
def test_it_refuses_a_backup_made_with_another_key(
    committed_world: World, tmp_path: Path, settings: Any
) -> None:
    archive = backup.backup_create(actor=None, out_path=tmp_path / "fanzha.backup").path
    settings.PII_KEY = crypto.generate_key()  # another centre's key, or a new one made by mistake
    target = tmp_path / "restored.sqlite3"
    with pytest.raises(backup.BackupError, match="FANZHA_PII_KEY") as refused:
        backup.sqlite_restore(archive, target)
    assert "另一个密钥" in str(refused.value)
    assert not target.exists()


@sqlite_only
def test_it_refuses_a_truncated_backup(committed_world: World, tmp_path: Path) -> None:
    archive = backup.backup_create(actor=None, out_path=tmp_path / "fanzha.backup").path
    cut = tmp_path / "cut.backup"
    cut.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    target = tmp_path / "restored.sqlite3"
    with pytest.raises(backup.BackupError, match="cut.backup"):
        backup.sqlite_restore(cut, target)
    assert not target.exists()


def test_it_refuses_to_overwrite_an_existing_backup_file(world, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    existing = tmp_path / "fanzha.backup"
    existing.write_text("keep me", encoding="utf-8")
    with pytest.raises(backup.BackupError, match="已存在"):
        backup.backup_create(actor=None, out_path=existing)
    assert existing.read_text(encoding="utf-8") == "keep me"
    assert not AuditEvent.objects.filter(action="backup.create").exists()


def test_it_refuses_to_back_up_inside_an_open_transaction(world, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(backup.BackupError, match="事务"):
        backup.backup_create(actor=None, out_path=tmp_path / "fanzha.backup")
    assert not (tmp_path / "fanzha.backup").exists()


def test_it_rejects_a_file_that_is_not_a_backup(tmp_path: Path) -> None:
    bogus = tmp_path / "notes.txt"
    bogus.write_text("not a database " * 100, encoding="utf-8")
    target = tmp_path / "target.sqlite3"
    with pytest.raises(backup.BackupError):
        backup.sqlite_restore(bogus, target)
    assert not target.exists()


def test_it_passes_the_postgres_password_only_in_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    settings_dict = {
        "NAME": "fanzha",
        "USER": "fanzha",
        "PASSWORD": "s3cret-Pw",
        "HOST": "",
        "PORT": "",
        "OPTIONS": {"host": "/run/postgresql", "sslmode": "prefer"},
    }
    calls: list[tuple[list[str], dict[str, str]]] = []

    def fake_run(args: list[str], env: dict[str, str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
        calls.append((args, env))
        Path(next(a for a in args if a.startswith("--file=")).removeprefix("--file=")).write_bytes(b"PGDMP")
        return subprocess.CompletedProcess(args, 0, "", "")

    monkeypatch.setattr(backup.shutil, "which", lambda tool: f"/usr/bin/{tool}")
    monkeypatch.setattr(backup.subprocess, "run", fake_run)
    backup.pg_dump(settings_dict, tmp_path / "db.dump")
    args, env = calls[0]
    assert all("s3cret" not in arg for arg in args)
    assert "--format=custom" in args
    assert env["PGPASSWORD"] == "s3cret-Pw"
    assert (env["PGHOST"], env["PGUSER"], env["PGDATABASE"], env["PGSSLMODE"]) == (
        "/run/postgresql",
        "fanzha",
        "fanzha",
        "prefer",
    )
    assert (tmp_path / "db.dump").read_bytes() == b"PGDMP"


def _pg_skip_reason() -> str:
    if connection.vendor != "postgresql":
        return "PostgreSQL backup: the suite runs on SQLite"
    missing = [tool for tool in ("pg_dump", "pg_restore") if shutil.which(tool) is None]
    return f"PostgreSQL backup: {', '.join(missing)} not on PATH" if missing else ""


def _count(db: psycopg.Connection[Any], table: str) -> int:
    row = db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()  # noqa: S608 - fixed table names
    return int(row[0]) if row else -1


@pytest.mark.skipif(bool(_pg_skip_reason()), reason=_pg_skip_reason() or "-")
def test_it_dumps_postgres_and_restores_into_a_fresh_database(committed_world: World, tmp_path: Path) -> None:
    expected = live_counts()
    result = backup.backup_create(actor=None, out_path=tmp_path / "fanzha.dump")
    assert result.vendor == "postgresql"
    name = f"fanzha_restore_{uuid.uuid4().hex[:8]}"
    params = connection.get_connection_params()
    with psycopg.connect(**params, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        backup.pg_restore({**connection.settings_dict, "NAME": name}, result.path)
        with psycopg.connect(**{**params, "dbname": name}) as restored:
            got = {table: _count(restored, table) for table in expected}
        assert got == expected
    finally:
        with psycopg.connect(**params, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.skipif(bool(_pg_skip_reason()), reason=_pg_skip_reason() or "-")
def test_it_refuses_a_postgres_backup_made_with_another_key(
    committed_world: World, tmp_path: Path, settings: Any
) -> None:
    archive = backup.backup_create(actor=None, out_path=tmp_path / "fanzha.dump").path
    assert archive.stat().st_mode & 0o777 == 0o600
    assert crypto.decrypt(backup.pg_sample(archive) or "")  # the archive's people are read without a database
    settings.PII_KEY = crypto.generate_key()
    with pytest.raises(backup.BackupError, match="FANZHA_PII_KEY"):
        backup.backup_restore(actor=None, backup_path=archive, force=True)
    assert Person.objects.count() == 2  # nothing was replaced
