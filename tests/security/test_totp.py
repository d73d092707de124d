"""The optional TOTP second factor: enabling, disabling, and the two-step login."""

from __future__ import annotations

import time

import pyotp
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.urls import reverse

from fanzha.core import security
from fanzha.core.models import User
from fanzha.core.services import organisations as user_services
from fanzha.core.views.auth import TOTP_SETUP_SECRET
from tests.personas import PASSWORD
from tests.security.helpers import WRONG, events, logged_in_user_id, post_login


def _wrong(secret: str) -> str:
    """A well-formed code that is not valid now (nor in the neighbouring steps)."""
    totp = pyotp.TOTP(secret)
    return next(c for c in ("000000", "111111", "222222") if not totp.verify(c, valid_window=1))


def _enable(user: User) -> str:
    secret = pyotp.random_base32()
    user_services.user_totp_enable(actor=user, user=user, secret=secret, code=pyotp.TOTP(secret).now())
    return secret


def _code(client, code: str, ip: str = "10.0.0.1"):  # type: ignore[no-untyped-def]
    return client.post(reverse("login_totp"), {"code": code}, REMOTE_ADDR=ip)


def test_it_shows_a_secret_and_an_otpauth_address_without_outside_services(world, client) -> None:
    client.force_login(world.users["analyst"])
    page = client.get(reverse("totp_setup")).content.decode()
    secret = client.session[TOTP_SETUP_SECRET]
    assert security.totp_secret_display(secret) in page
    assert "otpauth://totp/fanzha:analyst?secret=" + secret in page.replace("&amp;", "&")
    assert "http://" not in page.split("<main")[1] and "https://" not in page.split("<main")[1]
    assert client.get(reverse("totp_setup")).content.decode().count(security.totp_secret_display(secret)) == 1


def test_it_enables_totp_with_a_correct_code(world, client) -> None:
    user = world.users["leader"]
    client.force_login(user)
    client.get(reverse("totp_setup"))
    secret = client.session[TOTP_SETUP_SECRET]
    response = client.post(reverse("totp_setup"), {"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.totp_enabled and user.totp_secret == secret
    with connection.cursor() as cursor:
        cursor.execute("SELECT totp_secret FROM core_user WHERE id = %s", [user.pk])
        assert secret not in cursor.fetchone()[0]  # stored encrypted
    assert [e.actor_id for e in events("totp.enable")] == [user.pk]
    assert TOTP_SETUP_SECRET not in client.session
    assert "已启用" in client.get(reverse("totp_setup")).content.decode()


def test_it_refuses_a_wrong_code_when_enabling(world, client) -> None:
    user = world.users["leader"]
    client.force_login(user)
    client.get(reverse("totp_setup"))
    secret = client.session[TOTP_SETUP_SECRET]
    response = client.post(reverse("totp_setup"), {"code": _wrong(secret)})
    assert response.status_code == 400
    assert "动态口令不正确" in response.content.decode()
    user.refresh_from_db()
    assert not user.totp_enabled
    assert not events("totp.enable")


def test_it_offers_totp_only_to_centre_roles_and_administrators(world) -> None:
    allowed = {name for name, user in world.users.items() if security.totp_allowed(user)}
    assert allowed == {"leader", "analyst", "admin"}
    grid = world.users["grid_cd"]
    with pytest.raises(PermissionDenied):
        user_services.user_totp_enable(actor=grid, user=grid, secret="JBSWY3DPEHPK3PXP", code="123456")
    with pytest.raises(PermissionDenied):
        _enable_for_other(world)


def _enable_for_other(world) -> None:  # type: ignore[no-untyped-def]
    admin, leader = world.users["admin"], world.users["leader"]
    secret = pyotp.random_base32()
    user_services.user_totp_enable(actor=admin, user=leader, secret=secret, code=pyotp.TOTP(secret).now())


def test_it_logs_in_without_a_code_when_totp_is_off(world, client) -> None:
    response = post_login(client, "leader", PASSWORD)
    assert response["Location"] == reverse("home")
    assert logged_in_user_id(client) == str(world.users["leader"].pk)


def test_it_asks_for_the_code_after_the_password(world, client) -> None:
    user = world.users["leader"]
    secret = _enable(user)
    response = post_login(client, "leader", PASSWORD)
    assert response["Location"] == reverse("login_totp")
    assert str(user.pk) not in response["Location"]
    assert logged_in_user_id(client) is None
    assert client.session[security.PENDING]["id"] == user.pk
    assert client.get(reverse("home")).status_code == 302
    assert client.get(reverse("login_totp")).status_code == 200
    done = _code(client, pyotp.TOTP(secret).now())
    assert done["Location"] == reverse("home")
    assert logged_in_user_id(client) == str(user.pk)
    assert security.PENDING not in client.session
    assert [e.actor_id for e in events("login.success")] == [user.pk]


def test_it_keeps_the_next_address_through_the_second_step(world, client) -> None:
    secret = _enable(world.users["analyst"])
    client.post(reverse("login") + "?next=/people/", {"username": "analyst", "password": PASSWORD})
    assert _code(client, pyotp.TOTP(secret).now())["Location"] == "/people/"


def test_it_refuses_a_wrong_code_and_counts_it(world, client) -> None:
    secret = _enable(world.users["leader"])
    post_login(client, "leader", PASSWORD)
    response = _code(client, _wrong(secret))
    assert response.status_code == 200
    assert "动态口令不正确" in response.content.decode()
    assert logged_in_user_id(client) is None
    assert events("login.failure")[-1].details == {"username": "leader", "step": "totp"}
    assert not events("login.success")


def test_it_locks_after_five_wrong_codes(world, client) -> None:
    secret = _enable(world.users["leader"])
    post_login(client, "leader", PASSWORD)
    statuses = [_code(client, _wrong(secret), ip=f"10.5.5.{i}").status_code for i in range(5)]
    assert statuses == [200, 200, 200, 200, 429]
    assert len(events("login.locked")) == 1
    assert post_login(client, "leader", PASSWORD, ip="10.6.6.6").status_code == 429
    assert logged_in_user_id(client) is None


def test_it_forgets_a_pending_login_after_five_minutes(world, client) -> None:
    secret = _enable(world.users["leader"])
    post_login(client, "leader", PASSWORD)
    session = client.session
    pending = session[security.PENDING]
    pending["at"] = time.time() - security.TOTP_PENDING_SECONDS - 1
    session[security.PENDING] = pending
    session.save()
    assert _code(client, pyotp.TOTP(secret).now())["Location"] == reverse("login")
    assert logged_in_user_id(client) is None


def test_it_sends_a_visitor_without_a_pending_login_back(world, client) -> None:
    assert client.get(reverse("login_totp"))["Location"] == reverse("login")
    assert _code(client, "123456")["Location"] == reverse("login")


def test_it_disables_totp_with_a_correct_code_only(world, client) -> None:
    user = world.users["admin"]
    secret = _enable(user)
    client.force_login(user)
    wrong = client.post(reverse("totp_disable"), {"code": _wrong(secret)})
    assert wrong.status_code == 400
    user.refresh_from_db()
    assert user.totp_enabled
    assert client.post(reverse("totp_disable"), {"code": pyotp.TOTP(secret).now()}).status_code == 302
    user.refresh_from_db()
    assert not user.totp_enabled and user.totp_secret == ""
    assert [e.actor_id for e in events("totp.disable")] == [user.pk]
    client.post(reverse("logout"))
    assert post_login(client, "admin", PASSWORD)["Location"] == reverse("home")


def test_it_refuses_to_enable_twice(world) -> None:
    user = world.users["analyst"]
    _enable(user)
    with pytest.raises(ValidationError):
        _enable(user)


def test_it_rejects_malformed_codes() -> None:
    secret = pyotp.random_base32()
    assert security.totp_verify(secret, pyotp.TOTP(secret).now())
    for code in ["", "12345", "1234567", "abcdef"]:
        assert not security.totp_verify(secret, code)
    assert not security.totp_verify("", "123456")


def test_it_still_needs_the_password_first(world, client) -> None:
    _enable(world.users["leader"])
    assert post_login(client, "leader", WRONG).status_code == 200
    assert security.PENDING not in client.session
