"""``fanzha restore BACKUP_PATH [--force]``: replace the configured database with a backup."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from fanzha.audit import context
from fanzha.core.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = (
        "从备份恢复数据库：SQLite 覆盖数据库文件，PostgreSQL 用 pg_restore --clean。"
        "请先停止平台与后台任务进程；目标数据库已有数据时需加 --force"
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("backup_path", type=Path, help="fanzha backup 生成的备份文件")
        parser.add_argument("--force", action="store_true", help="目标数据库已有数据时仍然覆盖")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            with context.bound("cli"):
                vendor = backup_restore(
                    actor=None, backup_path=options["backup_path"], force=options["force"]
                )
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"恢复完成（{vendor}）：{options['backup_path']}。如备份来自旧版本，请再执行 fanzha migrate。"
            )
        )
