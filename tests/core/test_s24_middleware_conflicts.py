"""A database conflict raised by a middleware, not a view, is answered as a view's is (503, nothing
saved, try again), not with the bare 500 page.

Every authenticated request marks its session as seen, so the session is saved after every view; on
SQLite under load that save can meet "database is locked". Django turns a middleware's exception
into a response before any other middleware sees it, so DatabaseConflictMiddleware, which answers a
view's conflict, never saw these: the user got the 500 page and the log an "Internal Server Error".
"""

from __future__ import annotations

import logging
from unittest import mock

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client
from django.urls import reverse

from fanzha.core import conflicts
from tests.conflict_errors import deadlock, sqlite_locked
from tests.personas import login


@pytest.fixture(autouse=True)
def no_debug(settings) -> None:  # type: ignore[no-untyped-def]
    settings.DEBUG = False


def _serious(caplog) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return [(r.name, r.levelname) for r in caplog.records if r.levelno >= logging.WARNING]


@pytest.mark.parametrize("error", [sqlite_locked, deadlock])
def test_a_session_save_stopped_by_a_conflict_answers_the_conflict_page(world, caplog, error) -> None:  # type: ignore[no-untyped-def]
    client = login(Client(raise_request_exception=False), world.users["leader"])
    with mock.patch.object(SessionStore, "save", side_effect=error()):
        response = client.get(reverse("home"))
    assert response.status_code == 503
    assert response["Retry-After"] == str(conflicts.RETRY_AFTER_SECONDS)
    page = response.content.decode()
    assert "没有保存任何内容" in page and "请稍后重试" in page
    assert "Traceback" not in page
    # logged once as a conflict, not again by Django as a server error
    assert _serious(caplog) == [("fanzha.conflicts", "WARNING")]


def test_an_api_request_whose_session_save_meets_a_conflict_gets_the_api_shape(world) -> None:  # type: ignore[no-untyped-def]
    client = login(Client(raise_request_exception=False), world.users["leader"])
    url = reverse("api:get_person", kwargs={"person_id": world.people["chengdong"].pk})
    with mock.patch.object(SessionStore, "save", side_effect=sqlite_locked()):
        response = client.get(url)
    assert response.status_code == 503
    assert response.json() == {"detail": conflicts.MESSAGE, "code": conflicts.CODE}


def test_any_other_error_in_a_middleware_is_still_the_500_page(world, caplog) -> None:  # type: ignore[no-untyped-def]
    client = login(Client(raise_request_exception=False), world.users["leader"])
    with mock.patch.object(SessionStore, "save", side_effect=RuntimeError("disk full")):
        response = client.get(reverse("home"))
    assert response.status_code == 500
    assert "没有保存任何内容" not in response.content.decode()
    assert ("django.request", "ERROR") in _serious(caplog)
