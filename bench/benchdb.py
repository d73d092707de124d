"""Scratch databases for the benchmarks: a child process per database, a throwaway PostgreSQL 15.

Each database runs in a child process (its own DATABASE_URL and FANZHA_VAR_DIR, never the project's
own database); PostgreSQL at a given URL, else a cluster started in /tmp the way .ci/run does.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

PG_BIN = Path("/usr/lib/postgresql/15/bin")


def django_setup() -> None:
    """Set up Django in a child (its DATABASE_URL and FANZHA_VAR_DIR are already in the environment)."""
    if not os.environ.get("FANZHA_VAR_DIR"):  # never the project's own database
        os.environ["FANZHA_VAR_DIR"] = tempfile.mkdtemp(prefix="fanzha-bench-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fanzha.settings")
    os.environ.setdefault("FANZHA_DEBUG", "false")  # as in production: no per-query logging
    import django

    django.setup()


def run_child(script: str, args: list[str], env: dict[str, str]) -> None:
    """Run ``script`` again with ``args`` in a scratch folder, SQLite unless ``env`` names a database."""
    scratch = tempfile.mkdtemp(prefix="fanzha-bench-")
    full = {**os.environ, **env, "FANZHA_VAR_DIR": scratch}
    if "DATABASE_URL" not in env:
        full.pop("DATABASE_URL", None)
    try:
        subprocess.run([sys.executable, os.path.realpath(script), *args], env=full, check=True)  # noqa: S603
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def size_label(rows: int) -> str:
    if rows % 1_000_000 == 0:
        return f"{rows // 1_000_000}M"
    return f"{rows // 1000}k" if rows % 1000 == 0 else str(rows)


class ThrowawayPostgres:
    """A PostgreSQL 15 cluster in /tmp (as .ci/run starts one), stopped and removed afterwards."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="fanzha-bench-pg-"))
        self.sock = self.root / "socket"

    def _run(self, *cmd: str) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if os.getuid() == 0 else []
        subprocess.run([*prefix, *cmd], check=True, stdout=subprocess.DEVNULL)  # noqa: S603

    def __enter__(self) -> str:
        self.sock.mkdir()
        if os.getuid() == 0:
            shutil.chown(self.root, "postgres")
            shutil.chown(self.sock, "postgres")
        data = str(self.root / "data")
        self._run(
            str(PG_BIN / "initdb"),
            "-D",
            data,
            "-U",
            "fanzha",
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        )
        options = f"-k {self.sock} -c listen_addresses='' -c fsync=off -c full_page_writes=off"
        self._run(
            str(PG_BIN / "pg_ctl"),
            "-D",
            data,
            "-l",
            str(self.root / "server.log"),
            "-w",
            "-o",
            options,
            "start",
        )
        self._run(str(PG_BIN / "createdb"), "-h", str(self.sock), "-U", "fanzha", "fanzha")
        return f"postgres://fanzha@/fanzha?host={self.sock}"

    def __exit__(self, *exc: Any) -> None:
        try:
            self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.root / "data"), "-m", "fast", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


def postgres_url(given: str) -> Any:
    """A context giving a PostgreSQL URL: the given one, a throwaway cluster, or None when neither."""
    from contextlib import nullcontext

    if given:
        return nullcontext(given)
    if (PG_BIN / "pg_ctl").exists():
        return ThrowawayPostgres()
    return nullcontext(None)
