"""``fanzha demo [--if-empty] [--seed N]``: load the fictional demo county into an empty database."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from fanzha.audit import context
from fanzha.demo.build import DemoRefused, database_is_empty, demo_load
from fanzha.demo.plan import DEFAULT_SEED

REFUSAL = (
    "数据库中已有区划数据，演示数据只能载入空数据库，未做任何修改。"
    "如需演示，请换用新的空数据库（例如另设 DATABASE_URL 后执行 fanzha migrate 与 fanzha demo）。"
)


class Command(BaseCommand):
    help = "载入演示数据（虚构的江州市青溪县：区划、单位、各角色用户、重点人群），只能载入空数据库"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="数据库已有区划数据时什么也不做（make run 每次启动都调用）",
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=DEFAULT_SEED,
            help=f"随机种子，同一种子生成完全相同的数据（默认 {DEFAULT_SEED}）",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            # The demo accounts share a published password: never in a production database.
            if options["if_empty"]:
                return
            raise CommandError("生产模式（FANZHA_ENV=production）下不能载入演示数据：演示账号密码是公开的。")
        if not database_is_empty():
            if options["if_empty"]:
                if options["verbosity"] > 1:
                    self.stdout.write("数据库已有数据，跳过演示数据。")
                return
            raise CommandError(REFUSAL)
        self.stdout.write("正在载入演示数据（约需一分钟以内）……")
        try:
            with context.bound("cli"):
                summary = demo_load(seed=options["seed"])
        except DemoRefused as exc:
            raise CommandError(REFUSAL) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"演示数据已载入：区划 {summary.areas} 个、单位 {summary.organisations} 个、"
                f"用户 {summary.users} 个、重点人员 {summary.people} 人（种子 {summary.seed}）。"
            )
        )
        if not options["if_empty"]:  # `make run` uses --if-empty, and `fanzha run` prints them next
            call_command("demo_logins", stdout=self.stdout)
