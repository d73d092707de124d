"""``fanzha backup OUT_PATH``: a consistent backup of the configured database (SQLite or PostgreSQL)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from fanzha.audit import context
from fanzha.core.backup import BackupError, backup_create


class Command(BaseCommand):
    help = "备份数据库：SQLite 用在线备份接口，PostgreSQL 用 pg_dump --format=custom；平台运行时也可执行"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("out_path", type=Path, help="备份文件路径（不能已存在）")
        parser.add_argument("--force", action="store_true", help="覆盖已存在的备份文件")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            with context.bound("cli"):
                result = backup_create(actor=None, out_path=options["out_path"], force=options["force"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(f"备份完成（{result.vendor}）：{result.path}，{result.size:,} 字节")
        )
