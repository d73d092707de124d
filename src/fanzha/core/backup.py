"""Database backup and restore, for SQLite and PostgreSQL.

- SQLite: a backup is made with SQLite's online backup API from the live connection, so it is a
  consistent copy even while the platform writes; a restore copies the backup into the database
  file with the same API (which respects locks and the WAL), after closing Django's connections.
- PostgreSQL: ``pg_dump --format=custom`` and ``pg_restore --clean --if-exists --no-owner``, with
  the connection settings passed through the libpq environment (the password as ``PGPASSWORD``,
  never on the command line). ``--clean`` drops the tables, so the audit log's triggers, which
  refuse UPDATE and DELETE, do not stand in the way.

A backup file is readable by its owner only (mode 0600). A restore is refused when the backup's
personal data cannot be decrypted with the configured PII key (a backup from another key).

A backup writes a ``backup.create`` audit record into the live database; a restore writes
``backup.restore`` into the restored one.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import connection, connections, transaction

from fanzha.audit.services import audit_record
from fanzha.core.pii import crypto

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


def _new_private_file(path: Path) -> None:
    """An empty ``path`` of mode 0600 (whatever the umask): a backup holds password hashes and the
    audit log, and its encrypted personal data is only as safe as the key kept apart from it."""
    path.unlink(missing_ok=True)
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def sqlite_backup(source: sqlite3.Connection, out_path: Path) -> None:
    """Copy ``source`` (a live connection) into a new file, atomically renamed into place."""
    partial = out_path.with_name(out_path.name + ".part")
    _new_private_file(partial)
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


def key_mismatch(sample: str | None) -> str:
    """Why the configured PII key cannot decrypt ``sample`` (an encrypted value from a backup), or ""."""
    if crypto.key_reads(sample):
        return ""
    return (
        "备份中的个人信息无法用当前的 FANZHA_PII_KEY 解密：备份是用另一个密钥加密的。"
        "请设置备份时使用的 FANZHA_PII_KEY（本地运行时放回 var/pii_key）后再恢复。"
    )


def _sqlite_sample(db: sqlite3.Connection) -> str | None:
    """One encrypted name from the backup's people, or None when it has none."""
    if not db.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='core_person'").fetchone():
        return None
    row = db.execute("SELECT name FROM core_person WHERE name LIKE 'v1:%' LIMIT 1").fetchone()
    return row[0] if row else None


def sqlite_restore(backup_path: Path, target_path: Path, *, force: bool = False) -> None:
    """Copy the backup over the database file ``target_path`` (refused when it has data, unless force,
    and always when the configured PII key cannot read the backup's personal data)."""
    source = _open_backup(backup_path)
    try:
        mismatch = key_mismatch(_sqlite_sample(source))
        if mismatch:
            raise BackupError(mismatch)
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


# An encrypted value as pg_restore prints a table's rows (crypto's token shape).
_TOKEN_IN_TEXT = re.compile(r"v1:(?:aes|sm4):[A-Za-z0-9_-]+={0,2}")


def pg_sample(backup_path: Path) -> str | None:
    """One encrypted value from the people in a ``pg_dump`` archive, read without a database (pg_restore
    prints the table's rows); None when it holds none or cannot be read (the restore then says why)."""
    program = shutil.which("pg_restore")
    if program is None:
        raise BackupError(
            "找不到 pg_restore：请安装与服务器版本一致的 PostgreSQL 客户端（postgresql-client）"
        )
    arguments = [program, "--data-only", "--table=core_person", "--file=-", str(backup_path)]
    with subprocess.Popen(arguments, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True) as process:
        assert process.stdout is not None
        for line in process.stdout:
            found = _TOKEN_IN_TEXT.search(line)
            if found:
                process.kill()
                return found.group()
    return None


def pg_dump(settings_dict: dict[str, Any], out_path: Path) -> None:
    partial = out_path.with_name(out_path.name + ".part")
    _new_private_file(partial)
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
        if not backup_path.is_file():
            raise BackupError(f"备份文件不存在：{backup_path}")
        mismatch = key_mismatch(pg_sample(backup_path))
        if mismatch:
            raise BackupError(mismatch)
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
