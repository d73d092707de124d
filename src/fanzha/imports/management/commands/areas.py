"""``fanzha areas import FILE`` and ``fanzha areas export OUT.csv|OUT.xlsx``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from fanzha.imports.exports import write_areas
from fanzha.imports.management.commands._common import report, run_import


class Command(BaseCommand):
    help = "行政区划：import 导入文件，export 导出为 CSV 或 XLSX（可原样再导入）"

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="导入区划文件")
        imp.add_argument("file")
        imp.add_argument("--dry-run", action="store_true", help="仅检查，不导入")
        imp.add_argument("--user", help="以该用户身份导入（需“维护行政区划”权限；不指定则以系统身份）")
        exp = sub.add_parser("export", help="导出全部区划")
        exp.add_argument("out", help="输出文件，.csv 或 .xlsx")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "export":
            try:
                count = write_areas(Path(options["out"]))
            except (ValueError, OSError) as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(f"已导出 {count} 个区划：{options['out']}")
            return
        try:
            result = run_import(
                self,
                importer="areas",
                path=options["file"],
                username=options["user"],
                dry_run=options["dry_run"],
            )
        except PermissionDenied as exc:
            raise CommandError(f"无权导入：{exc}") from exc
        report(self, result)
