"""``fanzha audit verify`` checks the hash chain; ``fanzha audit purge`` applies the retention period."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from fanzha.audit import context
from fanzha.audit.purge import audit_purge_expired, retention_cutoff
from fanzha.audit.services import audit_verify_chain


class Command(BaseCommand):
    help = "审计日志：verify 校验哈希链；purge 删除超过保存期限的记录"

    def add_arguments(self, parser: Any) -> None:
        subcommands = parser.add_subparsers(dest="subcommand", required=True, metavar="{verify,purge}")
        subcommands.add_parser("verify", help="重新计算每条记录的哈希，报告第一处断开")
        subcommands.add_parser("purge", help="删除超过 AUDIT_RETENTION_DAYS 的最早记录，并记入审计日志")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "verify":
            self._verify()
        else:
            self._purge()

    def _verify(self) -> None:
        report = audit_verify_chain()
        if not report.ok:
            raise CommandError(
                f"audit chain broken at record {report.first_bad_id} after {report.checked} good records: "
                f"{report.problem}",
                returncode=1,
            )
        self.stdout.write(f"audit chain ok: {report.checked} records, head {report.head_hash}")

    def _purge(self) -> None:
        token = context.bind(context.AuditContext(channel="cli"))
        try:
            cutoff = retention_cutoff()
            deleted = audit_purge_expired()
        finally:
            context.reset(token)
        before = timezone.localtime(cutoff).isoformat(timespec="seconds")
        self.stdout.write(f"audit purge: deleted {deleted} records older than {before}")
