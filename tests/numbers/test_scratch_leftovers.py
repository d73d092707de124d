"""A worker killed during a run leaves the run's scratch folder — the extract decrypted, in clear — in
the temporary directory; the run's next attempt removes it before it starts, and so does failing the
run (its job ended without it). Another run's folder is left alone."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from fanzha.jobs.models import JobStatus
from fanzha.numbers.background import INTERRUPTED, numbers_settle
from fanzha.numbers.models import RunStatus
from tests.numbers.factories import run_now, submit_extract


@pytest.fixture
def temp_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    return tmp_path


def _left_behind(temp_dir: Path, run_id: int, name: str = "abc") -> Path:
    """What a killed attempt leaves: its folder with the decrypted calls file."""
    folder = temp_dir / f"fanzha-numbers-run-{run_id}-{name}"
    folder.mkdir()
    (folder / "calls-1.csv").write_text("phone_no_m,opposite_no_m\n13905712345,13800138000\n")
    return folder


def test_it_removes_what_a_killed_attempt_left_before_the_retry_runs(world, temp_dir) -> None:  # type: ignore[no-untyped-def]
    run = submit_extract(world.users["analyst"])
    killed = _left_behind(temp_dir, run.pk)
    other = _left_behind(temp_dir, int(f"{run.pk}0"))  # run 10's folder is not run 1's
    assert run_now(run).status == RunStatus.SUCCEEDED
    assert not killed.exists()
    assert other.exists()
    assert not [p for p in temp_dir.iterdir() if p.name.startswith(f"fanzha-numbers-run-{run.pk}-")]


def test_it_removes_what_a_killed_attempt_left_when_the_run_is_failed(
    world, temp_dir, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    run = submit_extract(world.users["analyst"])
    killed = _left_behind(temp_dir, run.pk)
    run.job.status = JobStatus.FAILED  # the worker died on its last attempt
    run.job.save(update_fields=["status"])
    with django_capture_on_commit_callbacks(execute=True):
        assert numbers_settle(run=run)
    assert run.status == RunStatus.FAILED and run.message == INTERRUPTED
    assert not killed.exists()
