"""``fanzha warnings import FILE [--skip-rejected]``: a pushed warning list, no prompt.
``fanzha warnings import-ledger FILE [--skip-rejected]``: the centre's history ledger (预警处置台账):
warnings with the work done on them (docs/warnings.md §1, 台账导入); the line before the last counts
the rows closed and kept open.

The last line is always ``imported: N new, M merged, K unchanged, E rejected``; the exit status is 0
when the file was imported (or was already imported), 1 when it was rejected or unreadable.

``fanzha warnings redispatch-stranded``: the open warnings still held by an inactive account or unit
(deactivated before 停用后改派, through Django's admin, or by a restored backup) handed on as a
deactivation hands them on; open cases whose officer is gone are counted (an officer is chosen on the
case's page). The last line is always ``redispatched: N to colleagues, M re-routed, K to the centre's
queue``; the exit status is 0, also when there was nothing to do.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from fanzha.audit import context
from fanzha.core.models import Organisation
from fanzha.imports.importers.ledger import LedgerImporter
from fanzha.imports.importers.warnings import WarningImporter
from fanzha.imports.management.commands._common import error_line, notice_line
from fanzha.imports.pipeline import ImportResult, import_run
from fanzha.warnings import workflow


def summary_line(result: ImportResult) -> str:
    """The batch's own counts (rows --skip-rejected left out are its rejected rows)."""
    b = result.batch
    return (
        f"imported: {b.rows_new} new, {b.rows_updated} merged, {b.rows_unchanged} unchanged, "
        f"{b.rows_rejected} rejected"
    )


def redispatched_line(done: workflow.Redispatched) -> str:
    ways = done.ways
    return (
        f"redispatched: {ways['colleague']} to colleagues, {ways['rerouted']} re-routed, "
        f"{ways['queue']} to the centre's queue"
    )


def _whose(gone: Any) -> str:
    """The holder as the summary names it: a unit by its name, an account by its id (no personal data)."""
    if isinstance(gone, Organisation):
        return f"已停用单位 {gone}"
    return f"已停用账户（ID {gone.pk}）"


def _cases_with_officers_gone() -> int:
    """Open cases whose officer's account or unit is inactive: an officer is chosen deliberately
    (更换承办民警), never by this command, so it only counts them."""
    from fanzha.cases.models import OPEN_STATUSES, Case  # cases builds on warnings: imported here

    gone = Q(officer__is_active=False) | Q(officer__organisation__is_active=False)
    return Case.objects.filter(gone, status__in=OPEN_STATUSES).count()


class Command(BaseCommand):
    help = (
        "预警：import 导入预警清单（CSV、XLSX、XLS），无需其他参数；import-ledger 导入预警处置台账（历史）；"
        "redispatch-stranded 改派已停用账户或单位名下的未办结预警"
    )

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="导入预警清单")
        imp.add_argument("file")
        imp.add_argument("--skip-rejected", action="store_true", help="跳过无法识别当事人的行，导入其余各行")
        led = sub.add_parser("import-ledger", help="导入预警处置台账（历史预警及处置结果）")
        led.add_argument("file")
        led.add_argument("--skip-rejected", action="store_true", help="跳过无法识别当事人的行，导入其余各行")
        sub.add_parser(
            "redispatch-stranded", help="改派已停用账户或单位名下的未办结预警（与停用时的改派相同）"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "redispatch-stranded":
            self._redispatch_stranded()
            return
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"无法读取文件：{path}（{exc.strerror or exc}）") from exc
        ledger = options["action"] == "import-ledger"
        kind = LedgerImporter if ledger else WarningImporter
        importer = kind(skip_rejected=options["skip_rejected"])
        with context.bound("cli"):
            result = import_run(actor=None, importer=importer, file_name=path.name, data=data)
        self._report(result, importer)
        if not result.ok:
            raise SystemExit(1)

    def _redispatch_stranded(self) -> None:
        with context.bound("cli"):
            done = workflow.warnings_redispatch_stranded(actor=None)
        total = workflow.Redispatched()
        for gone, moved in done:
            self.stdout.write(moved.text(_whose(gone)))
            total += moved
        if not done:
            self.stdout.write("没有停用账户或单位名下的未办结预警。")
        cases = _cases_with_officers_gone()
        if cases:
            self.stdout.write(
                f"另有 {cases} 起未结案件的承办民警账户或单位已停用：案件不会自动改派，"
                "请在案件页“更换承办民警”。"
            )
        self.stdout.write(redispatched_line(total))

    def _report(self, result: ImportResult, importer: WarningImporter) -> None:
        batch = result.batch
        self.stdout.write(batch.outcome_text)
        if batch.unknown_columns:
            self.stdout.write(f"未使用的列：{'、'.join(batch.unknown_columns)}")
        for error in batch.errors:
            self.stdout.write(error_line(error))
        if result.ok:
            for number, message in importer.skipped:
                self.stdout.write(f"第 {number} 行（已跳过）：{message}")
            for number, column, message in importer.notices:
                self.stdout.write(notice_line(number, column, message))
            if isinstance(importer, LedgerImporter) and result.batch.status == "committed":
                self.stdout.write(importer.summary_text())
        self.stdout.write(summary_line(result))
