"""A database conflict (PostgreSQL's deadlock 40P01, serialisation failure 40001, lock not available
55P03; SQLite's "database is locked") is answered "another operation changed the same records at the
same moment, nothing was saved, try again" wherever a user meets it, not with a 500 and a traceback.

Before: a page answered the bare 500 page, the API a 500 (with DEBUG on, a traceback as text), a
``fanzha`` command a traceback, and a background job kept the database's own words as its error.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
from collections.abc import Iterator
from typing import Any
from unittest import mock

import psycopg.errors
import pytest
from django.db import OperationalError, connection, transaction
from django.urls import reverse

from fanzha.cli import main as fanzha_main
from fanzha.core import conflicts
from fanzha.core.logging import JsonFormatter
from fanzha.core.views import persons as person_views
from fanzha.jobs import queue
from fanzha.jobs.models import Job, JobStatus
from fanzha.jobs.registry import task
from fanzha.jobs.services import job_enqueue
from fanzha.jobs.worker import Worker
from tests.conflict_errors import deadlock, wrapped
from tests.personas import build_world, login


@pytest.fixture(autouse=True)
def no_debug(settings) -> None:  # type: ignore[no-untyped-def]
    settings.DEBUG = False


@pytest.fixture
def conflict_log() -> Iterator[list[str]]:
    """The conflict log lines as the JSON formatter writes them (the request id read when logged)."""
    lines: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(JsonFormatter().format(record))

    handler = Keep(level=logging.WARNING)
    conflicts.logger.addHandler(handler)
    yield lines
    conflicts.logger.removeHandler(handler)


def _warnings_and_worse(caplog) -> list[logging.LogRecord]:  # type: ignore[no-untyped-def]
    return [record for record in caplog.records if record.levelno >= logging.WARNING]


# ── which errors are conflicts ───────────────────────────────────────────────


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (wrapped(psycopg.errors.DeadlockDetected("deadlock detected")), "40P01"),
        (wrapped(psycopg.errors.SerializationFailure("could not serialize access")), "40001"),
        (wrapped(psycopg.errors.LockNotAvailable("could not obtain lock on row")), "55P03"),
        (wrapped(sqlite3.OperationalError("database is locked")), "sqlite_busy"),
        (wrapped(sqlite3.OperationalError("database table is locked")), "sqlite_locked"),
        (psycopg.errors.DeadlockDetected("unwrapped"), "40P01"),
        (wrapped(psycopg.errors.UniqueViolation("duplicate key")), ""),
        (wrapped(psycopg.errors.QueryCanceled("canceling statement due to statement timeout")), ""),
        (wrapped(sqlite3.OperationalError("no such table: core_person")), ""),
        (OperationalError("database is locked"), ""),  # only the driver's own exception says so
        (RuntimeError("deadlock detected"), ""),
    ],
)
def test_it_tells_a_conflict_by_its_sqlstate_or_sqlite_code(error: BaseException, kind: str) -> None:
    assert conflicts.conflict_kind(error) == kind


def test_it_reads_the_sqlite_result_code_when_sqlite_gives_one() -> None:
    busy = sqlite3.OperationalError("database is locked")
    busy.sqlite_errorcode = 5 | (2 << 8)  # type: ignore[attr-defined]  # an extended SQLITE_BUSY code
    assert conflicts.conflict_kind(wrapped(busy)) == "sqlite_busy"


def test_sqlite_itself_raises_database_is_locked_as_a_conflict(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "two.sqlite3"
    holder = sqlite3.connect(path, timeout=0, isolation_level=None)
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    holder.execute("CREATE TABLE t (x)")
    holder.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(sqlite3.OperationalError) as raised:
            other.execute("BEGIN IMMEDIATE")
        assert conflicts.conflict_kind(wrapped(raised.value)) == "sqlite_busy"
    finally:
        holder.close()
        other.close()


# ── pages ────────────────────────────────────────────────────────────────────


def _reveal(client, world, **headers: str):  # type: ignore[no-untyped-def]
    url = reverse("person_reveal", kwargs={"pk": world.people["chengdong"].pk})
    return client.post(url, {"field": "phone", "purpose": "核查"}, **headers)


def test_a_page_stopped_by_a_deadlock_answers_503_saying_nothing_was_saved(
    world, client, caplog, conflict_log
) -> None:  # type: ignore[no-untyped-def]
    login(client, world.users["leader"])
    with mock.patch.object(person_views.person_services, "person_reveal", side_effect=deadlock()):
        response = _reveal(client, world)
    assert response.status_code == 503
    assert response["Retry-After"] == str(conflicts.RETRY_AFTER_SECONDS)
    page = response.content.decode()
    assert "同一时刻修改了相同的记录" in page and "没有保存任何内容" in page and "请稍后重试" in page
    assert 'lang="zh-Hans"' in page and "503" in page
    assert "Traceback" not in page and "deadlock" not in page
    # logged once, at WARNING, with the request id; not again by Django as a server error
    assert [(r.name, r.levelname) for r in _warnings_and_worse(caplog)] == [("fanzha.conflicts", "WARNING")]
    (line,) = conflict_log
    entry = json.loads(line)
    assert entry["request_id"] == response["X-Request-ID"]
    assert entry["conflict"] == "40P01" and entry["channel"] == "web" and entry["view"] == "person_reveal"
    assert "13905" not in line and "李建国" not in line


def test_an_htmx_action_gets_the_message_in_place(world, client) -> None:  # type: ignore[no-untyped-def]
    login(client, world.users["leader"])
    with mock.patch.object(person_views.person_services, "person_reveal", side_effect=deadlock()):
        response = _reveal(client, world, HTTP_HX_REQUEST="true")
    # htmx swaps only 2xx answers: the fragment replaces the action's result
    assert response.status_code == 200
    fragment = response.content.decode()
    assert 'data-testid="conflict-retry"' in fragment and "没有保存任何内容" in fragment
    assert "<html" not in fragment


def test_an_htmx_poll_gets_503_so_the_page_keeps_what_it_shows(world, client) -> None:  # type: ignore[no-untyped-def]
    login(client, world.users["leader"])
    url = reverse("person_detail", kwargs={"pk": world.people["chengdong"].pk})
    with mock.patch.object(person_views.access, "get_visible_or_404", side_effect=deadlock()):
        response = client.get(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 503 and response["Retry-After"]


def test_sqlites_database_is_locked_is_answered_alike(world, client) -> None:  # type: ignore[no-untyped-def]
    login(client, world.users["leader"])
    locked = wrapped(sqlite3.OperationalError("database is locked"))
    with mock.patch.object(person_views.person_services, "person_reveal", side_effect=locked):
        response = _reveal(client, world)
    assert response.status_code == 503 and "没有保存任何内容" in response.content.decode()


def test_any_other_database_error_is_still_a_server_error(world, client) -> None:  # type: ignore[no-untyped-def]
    login(client, world.users["leader"])
    broken = wrapped(psycopg.errors.UndefinedTable('relation "core_person" does not exist'))
    with (
        mock.patch.object(person_views.person_services, "person_reveal", side_effect=broken),
        pytest.raises(OperationalError),
    ):
        _reveal(client, world)


# ── API ──────────────────────────────────────────────────────────────────────

WARNING_BODY = {"source": "运营商", "source_id": "OP-S22", "name": "孙七", "phone": "13905717777"}


@pytest.mark.parametrize("debug", [False, True])
def test_the_api_answers_503_with_the_stable_code(world, client, settings, caplog, debug: bool) -> None:  # type: ignore[no-untyped-def]
    settings.DEBUG = debug  # with DEBUG on the framework answered a traceback as text
    login(client, world.users["analyst"])
    with mock.patch("fanzha.warnings.api._receive", side_effect=deadlock()):
        response = client.post("/api/warnings", json.dumps(WARNING_BODY), content_type="application/json")
    assert response.status_code == 503
    assert response["Content-Type"].startswith("application/json")
    assert response["Retry-After"] == str(conflicts.RETRY_AFTER_SECONDS)
    assert response.json() == {"detail": conflicts.MESSAGE, "code": "conflict_retry"}
    assert [r.name for r in _warnings_and_worse(caplog)] == ["fanzha.conflicts"]
    assert caplog.records[-1].channel == "api"


def test_a_read_of_the_api_answers_alike(world, client) -> None:  # type: ignore[no-untyped-def]
    login(client, world.users["leader"])
    url = reverse("api:get_person", kwargs={"person_id": world.people["chengdong"].pk})
    with mock.patch("fanzha.core.access.get_visible_or_404", side_effect=deadlock()):
        response = client.get(url)
    assert response.status_code == 503 and response.json()["code"] == "conflict_retry"


# ── the command line ─────────────────────────────────────────────────────────


def test_a_command_stopped_by_a_conflict_prints_one_line_and_exits_75(db, capsys) -> None:  # type: ignore[no-untyped-def]
    with (
        mock.patch("fanzha.audit.management.commands.audit.audit_verify_chain", side_effect=deadlock()),
        pytest.raises(SystemExit) as exited,
    ):
        fanzha_main(["audit", "--skip-checks", "verify"])
    assert exited.value.code == conflicts.EXIT_CODE == 75
    # the structured log's one JSON line (as every command's log), then the message for the operator
    log_line, message = capsys.readouterr().err.splitlines()
    assert json.loads(log_line)["conflict"] == "40P01" and json.loads(log_line)["level"] == "WARNING"
    assert message.startswith("fanzha: 数据库冲突") and "请重新运行此命令" in message and "40P01" in message


def test_a_command_failing_otherwise_still_raises(db) -> None:  # type: ignore[no-untyped-def]
    with (
        mock.patch(
            "fanzha.audit.management.commands.audit.audit_verify_chain", side_effect=RuntimeError("x")
        ),
        pytest.raises(RuntimeError),
    ):
        fanzha_main(["audit", "--skip-checks", "verify"])


# ── background jobs ──────────────────────────────────────────────────────────


@task("tests.s22_deadlock", label="测试：数据库冲突")
def deadlocked(job_context: Any) -> None:
    raise deadlock()


def test_a_job_stopped_by_a_conflict_is_queued_again_with_a_clear_error(db, caplog) -> None:  # type: ignore[no-untyped-def]
    job = job_enqueue(actor=None, kind="tests.s22_deadlock", max_attempts=3)
    claimed = queue.job_claim("w1")
    assert claimed is not None
    assert queue.job_execute(claimed, "w1") == JobStatus.QUEUED
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED and job.attempts == 1
    assert job.last_error == f"{conflicts.JOB_MESSAGE}（40P01）"
    (record,) = _warnings_and_worse(caplog)
    assert record.getMessage() == "job failed" and record.conflict == "40P01"  # type: ignore[attr-defined]


def test_a_worker_whose_round_meets_a_conflict_keeps_running(db) -> None:  # type: ignore[no-untyped-def]
    """Before, a conflict while claiming or reclaiming (SQLite's busy timeout) ended the worker."""
    worker = Worker(worker_id="w-s22", poll_seconds=0)
    calls: list[str] = []

    def tick(self: Worker) -> bool:
        calls.append("tick")
        if len(calls) == 1:
            raise deadlock()
        if len(calls) == 2:
            return True
        self.stop()
        return False

    with mock.patch.object(Worker, "tick", tick):
        assert worker.run() == 1
    assert calls == ["tick", "tick", "tick"]


def test_a_worker_still_stops_on_any_other_error(db) -> None:  # type: ignore[no-untyped-def]
    with mock.patch.object(Worker, "tick", side_effect=RuntimeError("x")), pytest.raises(RuntimeError):
        Worker(worker_id="w-s22", poll_seconds=0).run()


# ── a real deadlock on PostgreSQL ────────────────────────────────────────────


def _wait_until_waiting_for_a_lock(backend_pid: int) -> None:
    for _ in range(200):
        with connection.cursor() as cursor:
            cursor.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [backend_pid])
            row = cursor.fetchone()
        if row and row[0] == "Lock":
            return
        time.sleep(0.02)
    raise AssertionError("the view's transaction never waited for the lock")


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_real_deadlock_through_a_view_answers_503_on_postgresql(
    allow_audit_flush, client, conflict_log
) -> None:  # type: ignore[no-untyped-def]
    """The view locks job A then B; another connection holds B and, once the view waits for it, asks
    for A. PostgreSQL's deadlock check runs first in the view's backend (it waited first) and aborts the
    view's transaction with 40P01; the other transaction then gets A and commits."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: row locks taken by two connections in opposite orders")
    world = build_world()
    first = job_enqueue(actor=None, kind="jobs.ping")
    second = job_enqueue(actor=None, kind="jobs.ping")
    b_held = threading.Event()
    view_waits = threading.Event()
    view_pid: list[int] = []
    other: list[BaseException | str] = []

    def other_transaction() -> None:
        try:
            with transaction.atomic():
                Job.objects.select_for_update().get(pk=second.pk)
                b_held.set()
                assert view_waits.wait(30)
                _wait_until_waiting_for_a_lock(view_pid[0])
                Job.objects.select_for_update().get(pk=first.pk)
            other.append("committed")
        except BaseException as exc:  # noqa: BLE001 - the test reports it
            other.append(exc)
        finally:
            connection.close()

    def reveal_locking_in_the_opposite_order(**kwargs: Any) -> str:
        with transaction.atomic():
            assert b_held.wait(30)
            Job.objects.filter(pk=first.pk).update(progress_message="本应回滚")
            view_pid.append(connection.connection.info.backend_pid)
            view_waits.set()
            Job.objects.select_for_update().get(pk=second.pk)  # the other holds B and waits for A
        return "13905710001"

    thread = threading.Thread(target=other_transaction)
    thread.start()
    login(client, world.users["leader"])
    try:
        with mock.patch.object(
            person_views.person_services, "person_reveal", side_effect=reveal_locking_in_the_opposite_order
        ):
            response = _reveal(client, world)
    finally:
        b_held.set()
        view_waits.set()
        thread.join(60)
    assert other == ["committed"]
    assert response.status_code == 503 and response["Retry-After"]
    assert "没有保存任何内容" in response.content.decode()
    assert [json.loads(line)["conflict"] for line in conflict_log] == ["40P01"]  # PostgreSQL's own error
    first.refresh_from_db()
    assert first.progress_message == ""  # the view's own change was rolled back with its transaction
