"""A worker killed during a run leaves the run's scratch folder — the extract decrypted, in clear — in
the temporary directory. A folder whose process is no longer alive is removed: before a run's attempt
starts (the retry), when a run is failed (its job ended without it), and by the schedule's sweep. A
folder of a live process — another worker's run in progress — is left alone."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from fanzha.jobs.models import JobStatus
from fanzha.numbers.background import INTERRUPTED, numbers_settle, numbers_sweep_stale
from fanzha.numbers.models import RunStatus
from tests.numbers.factories import run_now, submit_extract


@pytest.fixture
def temp_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    return tmp_path


@pytest.fixture(scope="module")
def dead_pid() -> int:
    """The id of a process that has ended (a killed worker's)."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])  # noqa: S603
    process.wait()
    return process.pid


def _folder(temp_dir: Path, run_id: int, pid: int) -> Path:
    """A run's scratch folder made by process ``pid``, with the decrypted calls file in it."""
    folder = temp_dir / f"fanzha-numbers-run-{run_id}-{pid}-abc"
    folder.mkdir()
    (folder / "calls-1.csv").write_text("phone_no_m,opposite_no_m\n13905712345,13800138000\n")
    return folder


def test_it_removes_what_a_killed_attempt_left_before_the_retry_runs(world, temp_dir, dead_pid) -> None:  # type: ignore[no-untyped-def]
    run = submit_extract(world.users["analyst"])
    killed = _folder(temp_dir, run.pk, dead_pid)
    working = _folder(temp_dir, run.pk + 1, os.getpid())  # another run, in progress
    assert run_now(run).status == RunStatus.SUCCEEDED
    assert not killed.exists()
    assert working.exists()
    assert [p.name for p in temp_dir.iterdir()] == [working.name]  # the run's own folder went at its end


def test_it_removes_what_a_killed_attempt_left_when_the_run_is_failed(
    world, temp_dir, dead_pid, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    run = submit_extract(world.users["analyst"])
    killed = _folder(temp_dir, run.pk, dead_pid)
    run.job.status = JobStatus.FAILED  # the worker died on its last attempt
    run.job.save(update_fields=["status"])
    with django_capture_on_commit_callbacks(execute=True):
        assert numbers_settle(run=run)
    assert run.status == RunStatus.FAILED and run.message == INTERRUPTED
    assert not killed.exists()


def test_the_sweep_removes_what_killed_workers_left(world, temp_dir, dead_pid) -> None:  # type: ignore[no-untyped-def]
    killed = _folder(temp_dir, 7, dead_pid)
    working = _folder(temp_dir, 8, os.getpid())
    other = temp_dir / "fanzha-import-x"  # not a run's folder
    other.mkdir()
    assert numbers_sweep_stale() == {"failed": 0, "removed": 1}
    assert not killed.exists() and working.exists() and other.exists()
