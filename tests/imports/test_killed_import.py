"""A killed import leaves the whole file or none of it: SIGKILL mid-commit, then count the rows; the
sweep "imports.sweep_stale" then marks the batch the dead process left "running" as failed."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from fanzha.imports.background import STALE_WITHOUT_JOB
from tests.imports.files import PEOPLE_HEADER, csv_bytes, unique_people

ROOT = Path(__file__).resolve().parents[2]
ROWS = 6000


def fanzha_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update(
        {
            "DATABASE_URL": f"sqlite:///{tmp_path / 'killed.sqlite3'}",
            "FANZHA_VAR_DIR": str(tmp_path / "var"),
            "DJANGO_SETTINGS_MODULE": "fanzha.settings",
            "PYTHONPATH": str(ROOT),
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def prepare(env: dict[str, str]) -> None:
    """Migrate the file database and build the personas' world in it, each in its own process."""
    subprocess.run(
        [sys.executable, "-m", "fanzha", "migrate", "--noinput", "-v", "0"],
        env=env,
        check=True,
        cwd=ROOT,
        capture_output=True,
    )
    setup = "import django; django.setup(); from tests.personas import build_world; build_world()"
    subprocess.run([sys.executable, "-c", setup], env=env, check=True, cwd=ROOT, capture_output=True)


def sweep(env: dict[str, str], hours_later: int) -> str:
    """Run the sweep in its own process against the file database, as if ``hours_later`` had passed."""
    code = (
        "import django; django.setup(); from datetime import timedelta; from django.utils import timezone; "
        "from fanzha.imports.background import imports_sweep_stale; "
        f"print(imports_sweep_stale(now=timezone.now() + timedelta(hours={hours_later})))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, check=True, cwd=ROOT, capture_output=True, text=True
    )
    return done.stdout.strip()


def batch_rows(path: Path) -> tuple[int, list[tuple[str, str]]]:
    db = sqlite3.connect(path)
    try:
        people = db.execute("SELECT count(*) FROM core_person").fetchone()[0]
        batches = db.execute("SELECT status, message FROM imports_importbatch").fetchall()
    finally:
        db.close()
    return people, batches


def kill_after_first_progress(process: subprocess.Popen[str]) -> list[str]:
    seen: list[str] = []
    assert process.stderr is not None
    for line in process.stderr:
        seen.append(line)
        if line.startswith("提交中"):
            os.kill(process.pid, signal.SIGKILL)
            break
    process.wait()
    return seen


def test_it_leaves_nothing_of_a_killed_import(tmp_path: Path) -> None:
    env = fanzha_env(tmp_path)
    prepare(env)
    file = tmp_path / "people.csv"
    file.write_bytes(csv_bytes(PEOPLE_HEADER, unique_people(1, ROWS)))
    command = [sys.executable, "-m", "fanzha", "import_file", "people", str(file), "--user", "leader"]
    stdout = tmp_path / "stdout.txt"
    with (
        stdout.open("w") as out,
        subprocess.Popen(
            command, env=env, cwd=ROOT, stdout=out, stderr=subprocess.PIPE, text=True
        ) as process,
    ):
        seen = kill_after_first_progress(process)
    assert process.returncode == -signal.SIGKILL, "".join(seen) + stdout.read_text()
    assert seen[-1].startswith("提交中 500/6000")  # killed while the file's rows were being written
    people, batches = batch_rows(tmp_path / "killed.sqlite3")
    assert people == 2  # the world's two, none from the file
    assert batches == [("running", "")]
    assert sweep(env, hours_later=0) == "{'failed': 0, 'discarded': 0}"  # could still be running
    assert (
        sweep(env, hours_later=STALE_WITHOUT_JOB // timedelta(hours=1) + 1) == "{'failed': 1, 'discarded': 0}"
    )
    people, batches = batch_rows(tmp_path / "killed.sqlite3")
    assert people == 2
    assert batches == [("failed", "导入中断：进程被终止，未写入任何数据，请重新导入")]
