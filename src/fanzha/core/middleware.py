"""Request id, audit context, session limits (idle timeout, absolute lifetime), database conflicts
answered "try again" (503) instead of a 500, every error under /api/ answered in the API's JSON, and a NUL
character in a request's query refused (400)."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, resolve_url
from django.template import loader
from django.urls import reverse

from fanzha.audit import context as audit_context
from fanzha.core import conflicts
from fanzha.core.api_errors import code_of_status, problem

Handler = Callable[[HttpRequest], HttpResponse]


def client_ip(request: HttpRequest) -> str:
    """The client address. Behind the proxy (FANZHA_BEHIND_PROXY) the right-most X-Forwarded-For
    entry is the one our own proxy appended; entries to its left are whatever the client sent."""
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[-1].strip()[:45]
    return str(request.META.get("REMOTE_ADDR", ""))[:45]


REQUEST_ID_RE = re.compile(r"[0-9A-Za-z-]{8,64}")


def incoming_request_id(request: HttpRequest) -> str:
    """The client's X-Request-ID, only behind our proxy (FANZHA_BEHIND_PROXY) and only when it is
    8–64 letters, digits or hyphens; else "" (we generate our own)."""
    if not getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        return ""
    incoming = request.headers.get("X-Request-ID", "")
    return incoming if REQUEST_ID_RE.fullmatch(incoming) else ""


class NulCharactersMiddleware:
    """A NUL character in the path or the query string (``?area=a%00b``) is refused with 400: PostgreSQL
    cannot hold one in a text value, and a list page passing the filter on failed with a server error."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path or any(
            "\x00" in name or any("\x00" in value for value in values) for name, values in request.GET.lists()
        ):
            raise SuspiciousOperation("请求地址中含有无效字符（NUL），请检查链接")
        return self.get_response(request)


class RequestIdMiddleware:
    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = incoming_request_id(request) or uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response


class AuditContextMiddleware:
    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        channel = "api" if request.path.startswith("/api/") else "web"
        token = audit_context.bind(
            audit_context.AuditContext(
                ip=client_ip(request), request_id=getattr(request, "request_id", ""), channel=channel
            )
        )
        try:
            return self.get_response(request)
        finally:
            audit_context.reset(token)


class SessionLimitsMiddleware:
    """Log out after SESSION_IDLE_TIMEOUT without activity (a page's automatic refresh is none) or
    SESSION_ABSOLUTE_TIMEOUT after login, or once the user's organisation is deactivated; send a user
    whose password must change (too old, or set by an administrator) to change it first."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from fanzha.core import security

        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return self.get_response(request)
        activity = not security.is_poll(request)
        reason = security.session_expiry(request.session, time.time(), activity=activity)
        if reason:
            from fanzha.audit.services import audit_record

            audit_record(actor=user, action="session.expired", details={"reason": reason})
            logout(request)
            request.session[security.EXPIRED_NOTICE] = True
            return _redirect(request, resolve_url(settings.LOGIN_URL))
        if security.organisation_inactive(user):
            return _end_for_inactive_organisation(request, user)
        if security.password_must_change(user) and not _password_change_exempt(request.path):
            if request.path.startswith("/api/"):
                return problem(403, "password_change_required", "密码须修改后才能继续使用")
            return _redirect(request, reverse("password_change"))
        return self.get_response(request)


def _end_for_inactive_organisation(request: HttpRequest, user: object) -> HttpResponse:
    """The user's organisation was deactivated while the session was open: it ends now."""
    from fanzha.audit.services import audit_record
    from fanzha.core import security

    audit_record(actor=user, action="logout", details={"reason": security.ORGANISATION_INACTIVE_CODE})
    logout(request)
    if request.path.startswith("/api/"):
        return problem(401, security.ORGANISATION_INACTIVE_CODE, security.ORGANISATION_INACTIVE_MESSAGE)
    request.session[security.ORGANISATION_NOTICE] = True
    return _redirect(request, resolve_url(settings.LOGIN_URL))


def _password_change_exempt(path: str) -> bool:
    allowed = (reverse("password_change"), reverse("logout"), settings.STATIC_URL)
    return path.startswith(allowed)


def _redirect(request: HttpRequest, url: str) -> HttpResponse:
    """A redirect; htmx requests get HX-Redirect so the whole page changes, not a fragment."""
    if request.headers.get("HX-Request"):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


# The framework's plain answers under /api/ (an unknown path: the site's HTML 404 page; a method the
# endpoint does not take: text "Method not allowed"; a body Django refuses before any endpoint reads it,
# or a server error: HTML pages), in the API's own error shape.
API_ANSWERS = {
    400: "请求无法处理：请求格式不正确（如表单字段过多）",
    403: "无权访问",
    404: "接口不存在：请核对地址（接口文档见 /api/docs）",
    405: "接口不支持该请求方法（{allowed}）",
    413: "请求体过大，超过接口允许的大小",
    500: "服务器内部错误，请求未完成；请稍后重试，反复出现时请把响应头 X-Request-ID 的值告知平台管理员",
}
OTHER_ANSWER = "请求无法处理（HTTP {status}）"


class ApiErrorsMiddleware:
    """A partner system calling /api/ gets JSON whatever goes wrong: an error (4xx, 5xx) the framework
    answered in HTML or text is answered as ``{"code": …, "detail": …}``, the shape of every other API
    error, with the replaced answer's headers (this middleware sits outside the security middleware, so
    its answer would otherwise go without X-Frame-Options, nosniff, Referrer-Policy and HSTS). With
    DEBUG on, a server error keeps Django's page with its traceback."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        status = response.status_code
        if status < 400 or not request.path.startswith("/api/"):
            return response
        if response.get("Content-Type", "").startswith("application/json"):
            return response
        if status >= 500 and settings.DEBUG:
            return response
        allowed = response.get("Allow", "")
        detail = API_ANSWERS.get(status, OTHER_ANSWER).format(allowed=allowed, status=status)
        answer = problem(status, code_of_status(status), detail)
        _keep_headers(response, answer)
        return answer


# What describes the replaced body; every other header (Allow, Retry-After, and those the security
# middlewares set: X-Frame-Options, X-Content-Type-Options, Referrer-Policy, HSTS) goes on the answer.
BODY_HEADERS = {"content-type", "content-length", "content-encoding", "content-disposition"}


def _keep_headers(response: HttpResponse, answer: HttpResponse) -> None:
    for header, value in response.items():
        if header.lower() not in BODY_HEADERS:
            answer[header] = value


class DatabaseConflictMiddleware:
    """A view stopped by a database conflict (a deadlock, a serialisation failure, a lock wait given up,
    SQLite's "database is locked") answers 503 with Retry-After: nothing of the operation was saved,
    and the same request again normally succeeds. Any other exception passes on unchanged (a 500)."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        kind = conflicts.conflict_kind(exception)
        if not kind:
            return None
        return conflict_response(request, kind)


def conflict_response(request: HttpRequest, kind: str) -> HttpResponse:
    """Log the conflict once and answer it: JSON for the API, a fragment for htmx, else a page."""
    api = request.path.startswith("/api/")
    match = getattr(request, "resolver_match", None)
    conflicts.log_conflict(
        kind, "api" if api else "web", method=request.method or "", view=match.view_name if match else ""
    )
    if api:
        response = conflict_json()
    elif request.headers.get("HX-Request"):
        response = _conflict_fragment(request)
    else:
        # Rendered without context processors: the connection may be unusable until the request ends.
        page = loader.get_template("503_conflict.html").render({"message": conflicts.MESSAGE})
        response = HttpResponse(page, status=503)
    response["Retry-After"] = str(conflicts.RETRY_AFTER_SECONDS)
    # Logged above, at WARNING: Django is not to log it again as a server error.
    response._has_been_logged = True  # type: ignore[attr-defined]
    return response


def conflict_json() -> HttpResponse:
    """The API's error shape with the stable code a partner system can retry on."""
    return problem(503, conflicts.CODE, conflicts.MESSAGE)


def _conflict_fragment(request: HttpRequest) -> HttpResponse:
    """htmx swaps only 2xx answers: an action (a POST) gets the message in place of its result; a
    poll (a GET) gets 503, so htmx keeps what the page shows and polls again."""
    fragment = loader.get_template("_conflict.html").render({"message": conflicts.MESSAGE})
    return HttpResponse(fragment, status=503 if request.method in ("GET", "HEAD") else 200)
