"""Structured logs: one JSON object a line, with the request id, scrubbed of personal data."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

from fanzha.audit import context as audit_context
from fanzha.core.pii.masking import scrub_text

_STANDARD = set(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {"message", "asctime"}


class PiiScrubFilter(logging.Filter):
    """Masks anything that looks like an ID number, phone number or bank card in a log line."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        record.msg = scrub_text(message)
        record.args = None
        return True


def request_id(record: logging.LogRecord) -> str:
    """The audit context's request id; else the id of the request the record carries
    (Django logs a response's status after the middleware has reset the context)."""
    current = audit_context.current().request_id
    if current:
        return current
    return str(getattr(getattr(record, "request", None), "request_id", "") or "")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": request_id(record),
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_") and key != "request":
                entry[key] = value if isinstance(value, int | float | bool) else scrub_text(str(value))
        if record.exc_info:
            entry["exception"] = scrub_text(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)
