"""Logs are JSON lines with the request id and never carry personal data."""

from __future__ import annotations

import io
import json
import logging

from fanzha.audit import context
from fanzha.core.logging import JsonFormatter, PiiScrubFilter
from tests.personas import login


def format_record(message: str, *args: object) -> dict[str, object]:
    record = logging.LogRecord("fanzha.test", logging.INFO, __file__, 1, message, args, None)
    PiiScrubFilter().filter(record)
    return json.loads(JsonFormatter().format(record))


def test_it_writes_one_json_object_with_the_request_id() -> None:
    token = context.bind(context.AuditContext(request_id="req-12345678"))
    try:
        entry = format_record("imported %d rows", 12)
    finally:
        context.reset(token)
    assert entry["message"] == "imported 12 rows"
    assert entry["request_id"] == "req-12345678"
    assert entry["level"] == "INFO"


def test_it_masks_phone_and_id_numbers_in_messages_and_arguments() -> None:
    entry = format_record("call %s about %s", "13812345678", "33010219900101123X")
    assert "13812345678" not in entry["message"]
    assert "33010219900101123X" not in entry["message"]
    assert "138****5678" in entry["message"]


def test_it_tags_responses_with_a_request_id(client, db) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/healthz")
    assert response.status_code == 200
    assert len(response["X-Request-ID"]) == 32
    assert response.json()["database"] == "ok"


def reached_handlers(name: str) -> list[logging.Handler]:
    """The handlers a record logged on `name` reaches, following propagation
    (without those pytest attaches to every logger to capture logs)."""
    logger: logging.Logger | None = logging.getLogger(name)
    handlers: list[logging.Handler] = []
    while logger is not None:
        handlers += [h for h in logger.handlers if not type(h).__module__.startswith("_pytest")]
        if not logger.propagate:
            break
        logger = logger.parent
    return handlers


def test_it_sends_django_logs_only_through_the_scrubbing_json_handler() -> None:
    for name in ("django", "django.request", "django.security.csrf"):
        handlers = reached_handlers(name)
        assert len(handlers) == 1, (name, handlers)
        assert isinstance(handlers[0].formatter, JsonFormatter)
        assert any(isinstance(f, PiiScrubFilter) for f in handlers[0].filters)


def test_it_falls_back_to_the_request_id_the_record_carries() -> None:
    class Request:
        request_id = "req-from-record"

    record = logging.LogRecord("django.request", logging.WARNING, __file__, 1, "Not Found: %s", ("/",), None)
    record.request = Request()
    entry = json.loads(JsonFormatter().format(record))
    assert entry["request_id"] == "req-from-record"
    assert "request" not in entry


def test_it_logs_a_404_once_with_the_request_id_and_no_phone(world, client, settings) -> None:  # type: ignore[no-untyped-def]
    settings.DEBUG = True  # Django's own console handler printed unscrubbed duplicates in this mode
    (handler,) = reached_handlers("django.request")
    assert isinstance(handler, logging.StreamHandler)
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    try:
        response = login(client, world.users["grid_cd"]).get("/people/13812345678/")
    finally:
        handler.setStream(previous)
    assert response.status_code == 404
    lines = buffer.getvalue().splitlines()
    assert len(lines) == 1, lines
    entry = json.loads(lines[0])
    assert entry["logger"] == "django.request" and entry["status_code"] == 404
    assert entry["request_id"] == response["X-Request-ID"]
    assert "138****5678" in entry["message"]
    assert "13812345678" not in buffer.getvalue()
