"""Shared by the import commands: who acts, the CLI audit channel, printing a result."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError

from fanzha.audit import context
from fanzha.core.models import User
from fanzha.imports.pipeline import ImportResult, import_run


def actor_for(username: str | None) -> User | None:
    if not username:
        return None
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CommandError(f"没有这个用户：{username}")
    return user


def run_import(
    command: Any, *, importer: str, path: str, username: str | None, dry_run: bool
) -> ImportResult:
    file = Path(path)
    if not file.is_file():
        raise CommandError(f"找不到文件：{path}")
    actor = actor_for(username)

    def progress(done: int, total: int) -> None:
        if done % 500 == 0 or done == total:
            command.stderr.write(f"提交中 {done}/{total}")
            command.stderr.flush()

    with context.bound("cli"):
        return import_run(
            actor=actor,
            importer=importer,
            file_name=file.name,
            data=file.read_bytes(),
            dry_run=dry_run,
            progress=progress,
        )


def report(command: Any, result: ImportResult) -> None:
    """Prints the summary, the row errors or the notices of the rows imported with something to check;
    exits 1 when the file was rejected."""
    batch = result.batch
    command.stdout.write(batch.outcome_text)
    if batch.unknown_columns:
        command.stdout.write(f"未使用的列：{'、'.join(batch.unknown_columns)}")
    for error in batch.errors:
        command.stdout.write(error_line(error))
    if result.ok:
        for notice in batch.notices or []:
            command.stdout.write(notice_line(notice["row"], notice["column"], notice["message"]))
    command.stdout.write(result.summary())
    if not result.ok:
        raise SystemExit(1)


def error_line(error: dict[str, Any]) -> str:
    """第 5 行 手机号 1380013：message — the column and value only where the error names them."""
    where = " ".join(
        str(part) for part in (error.get("column"), error.get("value")) if part not in (None, "")
    )
    return f"第 {error['row']} 行{' ' + where if where else ''}：{error['message']}"


def notice_line(row: object, column: str, message: str) -> str:
    return f"第 {row} 行{' ' + column if column else ''}（提示）：{message}"
