"""The JSON API (OpenAPI at /api/docs). Each app adds its router here.

Session authentication (with CSRF on unsafe methods) for logged-in users; partner systems call the
endpoints that allow it (POST /api/screen, POST /api/warnings) with an API key of the matching scope
in the ``X-API-Key`` header (``fanzha.screen.keyauth``).

Every error is answered as ``{"code": …, "detail": …}`` (``fanzha.core.api_errors``): the handlers
below for what the endpoints and the framework raise, ``ApiErrorsMiddleware`` for what is answered
outside them (an unknown path, a method not taken, a server error).
"""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.db import DatabaseError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import HttpError, ValidationError

from fanzha.core import conflicts
from fanzha.core.api import router as core_router
from fanzha.core.api_errors import ApiError, code_of_status, problem_body
from fanzha.core.middleware import conflict_response
from fanzha.screen.api import router as screen_router
from fanzha.screen.keyauth import HEADER, session_auth
from fanzha.warnings.api import router as warnings_router
from fanzha.warnings.api_batch import router as warnings_batch_router

api = NinjaAPI(
    title="fanzha API",
    version="1",
    auth=session_auth,
    urls_namespace="api",
    docs_decorator=login_required,  # the schema is for partners and staff, not for anonymous visitors
)


@api.exception_handler(PermissionDenied)
def permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(request, problem_body("forbidden", "无权访问"), status=403)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    """Missing and out-of-scope records answer alike, in Chinese, whatever DEBUG says."""
    return api.create_response(request, problem_body("not_found", "记录不存在"), status=404)


# The framework's own English answers, as a Chinese caller reads them, with their codes.
IN_CHINESE = {
    "Unauthorized": ("not_authenticated", "未登录：请先登录，或在 X-API-Key 头中提供接口密钥"),
    "CSRF check Failed": ("csrf_failed", "CSRF 校验失败：会话登录的请求须在 X-CSRFToken 头中带上 CSRF 令牌"),
    "Forbidden": ("forbidden", "无权访问"),
    "Too many requests.": ("rate_limited", "请求过于频繁，请稍后再试"),
}


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    """Our own ``ApiError`` with its code; the framework's errors in Chinese, coded by their status."""
    if isinstance(exc, ApiError):
        code, detail = exc.code, exc.message
    else:
        code, detail = IN_CHINESE.get(exc.message, (code_of_status(exc.status_code), exc.message))
    if code == "not_authenticated" and request.headers.get(HEADER):
        return api.create_response(request, problem_body("forbidden", KEY_NOT_TAKEN), status=403)
    return api.create_response(request, problem_body(code, detail), status=exc.status_code)


# A partner key sent to an endpoint for logged-in users only (GET /api/warnings, /api/people): before,
# the partner was told 401 "…或在 X-API-Key 头中提供接口密钥" — the key it had sent.
KEY_NOT_TAKEN = "此接口不接受接口密钥，只供登录的用户使用；接口密钥可用于推送预警、查询推送的反馈和风险筛查"


# What a parameter should be, by pydantic's error type (the value sent is never echoed).
SHOULD_BE = {
    "int_parsing": "应为整数",
    "int_from_float": "应为整数",
    "float_parsing": "应为数字",
    "bool_parsing": "应为 true 或 false",
    "missing": "缺少此项",
    "string_too_long": "过长",
    "greater_than_equal": "过小",
    "less_than_equal": "过大",
    "json_invalid": "不是有效的 JSON",
}


def validation_message(errors: list[dict[str, Any]]) -> str:
    """ "参数格式不正确：limit（应为整数）" for the framework's own checks of parameters and bodies."""
    parts = []
    for error in errors:
        loc = [str(part) for part in error.get("loc") or () if part not in ("query", "path", "body", "form")]
        where = ".".join(loc) or "请求"
        parts.append(f"{where}（{SHOULD_BE.get(str(error.get('type')), '格式不正确')}）")
    return "参数格式不正确：" + "、".join(dict.fromkeys(parts))


@api.exception_handler(ValidationError)
def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    body = problem_body("invalid_parameter", validation_message(exc.errors))
    return api.create_response(request, body, status=422)


@api.exception_handler(RequestDataTooBig)
def too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    """A body over the upload limit (read first by the CSRF check of a form post): JSON, not a page."""
    body = problem_body("too_large", "请求体过大，超过接口允许的大小")
    return api.create_response(request, body, status=413)


@api.exception_handler(DatabaseError)
def database_error(request: HttpRequest, exc: DatabaseError) -> HttpResponse:
    """A database conflict: 503 {"code": "conflict_retry", "detail": …} with Retry-After, also with DEBUG
    on (the framework would answer a traceback); any other database error is Django's 500."""
    kind = conflicts.conflict_kind(exc)
    if not kind:
        raise exc
    return conflict_response(request, kind)


api.add_router("/", core_router)
api.add_router("/", warnings_router)
api.add_router("/", warnings_batch_router)
api.add_router("/", screen_router)
