"""``fanzha import_file IMPORTER FILE [--dry-run] [--user USERNAME]`` (areas, people, organisations, …)"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from fanzha.imports.importers import IMPORTERS
from fanzha.imports.management.commands._common import report, run_import


class Command(BaseCommand):
    help = "导入文件（整份文件全部导入或全部不导入）；有错误的行会逐行列出，退出码为 1"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("importer", choices=sorted(IMPORTERS), help="导入类型")
        parser.add_argument("file", help="CSV、XLSX 或 XLS 文件")
        parser.add_argument("--dry-run", action="store_true", help="仅检查，不导入")
        parser.add_argument("--user", help="以该用户身份导入（人员、单位导入必须指定）")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = run_import(
                self,
                importer=options["importer"],
                path=options["file"],
                username=options["user"],
                dry_run=options["dry_run"],
            )
        except PermissionDenied as exc:
            raise CommandError(
                f"无权导入：{exc}（人员导入请用 --user 指定有“批量导入人员”权限的用户）"
            ) from exc
        report(self, result)
