"""``fanzha audit verify`` checks the hash chain; ``fanzha audit purge`` applies the retention period."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from fanzha.audit import context
from fanzha.audit.models import AuditEvent
from fanzha.audit.purge import audit_purge_expired, retention_cutoff
from fanzha.audit.services import audit_verify_chain


class Command(BaseCommand):
    help = "审计日志：verify 校验哈希链；purge 删除超过保存期限的记录"

    def add_arguments(self, parser: Any) -> None:
        subcommands = parser.add_subparsers(dest="subcommand", required=True, metavar="{verify,purge}")
        verify = subcommands.add_parser("verify", help="重新计算每条记录的哈希，报告第一处断开")
        verify.add_argument(
            "--known-head",
            action="append",
            default=[],
            metavar="HASH",
            help="此前记下的链首哈希（可多次给出）；它必须仍在链中，否则说明其后的记录被删除或整表被改写",
        )
        subcommands.add_parser("purge", help="删除超过 AUDIT_RETENTION_DAYS 的最早记录，并记入审计日志")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "verify":
            self._verify(options["known_head"])
        else:
            self._purge()

    def _verify(self, known_heads: list[str]) -> None:
        report = audit_verify_chain()
        if not report.ok:
            raise CommandError(
                f"audit chain broken at record {report.first_bad_id} after {report.checked} good records: "
                f"{report.problem}",
                returncode=1,
            )
        missing = [h for h in known_heads if not AuditEvent.objects.filter(hash=h).exists()]
        if missing:
            raise CommandError(
                f"audit chain does not contain the known head {missing[0]}: records after it were removed "
                "or the log was rewritten",
                returncode=1,
            )
        self.stdout.write(f"audit chain ok: {report.checked} records, head {report.head_hash}")

    def _purge(self) -> None:
        with context.bound("cli"):
            cutoff = retention_cutoff()
            deleted = audit_purge_expired()
        before = timezone.localtime(cutoff).isoformat(timespec="seconds")
        self.stdout.write(f"audit purge: deleted {deleted} records older than {before}")
