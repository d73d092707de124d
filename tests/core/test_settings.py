"""Production refuses unsafe settings and names each one; local use needs nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


def run_check(env_overrides: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "FANZHA_PII_KEY", "DATABASE_URL"}}
    env.update({"FANZHA_VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "fanzha.settings"})
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "-m", "fanzha", "check"], env=env, capture_output=True, text=True, timeout=120
    )


def test_it_refuses_to_start_in_production_with_unsafe_settings(tmp_path: Path) -> None:
    result = run_check({"FANZHA_ENV": "production", "FANZHA_DEBUG": "true"}, tmp_path)
    assert result.returncode != 0
    for expected in ["SECRET_KEY", "FANZHA_PII_KEY", "FANZHA_DEBUG", "ALLOWED_HOSTS"]:
        assert expected in result.stderr


def test_it_starts_in_production_when_every_setting_is_safe(tmp_path: Path) -> None:
    result = run_check(
        {
            "FANZHA_ENV": "production",
            "SECRET_KEY": "k" * 64,
            "FANZHA_PII_KEY": "A" * 43 + "=",
            "ALLOWED_HOSTS": "fanzha.example",
            "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3",
        },
        tmp_path,
    )
    assert result.returncode == 0, result.stderr


def _safe_production(tmp_path: Path) -> dict[str, str]:
    return {
        "FANZHA_ENV": "production",
        "SECRET_KEY": "k" * 64,
        "FANZHA_PII_KEY": "A" * 43 + "=",
        "ALLOWED_HOSTS": "fanzha.example",
        "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3",
    }


@pytest.mark.parametrize(
    "name, value",
    [
        ("FANZHA_PASSWORD_POLICY", "basic"),
        ("FANZHA_LOGIN_FAILURE_LIMIT", "11"),
        ("FANZHA_PASSWORD_MIN_LENGTH", "7"),
        ("FANZHA_PASSWORD_MAX_AGE_DAYS", "0"),
        ("FANZHA_PASSWORD_MAX_AGE_DAYS", "181"),
        ("FANZHA_SESSION_IDLE_MINUTES", "31"),
        ("FANZHA_SESSION_MAX_HOURS", "25"),
    ],
)
def test_it_refuses_weak_account_security_in_production(name: str, value: str, tmp_path: Path) -> None:
    result = run_check({**_safe_production(tmp_path), name: value}, tmp_path)
    assert result.returncode != 0
    assert "refuses to start in production" in result.stderr
    assert f"- {name} must" in result.stderr


def test_it_accepts_the_account_security_bounds_in_production(tmp_path: Path) -> None:
    bounds = {
        "FANZHA_LOGIN_FAILURE_LIMIT": "10",
        "FANZHA_PASSWORD_MIN_LENGTH": "8",
        "FANZHA_PASSWORD_MAX_AGE_DAYS": "180",
        "FANZHA_SESSION_IDLE_MINUTES": "30",
        "FANZHA_SESSION_MAX_HOURS": "24",
    }
    result = run_check({**_safe_production(tmp_path), **bounds}, tmp_path)
    assert result.returncode == 0, result.stderr


def test_it_generates_local_secrets_once(tmp_path: Path) -> None:
    assert run_check({"FANZHA_ENV": "local"}, tmp_path).returncode == 0
    first = (tmp_path / "secret_key").read_text()
    assert run_check({"FANZHA_ENV": "local"}, tmp_path).returncode == 0
    assert (tmp_path / "secret_key").read_text() == first
    assert oct((tmp_path / "pii_key").stat().st_mode & 0o777) == "0o600"


@pytest.mark.parametrize(
    "name, value",
    [("FANZHA_DEBUG", "maybe"), ("FANZHA_LOGIN_FAILURE_LIMIT", "five"), ("FANZHA_LOCAL_AREA_CODE", "571")],
)
def test_it_fails_loudly_on_a_malformed_value(name: str, value: str, tmp_path: Path) -> None:
    result = run_check({name: value}, tmp_path)
    assert result.returncode != 0
    assert name in result.stderr


def test_it_uses_wal_and_full_sync_on_sqlite(db) -> None:  # type: ignore[no-untyped-def]
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA synchronous")
        assert cursor.fetchone()[0] == 2  # FULL


def test_it_gives_a_new_sqlite_database_16_kib_pages_in_wal_mode(db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from django.db import connection
    from django.db.backends.sqlite3.base import DatabaseWrapper

    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    made = DatabaseWrapper({**connection.settings_dict, "NAME": str(tmp_path / "new.sqlite3")}, alias="made")
    try:
        with made.cursor() as cursor:
            cursor.execute("CREATE TABLE t (x)")
            cursor.execute("PRAGMA page_size")
            assert cursor.fetchone()[0] == 16384
            cursor.execute("PRAGMA journal_mode")
            assert cursor.fetchone()[0] == "wal"
    finally:
        made.close()


def test_a_rotated_secret_key_still_reads_what_the_old_one_signed(tmp_path: Path) -> None:
    """SECRET_KEY_FALLBACKS lists the keys replaced: a session or edit token they signed is still read."""
    from django.core import signing

    old, new = "o" * 64, "n" * 64
    token = signing.dumps({"user": 7}, key=old, salt="rotation")
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DATABASE_URL"}}
    env.update({"FANZHA_VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "fanzha.settings"})
    env.update({"SECRET_KEY": new, "SECRET_KEY_FALLBACKS": f"{'x' * 64}, {old}"})
    code = (
        "import django; django.setup(); from django.core import signing; "
        f"print(signing.loads({token!r}, salt='rotation')['user'])"
    )
    run = [sys.executable, "-c", code]
    result = subprocess.run(run, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "7"

    env["SECRET_KEY_FALLBACKS"] = ""
    result = subprocess.run(run, env=env, capture_output=True, text=True, timeout=120)
    assert "BadSignature" in result.stderr
