"""Partner API keys as a django-ninja authentication: the ``X-API-Key`` header, one scope an endpoint.

Each scope of a key has its own per-minute budget (:func:`rate_bucket`) of the key's ``rate_per_minute``.

A key that is sent but unknown, revoked or of an inactive organisation answers 401 (no fallback to the
session); a valid key without the endpoint's scope answers 403. Never a query string: keys stay out of
URLs and access logs.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja.errors import AuthenticationError
from ninja.security import APIKeyHeader

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
            raise AuthenticationError(401, "接口密钥无效或已吊销")
        if self.scope not in found.scopes:
            raise PermissionDenied(self.scope)
        return found


def rate_bucket(key: ApiKey, scope: str) -> str:
    """The rate limit's counter of ``key`` on one scope: each scope has its own per-minute budget, so a
    burst of screening requests does not hold back a bank's warning pushes under the same key."""
    return f"key:{key.pk}:{scope}"


def key_of(request: HttpRequest) -> ApiKey | None:
    """The partner key the request was authenticated by, or None (a logged-in session)."""
    auth = getattr(request, "auth", None)
    return auth if isinstance(auth, ApiKey) else None
