"""Production-like cookie and header settings (FANZHA_ENV=production turns these on in settings.py)."""

from __future__ import annotations

import os
import subprocess
import sys

from django.test import override_settings
from django.urls import reverse

from tests.personas import PASSWORD

PRODUCTION_LIKE = override_settings(
    DEBUG=False,
    SESSION_COOKIE_SECURE=True,
    CSRF_COOKIE_SECURE=True,
    SECURE_SSL_REDIRECT=True,
    SECURE_HSTS_SECONDS=31536000,
    SECURE_HSTS_INCLUDE_SUBDOMAINS=True,
)


@PRODUCTION_LIKE
def test_it_sets_a_secure_httponly_session_cookie(world, client) -> None:
    response = client.post(reverse("login"), {"username": "leader", "password": PASSWORD}, secure=True)
    assert response.status_code == 302
    cookie = response.cookies["sessionid"]
    assert cookie["secure"] is True
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"


@PRODUCTION_LIKE
def test_it_sends_the_protective_headers(world, client) -> None:
    response = client.get(reverse("login"), secure=True)
    assert response.status_code == 200
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert response["Referrer-Policy"] == "same-origin"
    assert response.cookies["csrftoken"]["secure"] is True


@PRODUCTION_LIKE
def test_it_redirects_plain_http_to_https(world, client) -> None:
    response = client.get(reverse("login"))
    assert response.status_code == 301
    assert response["Location"].startswith("https://")


def test_it_turns_these_on_in_production_mode(tmp_path) -> None:
    env = {
        **os.environ,
        "FANZHA_ENV": "production",
        "SECRET_KEY": "k" * 60,
        "FANZHA_PII_KEY": "p" * 43 + "=",  # 32 bytes, as a real key
        "ALLOWED_HOSTS": "fanzha.example",
        "FANZHA_VAR_DIR": str(tmp_path),
    }
    for name in ["FANZHA_DEBUG", "FANZHA_SECURE_COOKIES", "FANZHA_SSL_REDIRECT", "FANZHA_HSTS_SECONDS"]:
        env.pop(name, None)
    code = (
        "import fanzha.settings as s; print(s.SESSION_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, "
        "s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.X_FRAME_OPTIONS, "
        "s.SECURE_CONTENT_TYPE_NOSNIFF)"
    )
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["True", "True", "True", "True", "31536000", "DENY", "True"]


@PRODUCTION_LIKE
def test_it_sends_the_protective_headers_on_the_apis_error_answers_too(world, client) -> None:
    """ApiErrorsMiddleware answers /api/ errors in JSON; its answer replaces the framework's and must
    keep the headers the security middleware put on it."""
    client.force_login(world.users["leader"])
    for path in ("/api/no-such-endpoint", "/api/people/999999"):
        response = client.get(path, secure=True)
        assert response.status_code == 404, path
        assert response["Content-Type"].startswith("application/json"), path
        assert response["X-Content-Type-Options"] == "nosniff", path
        assert response["X-Frame-Options"] == "DENY", path
        assert response["Referrer-Policy"] == "same-origin", path
        assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains", path
