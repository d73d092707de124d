"""``fanzha worker``: run background jobs and periodic schedules."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import DEFAULT_DB_ALIAS

from fanzha.jobs.worker import Worker, run_with_signals


class Command(BaseCommand):
    help = (
        "运行后台任务进程：执行到期的定时任务、收回失联任务、逐个运行排队任务（SIGTERM 时完成当前任务后退出）"
    )

    def check(self, *args: Any, **kwargs: Any) -> None:
        """The system checks, with those that read the database: a FANZHA_PII_KEY that cannot read the
        stored personal data stops it before it serves (fanzha.core.E001)."""
        kwargs["databases"] = [DEFAULT_DB_ALIAS]
        super().check(*args, **kwargs)

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--once", action="store_true", help="处理完当前到期的任务后退出（用于测试与 cron）"
        )
        parser.add_argument("--poll", type=float, default=None, help="空闲时的轮询间隔（秒），默认取设置")
        parser.add_argument(
            "--parent-pid", type=int, default=None, help="启动它的进程号；该进程退出后本进程也随之退出"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        worker = Worker(poll_seconds=options["poll"], parent_pid=options["parent_pid"])
        ran = run_with_signals(worker, once=options["once"])
        if options["verbosity"] >= 2:
            self.stdout.write(f"已运行 {ran} 个任务")
