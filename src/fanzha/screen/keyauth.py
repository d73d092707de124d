"""Partner API keys as a django-ninja authentication: the ``X-API-Key`` header, one scope an endpoint.

Each scope of a key has its own per-minute budget (:func:`rate_bucket`) of the key's ``rate_per_minute``.

A key that is sent but unknown, revoked or of an inactive organisation answers 401 (no fallback to the
session); a valid key without the endpoint's scope answers 403. Never a query string: keys stay out of
URLs and access logs.

:data:`session_auth` is the session's authentication of the endpoints a partner may call too: a request
with neither a key nor a session answers 401 (not 403 about a CSRF token).
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja.security import APIKeyHeader, SessionAuth

from fanzha.core.api_errors import ApiError
from fanzha.screen import services
from fanzha.screen.models import SCOPES, ApiKey

HEADER = "X-API-Key"


class PartnerKeyAuth(APIKeyHeader):
    """An active partner key holding ``scope`` (a code of ``SCOPES``)."""

    param_name = HEADER

    def __init__(self, scope: str) -> None:
        if scope not in SCOPES:
            raise ValueError(f"unknown API key scope {scope!r}; add it to screen.models.SCOPES")
        self.scope = scope
        super().__init__()

    def authenticate(self, request: HttpRequest, key: str | None) -> ApiKey | None:
        if key is None:
            return None
        found = services.api_key_find(key)
        if found is None:
            raise ApiError(401, "invalid_api_key", "接口密钥无效或已吊销")
        if self.scope not in found.scopes:
            lacks = f"此接口密钥没有“{SCOPES[self.scope]}”的权限，请联系中心的系统管理员为密钥勾选"
            raise ApiError(403, "forbidden", lacks)
        return found


class LoggedInSession(SessionAuth):
    """django-ninja's session authentication, its CSRF check made only for a logged-in user. The
    framework checks the CSRF token before it looks for a session, so a partner system that left out (or
    misspelt) ``X-API-Key`` was told "CSRF 校验失败" (403) and looked for a token it has no use for; it
    is now told 未登录 (401). A request without a session can do nothing a CSRF token protects."""

    def __call__(self, request: HttpRequest) -> object | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        return super().__call__(request)


session_auth = LoggedInSession()


def rate_bucket(key: ApiKey, scope: str) -> str:
    """The rate limit's counter of ``key`` on one scope: each scope has its own per-minute budget, so a
    burst of screening requests does not hold back a bank's warning pushes under the same key."""
    return f"key:{key.pk}:{scope}"


def key_of(request: HttpRequest) -> ApiKey | None:
    """The partner key the request was authenticated by, or None (a logged-in session)."""
    auth = getattr(request, "auth", None)
    return auth if isinstance(auth, ApiKey) else None
