"""The JSON log lines hold no personal data, even at DEBUG with SQL logged, when an import has bad rows
or an exception stops it mid-way (in the request and in the worker).

The logs are written through the platform's own LOGGING (JSON formatter, PII filter), into a buffer.
The exception is injected where a person is written, with the row's plaintext in its message, as a
database driver's error quoting a value would carry it.
"""

from __future__ import annotations

import io
import json
import logging
import logging.config
from collections.abc import Iterator
from copy import deepcopy
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from fanzha.core.services import persons as person_services
from fanzha.imports import background
from fanzha.imports.models import BatchStatus, ImportBatch
from tests.imports.files import PEOPLE_HEADER, csv_bytes, person_row, unique_people
from tests.imports.test_views import upload

LOGGERS = ("", "django", "django.request", "django.server", "axes")
BAD_ID = "330102199001011235"  # wrong check digit
SHORT_PHONE = "1390571001"


@pytest.fixture
def json_logs() -> Iterator[io.StringIO]:
    """The platform's LOGGING at DEBUG, its console handler writing into a buffer; SQL logged too."""
    saved = {name: _state(logging.getLogger(name)) for name in LOGGERS}
    config = deepcopy(settings.LOGGING)
    buffer = io.StringIO()
    config["handlers"]["console"]["stream"] = buffer
    config["root"]["level"] = "DEBUG"
    for name in ("django", "django.request"):
        config["loggers"][name]["level"] = "DEBUG"
    logging.config.dictConfig(config)
    connection.force_debug_cursor = True  # django.db.backends logs each query with its parameters
    try:
        yield buffer
    finally:
        connection.force_debug_cursor = False
        for name, state in saved.items():
            _restore(logging.getLogger(name), state)


def _state(logger: logging.Logger) -> dict[str, Any]:
    return {"handlers": list(logger.handlers), "level": logger.level, "propagate": logger.propagate}


def _restore(logger: logging.Logger, state: dict[str, Any]) -> None:
    logger.handlers[:] = state["handlers"]
    logger.setLevel(state["level"])
    logger.propagate = state["propagate"]


def lines(buffer: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in buffer.getvalue().splitlines() if line.strip()]


def assert_no_plaintext(buffer: io.StringIO, *values: str) -> None:
    text = buffer.getvalue()
    assert text, "nothing was logged"
    for value in values:
        assert value not in text, f"{value[:4]}… is in the log"


def people_with_bad_rows() -> tuple[bytes, list[str]]:
    good = person_row(7)
    rows = [good, person_row(99, id_number=BAD_ID), person_row(98, phone=SHORT_PHONE)]
    return csv_bytes(PEOPLE_HEADER, rows), [good[1], good[2], BAD_ID, SHORT_PHONE]


@pytest.fixture
def write_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*, actor: Any, data: Any) -> None:
        raise RuntimeError(f"could not write person {data.id_number} / {data.phone}")

    monkeypatch.setattr(person_services, "person_create", fail)


def test_bad_rows_are_logged_without_their_numbers(world, client, json_logs) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.users["leader"])
    data, plaintext = people_with_bad_rows()
    upload(client, "people", data)
    assert ImportBatch.objects.get().status == BatchStatus.REJECTED
    assert any(line["logger"] == "django.db.backends" for line in lines(json_logs))
    assert_no_plaintext(json_logs, *plaintext)


def test_an_exception_in_the_request_is_logged_without_the_numbers(  # type: ignore[no-untyped-def]
    world, client, json_logs, write_fails
) -> None:
    client.raise_request_exception = False
    client.force_login(world.users["leader"])
    rows = unique_people(30, 2)
    response = upload(client, "people", csv_bytes(PEOPLE_HEADER, rows))
    assert response.status_code == 500
    [error] = [line for line in lines(json_logs) if line["logger"] == "django.request"]
    assert "RuntimeError" in error["exception"]
    assert_no_plaintext(json_logs, *[row[1] for row in rows], *[row[2] for row in rows])


def test_an_exception_in_the_worker_is_logged_without_the_numbers(  # type: ignore[no-untyped-def]
    world, client, json_logs, write_fails, monkeypatch
) -> None:
    monkeypatch.setattr(background, "INLINE_MAX_ROWS", 3)
    client.force_login(world.users["leader"])
    rows = unique_people(40, 5)
    upload(client, "people", csv_bytes(PEOPLE_HEADER, rows))
    call_command("worker", "--once")
    batch = ImportBatch.objects.get()
    assert batch.job is not None and "RuntimeError" in batch.job.last_error
    assert any(line["message"] == "job failed" for line in lines(json_logs))
    assert_no_plaintext(json_logs, *[row[1] for row in rows], *[row[2] for row in rows])
