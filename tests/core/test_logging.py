"""Logs are JSON lines with the request id and never carry personal data."""

from __future__ import annotations

import json
import logging

from fanzha.audit import context
from fanzha.core.logging import JsonFormatter, PiiScrubFilter


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
