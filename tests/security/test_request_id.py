"""X-Request-ID from the client is taken only behind our proxy, and only in a safe shape."""

from __future__ import annotations

import pytest
from django.urls import reverse

from fanzha.audit.models import AuditEvent
from tests.security.helpers import WRONG

PROXY = ("HTTP_X_FORWARDED_PROTO", "https")


def _request_id(client, header: str) -> str:  # type: ignore[no-untyped-def]
    return str(client.get(reverse("login"), HTTP_X_REQUEST_ID=header)["X-Request-ID"])


def test_it_keeps_a_well_formed_request_id_from_our_proxy(client, settings, db) -> None:  # type: ignore[no-untyped-def]
    settings.SECURE_PROXY_SSL_HEADER = PROXY
    assert _request_id(client, "req-0123456789abcdef") == "req-0123456789abcdef"


def test_it_stores_the_proxy_request_id_in_the_audit_log(client, settings, world) -> None:  # type: ignore[no-untyped-def]
    settings.SECURE_PROXY_SSL_HEADER = PROXY
    client.post(
        reverse("login"), {"username": "analyst", "password": WRONG}, HTTP_X_REQUEST_ID="nginx-42abcdef"
    )
    assert AuditEvent.objects.get(action="login.failure").request_id == "nginx-42abcdef"


@pytest.mark.parametrize(
    "header",
    [
        "short",
        "x" * 65,
        "abc def 123",
        "abc<script>",
        "abcdefgh\u00e9",
        "110101199003077777;drop",
        "abcd_efgh",
    ],
)
def test_it_replaces_a_malformed_request_id(client, settings, db, header: str) -> None:  # type: ignore[no-untyped-def]
    settings.SECURE_PROXY_SSL_HEADER = PROXY
    generated = _request_id(client, header)
    assert generated != header
    assert len(generated) == 32 and generated.isalnum()


def test_it_ignores_the_client_request_id_without_our_proxy(client, settings, db) -> None:  # type: ignore[no-untyped-def]
    settings.SECURE_PROXY_SSL_HEADER = None
    generated = _request_id(client, "req-0123456789abcdef")
    assert generated != "req-0123456789abcdef"
    assert len(generated) == 32
