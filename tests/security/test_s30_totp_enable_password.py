"""Turning the second factor on asks for the current password: a stolen session alone must not bind an
authenticator of its own to the account (its owner would then be locked out of their own login). A wrong
password there counts as a failed login, as on the password-change and TOTP-off pages."""

from __future__ import annotations

from axes.models import AccessAttempt
from django.urls import reverse

from fanzha.core.views.auth import TOTP_SETUP_SECRET
from tests.personas import PASSWORD
from tests.security.helpers import WRONG, events, logged_in_user_id, post_login


def _setup_page(client, user) -> str:  # type: ignore[no-untyped-def]
    client.force_login(user)
    page = client.get(reverse("totp_setup")).content.decode()
    assert 'name="password"' in page  # the form asks for it
    return str(client.session[TOTP_SETUP_SECRET])


def test_it_does_not_turn_totp_on_with_a_code_alone(world, client, clock) -> None:
    user = world.users["leader"]
    secret = _setup_page(client, user)
    response = client.post(reverse("totp_setup"), {"code": clock.code(secret)})
    assert response.status_code == 400
    assert "请输入当前密码" in response.content.decode()
    user.refresh_from_db()
    assert not user.totp_enabled
    assert not events("totp.enable")


def test_it_refuses_a_wrong_password_and_counts_it_as_a_failed_login(world, client, clock) -> None:
    user = world.users["leader"]
    secret = _setup_page(client, user)
    response = client.post(reverse("totp_setup"), {"password": WRONG, "code": clock.code(secret)})
    assert response.status_code == 400
    assert "当前密码不正确" in response.content.decode()
    user.refresh_from_db()
    assert not user.totp_enabled
    assert [e.details for e in events("login.failure")] == [{"username": "leader", "step": "totp_enable"}]
    assert AccessAttempt.objects.get(username="leader").failures_since_start == 1
    assert client.session[TOTP_SETUP_SECRET] == secret  # the same secret to try again with


def test_it_ends_the_session_after_five_wrong_passwords(world, client, clock) -> None:
    user = world.users["leader"]
    secret = _setup_page(client, user)
    for _ in range(4):
        wrong = client.post(reverse("totp_setup"), {"password": WRONG, "code": clock.code(secret)})
        assert wrong.status_code == 400
    locked = client.post(reverse("totp_setup"), {"password": WRONG, "code": clock.code(secret)})
    assert locked.status_code == 429
    assert logged_in_user_id(client) is None
    assert len(events("login.locked")) == 1
    user.refresh_from_db()
    assert not user.totp_enabled
    assert post_login(client, "leader", PASSWORD, ip="10.0.0.9").status_code == 429


def test_it_turns_totp_on_with_the_password_and_a_code(world, client, clock) -> None:
    user = world.users["leader"]
    secret = _setup_page(client, user)
    response = client.post(reverse("totp_setup"), {"password": PASSWORD, "code": clock.code(secret)})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.totp_enabled and user.totp_secret == secret
    assert not events("login.failure")


def test_a_wrong_code_with_the_right_password_is_no_failed_login(world, client, clock) -> None:
    """A mistyped code of the new secret proves nothing about who is at the keyboard."""
    user = world.users["leader"]
    secret = _setup_page(client, user)
    response = client.post(reverse("totp_setup"), {"password": PASSWORD, "code": clock.wrong(secret)})
    assert response.status_code == 400
    assert "动态口令不正确" in response.content.decode()
    assert not events("login.failure")
