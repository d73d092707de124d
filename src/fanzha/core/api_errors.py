"""The API's one error shape, for every error a client can get under /api/:

    {"code": "invalid_body", "detail": "请求体不是有效的 JSON"}

``code`` is stable, one of :data:`CODES`, for a program to act on; ``detail`` is Chinese, for the
person reading the log, and never holds personal data (a value sent is not echoed; a key is named only
with its numbers masked). An endpoint may add keys of its own beside them (the batch push: ``batch``
and ``errors``). The codes are listed, with their statuses, in docs/warnings.md (接口错误).
"""

from __future__ import annotations

from typing import Any

from django.http import JsonResponse
from ninja.errors import HttpError

# code → the statuses it comes with (docs/warnings.md lists the same; a test holds them together).
CODES: dict[str, tuple[int, ...]] = {
    "not_authenticated": (401,),
    "invalid_api_key": (401,),
    "organisation_inactive": (401,),
    "csrf_failed": (403,),
    "forbidden": (403,),
    "password_change_required": (403,),
    "not_found": (404,),
    "unknown_endpoint": (404,),
    "method_not_allowed": (405,),
    "invalid_body": (400, 422),
    "unknown_option": (400, 422),
    "invalid_parameter": (400, 422),
    "invalid_field": (400,),
    "warning_rejected": (400,),
    "batch_rejected": (400,),
    "too_many_items": (400, 422),
    "too_large": (413,),
    "rate_limited": (429,),
    "server_error": (500,),
    "conflict_retry": (503,),
    "unavailable": (503,),
}

# The code of an answer that carries none of its own (a framework's, or a status alone).
CODE_OF_STATUS = {
    400: "invalid_body",
    401: "not_authenticated",
    403: "forbidden",
    404: "unknown_endpoint",
    405: "method_not_allowed",
    413: "too_large",
    422: "invalid_parameter",
    429: "rate_limited",
    500: "server_error",
    503: "unavailable",
}


def code_of_status(status: int) -> str:
    return CODE_OF_STATUS.get(status, "server_error" if status >= 500 else "invalid_body")


def problem_body(code: str, detail: str, **extra: Any) -> dict[str, Any]:
    """The error's JSON: ``code`` and ``detail`` first, then an endpoint's own keys."""
    if code not in CODES:
        raise ValueError(f"unknown API error code {code!r}; add it to core.api_errors.CODES and the docs")
    return {"code": code, "detail": detail, **extra}


def problem(status: int, code: str, detail: str, **extra: Any) -> JsonResponse:
    """The error as a response (Chinese written as it is, not as \\u escapes)."""
    return JsonResponse(
        problem_body(code, detail, **extra), status=status, json_dumps_params={"ensure_ascii": False}
    )


class ApiError(HttpError):
    """An error an endpoint or its authentication raises, answered as ``{"code", "detail"}``."""

    def __init__(self, status: int, code: str, detail: str) -> None:
        problem_body(code, detail)  # an unknown code fails here, where it is written
        super().__init__(status, detail)
        self.code = code
