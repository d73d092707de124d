"""``fanzha warnings import FILE [--skip-rejected]``: a pushed warning list, no prompt.

The last line is always ``imported: N new, M merged, K unchanged, E rejected``; the exit status is 0
when the file was imported (or was already imported), 1 when it was rejected or unreadable.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from fanzha.audit import context
from fanzha.imports.importers.warnings import WarningImporter
from fanzha.imports.pipeline import ImportResult, import_run


def summary_line(result: ImportResult) -> str:
    """The batch's own counts (rows --skip-rejected left out are its rejected rows)."""
    b = result.batch
    return (
        f"imported: {b.rows_new} new, {b.rows_updated} merged, {b.rows_unchanged} unchanged, "
        f"{b.rows_rejected} rejected"
    )


class Command(BaseCommand):
    help = "预警：import 导入预警清单（CSV、XLSX、XLS），无需其他参数"

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="导入预警清单")
        imp.add_argument("file")
        imp.add_argument("--skip-rejected", action="store_true", help="跳过无法识别当事人的行，导入其余各行")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"无法读取文件：{path}（{exc.strerror or exc}）") from exc
        importer = WarningImporter(skip_rejected=options["skip_rejected"])
        with context.bound("cli"):
            result = import_run(actor=None, importer=importer, file_name=path.name, data=data)
        self._report(result, importer)
        if not result.ok:
            raise SystemExit(1)

    def _report(self, result: ImportResult, importer: WarningImporter) -> None:
        batch = result.batch
        self.stdout.write(f"{batch.get_status_display()}：{batch.message}")
        if batch.unknown_columns:
            self.stdout.write(f"未使用的列：{'、'.join(batch.unknown_columns)}")
        for error in batch.errors:
            self.stdout.write(
                f"第 {error['row']} 行 {error['column']} {error['value']}：{error['message']}".replace(
                    "  ", " "
                )
            )
        if result.ok:
            for number, message in importer.skipped:
                self.stdout.write(f"第 {number} 行（已跳过）：{message}")
            for number, column, message in importer.notices:
                self.stdout.write(f"第 {number} 行 {column}（提示）：{message}")
        self.stdout.write(summary_line(result))
