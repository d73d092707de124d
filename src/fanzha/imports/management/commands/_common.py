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
        command.stdout.write(f"第 {error['row']} 行 {error['column']} {error['value']}：{error['message']}")
    if result.ok:
        for notice in batch.notices or []:
            command.stdout.write(f"第 {notice['row']} 行 {notice['column']}（提示）：{notice['message']}")
    command.stdout.write(result.summary())
    if not result.ok:
        raise SystemExit(1)
