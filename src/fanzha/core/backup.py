"""Database backup and restore, for SQLite and PostgreSQL.

- SQLite: a backup is made with SQLite's online backup API from the live connection, so it is a
  consistent copy even while the platform writes; a restore copies the backup into the database
  file with the same API (which respects locks and the WAL), after closing Django's connections.
- PostgreSQL: ``pg_dump --format=custom`` and ``pg_restore --clean --if-exists --no-owner``, with
  the connection settings passed through the libpq environment (the password as ``PGPASSWORD``,
  never on the command line). ``--clean`` drops the tables, so the audit log's triggers, which
  refuse UPDATE and DELETE, do not stand in the way.

A backup writes a ``backup.create`` audit record into the live database; a restore writes
``backup.restore`` into the restored one.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import connection, connections, transaction

from fanzha.audit.services import audit_record

# Tables that real use fills; a database with rows in any of them is "not empty".
DATA_TABLES = ("core_area", "core_organisation", "core_user", "core_person", "audit_auditevent")
# libpq settings that dj-database-url may place in OPTIONS, and their environment variables.
_LIBPQ_ENV = {
    "host": "PGHOST",
    "port": "PGPORT",
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "options": "PGOPTIONS",
    "application_name": "PGAPPNAME",
    "service": "PGSERVICE",
    "passfile": "PGPASSFILE",
}


class BackupError(Exception):
    """A backup or restore could not be made; the message says why, in Chinese."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    vendor: str
    size: int


# ── SQLite ───────────────────────────────────────────────────────────────────


# SQLite retries a busy source for ever; give up when no page was copied for this long.
STALL_SECONDS = 300.0


def _copy(source: sqlite3.Connection, target: sqlite3.Connection) -> None:
    """SQLite's online backup in one step: a consistent snapshot (in WAL mode writers go on meanwhile).

    Copying in several steps would restart whenever another process writes, possibly for ever.
    """
    last = {"remaining": -1, "at": time.monotonic()}

    def progress(status: int, remaining: int, total: int) -> None:
        if remaining != last["remaining"]:
            last.update(remaining=remaining, at=time.monotonic())
        elif time.monotonic() - last["at"] > STALL_SECONDS:
            raise BackupError("数据库长时间被占用，备份未能完成，请稍后重试")

    source.backup(target, pages=-1, progress=progress, sleep=0.05)


def sqlite_backup(source: sqlite3.Connection, out_path: Path) -> None:
    """Copy ``source`` (a live connection) into a new file, atomically renamed into place."""
    partial = out_path.with_name(out_path.name + ".part")
    partial.unlink(missing_ok=True)
    target = sqlite3.connect(partial)
    try:
        _copy(source, target)
    except BaseException:
        target.close()
        partial.unlink(missing_ok=True)
        raise
    target.close()
    os.replace(partial, out_path)


def _open_backup(path: Path) -> sqlite3.Connection:
    if not path.is_file():
        raise BackupError(f"备份文件不存在：{path}")
    db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        ok = db.execute("PRAGMA quick_check").fetchone()[0] == "ok"
        has_schema = db.execute(
            "SELECT 1 FROM sqlite_master WHERE type='table' AND name='django_migrations'"
        ).fetchone()
    except sqlite3.DatabaseError as exc:
        db.close()
        raise BackupError(f"不是有效的 SQLite 备份文件：{path}") from exc
    if not ok or not has_schema:
        db.close()
        raise BackupError(f"备份文件已损坏或不是 fanzha 数据库：{path}")
    return db


def sqlite_has_data(path: Path) -> bool:
    if not path.exists() or path.stat().st_size == 0:
        return False
    db = sqlite3.connect(path)
    try:
        present = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        return any(
            db.execute(f"SELECT 1 FROM {t} LIMIT 1").fetchone()  # noqa: S608 - fixed names
            for t in DATA_TABLES
            if t in present
        )
    finally:
        db.close()


def sqlite_restore(backup_path: Path, target_path: Path, *, force: bool = False) -> None:
    """Copy the backup over the database file ``target_path`` (refused when it has data, unless force)."""
    source = _open_backup(backup_path)
    try:
        if not force and sqlite_has_data(target_path):
            raise BackupError(f"目标数据库已有数据：{target_path}。确认要覆盖时请加 --force。")
        connections.close_all()
        target_path.parent.mkdir(parents=True, exist_ok=True)
        target = sqlite3.connect(target_path)
        try:
            _copy(source, target)
        finally:
            target.close()
    finally:
        source.close()


# ── PostgreSQL ───────────────────────────────────────────────────────────────


def pg_environment(settings_dict: dict[str, Any]) -> dict[str, str]:
    """The process environment plus libpq variables for the database in ``settings_dict``."""
    env = dict(os.environ)
    options = settings_dict.get("OPTIONS") or {}
    values = {key: options[key] for key in _LIBPQ_ENV if options.get(key) not in (None, "")}
    if settings_dict.get("HOST"):
        values["host"] = settings_dict["HOST"]  # a directory means a unix socket
    if settings_dict.get("PORT"):
        values["port"] = settings_dict["PORT"]
    for key, value in values.items():
        env[_LIBPQ_ENV[key]] = str(value)
    if settings_dict.get("USER"):
        env["PGUSER"] = str(settings_dict["USER"])
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    env["PGDATABASE"] = str(settings_dict["NAME"])
    return env


def _run(tool: str, arguments: list[str], env: dict[str, str]) -> None:
    program = shutil.which(tool)
    if program is None:
        raise BackupError(f"找不到 {tool}：请安装与服务器版本一致的 PostgreSQL 客户端（postgresql-client）")
    done = subprocess.run([program, *arguments], env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(f"{tool} 失败（退出码 {done.returncode}）：{done.stderr.strip()[-2000:]}")


def pg_dump(settings_dict: dict[str, Any], out_path: Path) -> None:
    partial = out_path.with_name(out_path.name + ".part")
    _run("pg_dump", ["--format=custom", "--no-password", f"--file={partial}"], pg_environment(settings_dict))
    os.replace(partial, out_path)


def pg_restore(settings_dict: dict[str, Any], backup_path: Path) -> None:
    """Restore into the database of ``settings_dict``, replacing the tables the backup holds."""
    if not backup_path.is_file():
        raise BackupError(f"备份文件不存在：{backup_path}")
    connections.close_all()
    _run(
        "pg_restore",
        [
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            "--no-password",
            f"--dbname={settings_dict['NAME']}",
            str(backup_path),
        ],
        pg_environment(settings_dict),
    )


def database_has_data() -> bool:
    """True when the configured database has rows in any of DATA_TABLES."""
    present = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        for table in DATA_TABLES:
            if table in present:
                cursor.execute(f"SELECT 1 FROM {connection.ops.quote_name(table)} LIMIT 1")  # noqa: S608
                if cursor.fetchone():
                    return True
    return False


# ── the two operations on the configured database ───────────────────────────


def backup_create(*, actor: Any, out_path: Path, force: bool = False) -> BackupResult:
    """Back up the configured database into ``out_path``; audited as ``backup.create``."""
    out_path = Path(out_path)
    if out_path.exists() and not force:
        raise BackupError(f"目标文件已存在：{out_path}。请换一个文件名，或加 --force 覆盖。")
    if connection.in_atomic_block:
        raise BackupError("不能在未提交的事务中备份（备份只包含已提交的数据）")
    out_path.parent.mkdir(parents=True, exist_ok=True)
    vendor = connection.vendor
    if vendor == "sqlite":
        connection.ensure_connection()
        sqlite_backup(connection.connection, out_path)
    elif vendor == "postgresql":
        pg_dump(connection.settings_dict, out_path)
    else:
        raise BackupError(f"不支持的数据库类型：{vendor}")
    result = BackupResult(out_path, vendor, out_path.stat().st_size)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="backup.create",
            object_type="backup",
            object_id=out_path.name,
            details={"vendor": vendor, "file": out_path.name, "bytes": result.size},
        )
    return result


def backup_restore(*, actor: Any, backup_path: Path, force: bool = False) -> str:
    """Replace the configured database with a backup; audited as ``backup.restore`` in the restored one."""
    backup_path = Path(backup_path)
    vendor = connection.vendor
    settings_dict = dict(connection.settings_dict)
    if vendor == "sqlite":
        sqlite_restore(backup_path, _sqlite_file(settings_dict), force=force)
    elif vendor == "postgresql":
        if not force and database_has_data():
            raise BackupError(f"目标数据库 {settings_dict['NAME']} 已有数据。确认要覆盖时请加 --force。")
        pg_restore(settings_dict, backup_path)
    else:
        raise BackupError(f"不支持的数据库类型：{vendor}")
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="backup.restore",
            object_type="backup",
            object_id=backup_path.name,
            details={"vendor": vendor, "file": backup_path.name},
        )
    return vendor


def _sqlite_file(settings_dict: dict[str, Any]) -> Path:
    name = str(settings_dict["NAME"])
    if name == ":memory:" or "mode=memory" in name:
        raise BackupError("内存数据库无法恢复到文件，请设置 DATABASE_URL 指向数据库文件")
    return Path(name)
