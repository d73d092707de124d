"""Request id, audit context, and session limits (idle timeout, absolute lifetime)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from fanzha.audit import context as audit_context

Handler = Callable[[HttpRequest], HttpResponse]


def client_ip(request: HttpRequest) -> str:
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()[:45]
    return str(request.META.get("REMOTE_ADDR", ""))[:45]


class RequestIdMiddleware:
    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if 8 <= len(incoming) <= 64 and incoming.isascii() else uuid.uuid4().hex
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
    """Log out after SESSION_IDLE_TIMEOUT without activity or SESSION_ABSOLUTE_TIMEOUT after login."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = time.time()
            started = request.session.setdefault("fanzha_login_at", now)
            last_seen = request.session.get("fanzha_last_seen", now)
            idle = now - last_seen > settings.SESSION_IDLE_TIMEOUT
            expired = now - started > settings.SESSION_ABSOLUTE_TIMEOUT
            if idle or expired:
                from fanzha.audit.services import audit_record

                audit_record(actor=user, action="session.expired", details={"idle": idle})
                logout(request)
                messages.info(request, "会话已超时，请重新登录。")
                return redirect(settings.LOGIN_URL)
            request.session["fanzha_last_seen"] = now
        return self.get_response(request)
