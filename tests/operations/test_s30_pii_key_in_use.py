"""A key that cannot read the personal data already in the database stops the platform at start-up, on
SQLite and PostgreSQL alike: a FANZHA_PII_KEY set to another (or a freshly generated) key passed
``migrate`` and ``run`` and left every name, ID number, phone and address unreadable, and the data
written meanwhile under a second key. The guard beside a SQLite file only covered a missing key file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import override_settings

from fanzha.core.checks import PII_KEY_CHECK_ID, pii_key_reads_the_data
from fanzha.core.management.commands.run import Command as RunCommand
from fanzha.core.models import User
from fanzha.core.pii import crypto
from fanzha.jobs.management.commands.worker import Command as WorkerCommand

PHONE = "13812345678"


def test_the_key_the_data_was_written_with_passes(world) -> None:
    assert pii_key_reads_the_data(databases=["default"]) == []


def test_another_key_fails_the_database_check_naming_the_setting(world) -> None:
    with override_settings(PII_KEY=crypto.generate_key()):
        errors = pii_key_reads_the_data(databases=["default"])
        assert [e.id for e in errors] == [PII_KEY_CHECK_ID]
        assert "FANZHA_PII_KEY" in errors[0].msg and "core_person" in errors[0].msg
        with pytest.raises(SystemCheckError, match="FANZHA_PII_KEY"):
            call_command("check", databases=["default"])


def test_run_and_the_worker_check_the_key_before_they_start(world) -> None:
    with override_settings(PII_KEY=crypto.generate_key()):
        for command in (RunCommand(), WorkerCommand()):
            with pytest.raises(SystemCheckError, match="FANZHA_PII_KEY"):
                command.check()


def test_encrypted_account_data_alone_is_checked_too(db) -> None:
    """Before any person is entered: an account's work phone is personal data under the key as well."""
    User.objects.create(username="probe", work_phone=PHONE)
    assert pii_key_reads_the_data(databases=["default"]) == []
    with override_settings(PII_KEY=crypto.generate_key()):
        errors = pii_key_reads_the_data(databases=["default"])
        assert [e.id for e in errors] == [PII_KEY_CHECK_ID]
        assert "core_user" in errors[0].msg and PHONE not in errors[0].msg


def test_an_empty_database_accepts_any_key(db) -> None:
    with override_settings(PII_KEY=crypto.generate_key()):
        assert pii_key_reads_the_data(databases=["default"]) == []


def test_the_check_reads_no_database_unless_asked(world) -> None:
    """``fanzha check`` without --database stays a static check (Django's rule for database checks)."""
    with override_settings(PII_KEY=crypto.generate_key()):
        assert pii_key_reads_the_data(databases=None) == []


def _fanzha(var_dir: Path, key: str, *args: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("FANZHA_") and k != "DATABASE_URL"}
    env = {**clean, "FANZHA_ENV": "test", "FANZHA_VAR_DIR": str(var_dir), "FANZHA_PII_KEY": key}
    return subprocess.run(
        [sys.executable, "-m", "fanzha", *args], env=env, capture_output=True, text=True, timeout=300
    )


def test_migrate_with_another_key_is_refused(tmp_path: Path) -> None:
    key = crypto.generate_key()
    assert _fanzha(tmp_path, key, "migrate", "--no-input", "-v", "0").returncode == 0
    add_account = (
        f"from fanzha.core.models import User; User.objects.create(username='x', work_phone='{PHONE}')"
    )
    assert _fanzha(tmp_path, key, "shell", "-c", add_account).returncode == 0
    refused = _fanzha(tmp_path, crypto.generate_key(), "migrate", "--no-input", "-v", "0")
    assert refused.returncode != 0
    assert "FANZHA_PII_KEY" in refused.stderr and PHONE not in refused.stderr
    assert _fanzha(tmp_path, key, "migrate", "--no-input", "-v", "0").returncode == 0
