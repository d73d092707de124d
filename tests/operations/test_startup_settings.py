"""Starting the platform as a centre's IT person does: a wrong setting or key file is one clear line
naming it (exit 78, EX_CONFIG), never a traceback; help works without a database; the deploy check
names what is unsafe. Each case runs the real ``fanzha`` command in a fresh process."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from fanzha.core.pii.crypto import generate_key

EXIT_CONFIG = 78
NO_DATABASE = "postgres://nobody:pw@127.0.0.1:1/fanzha"  # nothing listens on port 1


def fanzha(var_dir: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """``fanzha ARGS`` with only the given settings (none inherited from this test process)."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("FANZHA_") and k not in {"DATABASE_URL", "SECRET_KEY", "ALLOWED_HOSTS"}
    }
    return subprocess.run(
        [sys.executable, "-m", "fanzha", *args],
        env={**clean, "FANZHA_ENV": "test", "FANZHA_VAR_DIR": str(var_dir), **env},
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def refused(done: subprocess.CompletedProcess[str], *words: str) -> None:
    assert done.returncode == EXIT_CONFIG, done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    for word in words:
        assert word in done.stderr


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("FANZHA_DEBUG", "ture"),
        ("FANZHA_HSTS_SECONDS", "-1"),
        ("FANZHA_WORKER_STALE_SECONDS", "5 minutes"),
        ("FANZHA_LOG_LEVEL", "LOUD"),
        ("FANZHA_PII_CIPHER", "sm4"),
    ],
)
def test_a_wrong_value_stops_the_start_in_one_line(tmp_path: Path, name: str, value: str) -> None:
    refused(fanzha(tmp_path, "check", **{name: value}), name)


def test_the_log_level_is_read_in_any_case(tmp_path: Path) -> None:
    done = fanzha(tmp_path, "check", FANZHA_LOG_LEVEL="debug")
    assert done.returncode == 0, done.stderr


def test_a_malformed_database_url_is_named_without_its_password(tmp_path: Path) -> None:
    done = fanzha(tmp_path, "check", DATABASE_URL="postgress://fanzha:s3cret-Pw@db.example:5432/fanzha")
    refused(done, "DATABASE_URL", "postgress")
    assert "s3cret" not in done.stderr


def test_a_pii_key_that_is_not_32_bytes_stops_the_start(tmp_path: Path) -> None:
    placeholder = "change-me-run-fanzha-keygen-and-back-it-up-apart-from-the-database"  # .env.example's
    refused(fanzha(tmp_path, "check", FANZHA_PII_KEY=placeholder), "FANZHA_PII_KEY", "keygen")
    refused(fanzha(tmp_path, "check", FANZHA_PII_KEY=generate_key()[:-8]), "FANZHA_PII_KEY")


def test_a_generated_key_file_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    assert fanzha(tmp_path, "check").returncode == 0
    assert (tmp_path / "pii_key").stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_a_key_file_readable_by_others_is_refused(tmp_path: Path) -> None:
    key_file = tmp_path / "pii_key"
    key_file.write_text(generate_key(), encoding="utf-8")
    key_file.chmod(0o644)
    refused(fanzha(tmp_path, "check"), "FANZHA_PII_KEY", "chmod 600")


def test_a_key_file_that_cannot_be_read_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "pii_key").mkdir()  # e.g. a botched copy: a directory where the file should be
    refused(fanzha(tmp_path, "check"), "FANZHA_PII_KEY", str(tmp_path / "pii_key"))


def test_a_missing_key_file_beside_a_database_is_refused_not_replaced(tmp_path: Path) -> None:
    db = sqlite3.connect(tmp_path / "fanzha.sqlite3")
    db.execute("CREATE TABLE kept (value TEXT)")
    db.commit()
    db.close()
    refused(fanzha(tmp_path, "check"), "pii_key", "fanzha.sqlite3")
    assert not (tmp_path / "pii_key").exists()


@pytest.mark.parametrize(
    "args",
    [
        ("--help",),
        ("help",),
        ("backup", "--help"),
        ("restore", "--help"),
        ("worker", "--help"),
        ("run", "--help"),
    ],
)
def test_help_works_without_a_database(tmp_path: Path, args: tuple[str, ...]) -> None:
    done = fanzha(tmp_path, *args, DATABASE_URL=NO_DATABASE)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip()


def test_the_deploy_check_names_debug_and_the_missing_https_settings(tmp_path: Path) -> None:
    done = fanzha(tmp_path, "check", "--deploy", "--fail-level", "WARNING", FANZHA_ENV="local")
    assert done.returncode != 0
    for check in ("security.W004", "security.W008", "security.W012", "security.W016", "security.W018"):
        assert check in done.stderr, check
