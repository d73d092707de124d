"""Serve the platform (waitress) and run the background worker beside it, printing the demo logins."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import DEFAULT_DB_ALIAS


def _raise_system_exit(signum: int, frame: object) -> None:
    raise SystemExit(0)


class Command(BaseCommand):
    help = "启动网页服务与后台任务进程（本地运行用）"

    def check(self, *args: Any, **kwargs: Any) -> None:
        """The system checks, with those that read the database: a FANZHA_PII_KEY that cannot read the
        stored personal data stops it before it serves (fanzha.core.E001)."""
        kwargs["databases"] = [DEFAULT_DB_ALIAS]
        super().check(*args, **kwargs)

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8)
        parser.add_argument("--no-worker", action="store_true", help="不启动后台任务进程")

    def handle(self, *args: Any, **options: Any) -> None:
        from waitress import serve

        from fanzha.core.wsgi_app import application

        if settings.PRODUCTION:
            call_command("collectstatic", interactive=False, verbosity=0)
        worker = None
        if not options["no_worker"]:
            command = [sys.executable, "-m", "fanzha", "worker", "--parent-pid", str(os.getpid())]
            worker = subprocess.Popen(command)  # noqa: S603
        # SIGTERM (service managers, `kill`) unwinds like Ctrl+C, so the worker is stopped below.
        signal.signal(signal.SIGTERM, _raise_system_exit)
        call_command("demo_logins")
        url = f"http://{options['host']}:{options['port']}/"
        self.stdout.write(self.style.SUCCESS(f"fanzha 已启动：{url}  (Ctrl+C 停止)"))
        try:
            serve(
                application,
                host=options["host"],
                port=options["port"],
                threads=options["threads"],
                ident="fanzha",
            )
        finally:
            if worker is not None:
                worker.terminate()  # the worker finishes its current job, then exits
                worker.wait(timeout=60)
