"""A deactivated organisation's users can no longer log in, and an open session ends (s20).

The reason is only told to someone who typed the right password: an unknown username or a wrong
password still gets the one generic message, so the page does not tell which accounts exist.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from fanzha.audit.models import AuditEvent
from fanzha.core import security
from fanzha.core.services import organisations as org_services
from tests.personas import PASSWORD

ORGANISATION_INACTIVE = "所在单位已停用"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):  # type: ignore[no-untyped-def]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _login(client: Client, username: str, password: str):  # type: ignore[no-untyped-def]
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR="10.0.0.9")


def _deactivate(world, name: str) -> None:  # type: ignore[no-untyped-def]
    org_services.organisation_update(
        actor=world.users["admin"], organisation=world.orgs[name], is_active=False
    )


def _error_text(response) -> str:  # type: ignore[no-untyped-def]
    return " ".join(response.context["form"].non_field_errors())


def test_the_right_password_is_refused_with_the_reason(world) -> None:  # type: ignore[no-untyped-def]
    _deactivate(world, "工商银行青溪支行")
    client = Client()
    response = _login(client, "bank", PASSWORD)
    assert response.status_code == 200
    assert ORGANISATION_INACTIVE in _error_text(response)
    assert "_auth_user_id" not in client.session
    refused = AuditEvent.objects.filter(action="login.failure", actor_id=world.users["bank"].pk)
    assert [e.details.get("step") for e in refused] == ["organisation_inactive"]


def test_a_wrong_password_says_no_more_than_for_an_unknown_user(world) -> None:  # type: ignore[no-untyped-def]
    _deactivate(world, "工商银行青溪支行")
    wrong = _login(Client(), "bank", "Wrong#pass2026")
    unknown = _login(Client(), "nobody-here", "Wrong#pass2026")
    assert _error_text(wrong) == _error_text(unknown)
    assert ORGANISATION_INACTIVE not in _error_text(wrong)


def test_an_open_session_ends_at_its_next_request(world) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    assert _login(client, "grid_cd", PASSWORD).status_code == 302
    assert client.get(reverse("home")).status_code == 200
    _deactivate(world, "城东社区居委会")
    response = client.get(reverse("person_list"))
    assert response.status_code == 302 and response["Location"] == reverse("login")
    assert "_auth_user_id" not in client.session
    page = client.get(reverse("login")).content.decode()
    assert ORGANISATION_INACTIVE in page
    assert ORGANISATION_INACTIVE not in client.get(reverse("login")).content.decode()  # shown once
    ended = AuditEvent.objects.filter(action="logout", actor_id=world.users["grid_cd"].pk)
    assert [e.details for e in ended] == [{"reason": "organisation_inactive"}]


def test_htmx_and_api_requests_of_such_a_session_end_too(world) -> None:  # type: ignore[no-untyped-def]
    page, api = Client(), Client()
    for client in (page, api):
        assert _login(client, "grid_cd", PASSWORD).status_code == 302
    assert api.get("/api/areas").status_code == 200
    _deactivate(world, "城东社区居委会")
    response = page.get(reverse("home"), HTTP_HX_REQUEST="true")
    assert response.status_code == 204 and response["HX-Redirect"] == reverse("login")
    answer = api.get("/api/areas")
    assert answer.status_code == 401 and ORGANISATION_INACTIVE in answer.json()["detail"]
    assert "_auth_user_id" not in api.session


def test_the_second_step_of_a_totp_login_is_refused_too(world, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The organisation was deactivated between the password and the code."""
    user = world.users["police_cg"]
    secret = security.totp_new_secret()
    type(user).objects.filter(pk=user.pk).update(totp_secret=secret, totp_enabled=True)
    monkeypatch.setattr(security, "totp_step", lambda s, c: 10**9 if c == "123456" else None)
    client = Client()
    assert _login(client, "police_cg", PASSWORD)["Location"] == reverse("login_totp")
    _deactivate(world, "城关派出所")
    response = client.post(reverse("login_totp"), {"code": "123456"})
    assert response.status_code == 302 and response["Location"] == reverse("login")
    assert "_auth_user_id" not in client.session


def test_a_reactivated_organisation_lets_its_users_in_again(world) -> None:  # type: ignore[no-untyped-def]
    _deactivate(world, "工商银行青溪支行")
    org_services.organisation_update(
        actor=world.users["admin"], organisation=world.orgs["工商银行青溪支行"], is_active=True
    )
    assert _login(Client(), "bank", PASSWORD).status_code == 302
