"""The optional TOTP second factor: enabling, disabling, and the two-step login."""

from __future__ import annotations

import time

import pyotp
import pytest
from axes.models import AccessAttempt
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.urls import reverse

from fanzha.core import security
from fanzha.core.models import User
from fanzha.core.services import organisations as user_services
from fanzha.core.views.auth import TOTP_SETUP_SECRET
from tests.personas import PASSWORD
from tests.security.helpers import WRONG, Clock, events, logged_in_user_id, post_login

pytestmark = pytest.mark.usefixtures("clock")


def _enable(user: User, clock: Clock) -> str:
    """TOTP on, as if set up a minute ago (the enabling code is used up)."""
    secret = pyotp.random_base32()
    user_services.user_totp_enable(actor=user, user=user, secret=secret, code=clock.code(secret))
    clock.tick(2)
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


def test_it_enables_totp_with_a_correct_code(world, client, clock) -> None:
    user = world.users["leader"]
    client.force_login(user)
    client.get(reverse("totp_setup"))
    secret = client.session[TOTP_SETUP_SECRET]
    response = client.post(reverse("totp_setup"), {"password": PASSWORD, "code": clock.code(secret)})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.totp_enabled and user.totp_secret == secret
    with connection.cursor() as cursor:
        cursor.execute("SELECT totp_secret FROM core_user WHERE id = %s", [user.pk])
        assert secret not in cursor.fetchone()[0]  # stored encrypted
    assert [e.actor_id for e in events("totp.enable")] == [user.pk]
    assert TOTP_SETUP_SECRET not in client.session
    assert "已启用" in client.get(reverse("totp_setup")).content.decode()


def test_it_refuses_a_wrong_code_when_enabling(world, client, clock) -> None:
    user = world.users["leader"]
    client.force_login(user)
    client.get(reverse("totp_setup"))
    secret = client.session[TOTP_SETUP_SECRET]
    response = client.post(reverse("totp_setup"), {"password": PASSWORD, "code": clock.wrong(secret)})
    assert response.status_code == 400
    assert "动态口令不正确" in response.content.decode()
    user.refresh_from_db()
    assert not user.totp_enabled
    assert not events("totp.enable")


def test_it_offers_totp_only_to_centre_roles_and_administrators(world, clock) -> None:
    allowed = {name for name, user in world.users.items() if security.totp_allowed(user)}
    assert allowed == {"leader", "analyst", "admin"}
    grid = world.users["grid_cd"]
    with pytest.raises(PermissionDenied):
        user_services.user_totp_enable(actor=grid, user=grid, secret="JBSWY3DPEHPK3PXP", code="123456")
    with pytest.raises(PermissionDenied):
        _enable_for_other(world, clock)


def _enable_for_other(world, clock) -> None:  # type: ignore[no-untyped-def]
    admin, leader = world.users["admin"], world.users["leader"]
    secret = pyotp.random_base32()
    user_services.user_totp_enable(actor=admin, user=leader, secret=secret, code=clock.code(secret))


def test_it_logs_in_without_a_code_when_totp_is_off(world, client) -> None:
    response = post_login(client, "leader", PASSWORD)
    assert response["Location"] == reverse("home")
    assert logged_in_user_id(client) == str(world.users["leader"].pk)


def test_it_asks_for_the_code_after_the_password(world, client, clock) -> None:
    user = world.users["leader"]
    secret = _enable(user, clock)
    response = post_login(client, "leader", PASSWORD)
    assert response["Location"] == reverse("login_totp")
    assert str(user.pk) not in response["Location"]
    assert logged_in_user_id(client) is None
    assert client.session[security.PENDING]["id"] == user.pk
    assert client.get(reverse("home")).status_code == 302
    assert client.get(reverse("login_totp")).status_code == 200
    done = _code(client, clock.code(secret))
    assert done["Location"] == reverse("home")
    assert logged_in_user_id(client) == str(user.pk)
    assert security.PENDING not in client.session
    assert [e.actor_id for e in events("login.success")] == [user.pk]


def test_it_keeps_the_next_address_through_the_second_step(world, client, clock) -> None:
    secret = _enable(world.users["analyst"], clock)
    client.post(reverse("login") + "?next=/people/", {"username": "analyst", "password": PASSWORD})
    assert _code(client, clock.code(secret))["Location"] == "/people/"


def test_it_refuses_a_wrong_code_and_counts_it(world, client, clock) -> None:
    secret = _enable(world.users["leader"], clock)
    post_login(client, "leader", PASSWORD)
    response = _code(client, clock.wrong(secret))
    assert response.status_code == 200
    assert "动态口令不正确" in response.content.decode()
    assert logged_in_user_id(client) is None
    assert events("login.failure")[-1].details == {"username": "leader", "step": "totp"}
    assert not events("login.success")


def test_it_locks_after_five_wrong_codes(world, client, clock) -> None:
    secret = _enable(world.users["leader"], clock)
    post_login(client, "leader", PASSWORD)
    statuses = [_code(client, clock.wrong(secret), ip=f"10.5.5.{i}").status_code for i in range(5)]
    assert statuses == [200, 200, 200, 200, 429]
    assert len(events("login.locked")) == 1
    assert post_login(client, "leader", PASSWORD, ip="10.6.6.6").status_code == 429
    assert logged_in_user_id(client) is None


def test_it_forgets_a_pending_login_after_five_minutes(world, client, clock) -> None:
    secret = _enable(world.users["leader"], clock)
    post_login(client, "leader", PASSWORD)
    session = client.session
    pending = session[security.PENDING]
    pending["at"] = time.time() - security.TOTP_PENDING_SECONDS - 1
    session[security.PENDING] = pending
    session.save()
    assert _code(client, clock.code(secret))["Location"] == reverse("login")
    assert logged_in_user_id(client) is None


def test_it_sends_a_visitor_without_a_pending_login_back(world, client) -> None:
    assert client.get(reverse("login_totp"))["Location"] == reverse("login")
    assert _code(client, "123456")["Location"] == reverse("login")


def test_it_disables_totp_with_a_correct_code_only(world, client, clock) -> None:
    user = world.users["admin"]
    secret = _enable(user, clock)
    client.force_login(user)
    wrong = client.post(reverse("totp_disable"), {"code": clock.wrong(secret)})
    assert wrong.status_code == 400
    user.refresh_from_db()
    assert user.totp_enabled
    assert client.post(reverse("totp_disable"), {"code": clock.code(secret)}).status_code == 302
    user.refresh_from_db()
    assert not user.totp_enabled and user.totp_secret == ""
    assert [e.actor_id for e in events("totp.disable")] == [user.pk]
    client.post(reverse("logout"))
    assert post_login(client, "admin", PASSWORD)["Location"] == reverse("home")


def test_it_refuses_to_enable_twice(world, clock) -> None:
    user = world.users["analyst"]
    _enable(user, clock)
    with pytest.raises(ValidationError):
        _enable(user, clock)


def test_it_rejects_malformed_codes(clock) -> None:
    secret = pyotp.random_base32()
    assert security.totp_verify(secret, clock.code(secret))
    for code in ["", "12345", "1234567", "abcdef"]:
        assert not security.totp_verify(secret, code)
    assert not security.totp_verify("", "123456")


def test_it_still_needs_the_password_first(world, client, clock) -> None:
    _enable(world.users["leader"], clock)
    assert post_login(client, "leader", WRONG).status_code == 200
    assert security.PENDING not in client.session


def _logged_in_with(client, code: str) -> bool:  # type: ignore[no-untyped-def]
    """A fresh password step, then ``code``: did the login complete?"""
    client.post(reverse("logout"))
    assert post_login(client, "leader", PASSWORD)["Location"] == reverse("login_totp")
    return _code(client, code).status_code == 302 and logged_in_user_id(client) is not None


def test_it_refuses_the_same_code_twice_and_counts_the_replay(world, client, clock) -> None:
    user = world.users["leader"]
    secret = _enable(user, clock)
    code = clock.code(secret)
    assert _logged_in_with(client, code)
    user.refresh_from_db()
    assert user.totp_last_step == pyotp.TOTP(secret).timecode(clock.now)
    assert not _logged_in_with(client, code)
    page = _code(client, code).content.decode()
    assert "已使用过" in page
    assert [e.details for e in events("login.failure")] == [{"username": "leader", "step": "totp"}] * 2
    assert AccessAttempt.objects.get(username="leader").failures_since_start == 2
    clock.tick()
    assert _logged_in_with(client, clock.code(secret))


def test_it_refuses_an_earlier_step_once_a_later_one_was_used(world, client, clock) -> None:
    secret = _enable(world.users["leader"], clock)
    assert _logged_in_with(client, clock.code(secret, offset=1))  # phone clock a little ahead
    assert not _logged_in_with(client, clock.code(secret))  # still inside the window, but older
    clock.tick(2)
    assert _logged_in_with(client, clock.code(secret))


def test_it_refuses_the_code_that_turned_totp_on(world, client, clock) -> None:
    user = world.users["leader"]
    secret = pyotp.random_base32()
    user_services.user_totp_enable(actor=user, user=user, secret=secret, code=clock.code(secret))
    assert not _logged_in_with(client, clock.code(secret))
    clock.tick()
    assert _logged_in_with(client, clock.code(secret))


def test_it_lets_only_one_of_two_simultaneous_logins_use_a_code(world, clock) -> None:
    secret = _enable(world.users["leader"], clock)
    first, second = User.objects.get(username="leader"), User.objects.get(username="leader")
    code = clock.code(secret)
    assert security.totp_consume(first, code)
    assert second.totp_last_step == first.totp_last_step - 2  # the second request's copy is stale
    assert not security.totp_consume(second, code)  # the database decides, not the stale copy
    assert User.objects.get(pk=first.pk).totp_last_step == first.totp_last_step


def test_it_refuses_to_disable_with_the_code_just_used_to_log_in(world, client, clock) -> None:
    user = world.users["leader"]
    secret = _enable(user, clock)
    code = clock.code(secret)
    assert _logged_in_with(client, code)
    assert client.post(reverse("totp_disable"), {"code": code}).status_code == 400
    user.refresh_from_db()
    assert user.totp_enabled
    clock.tick()
    assert client.post(reverse("totp_disable"), {"code": clock.code(secret)}).status_code == 302
    user.refresh_from_db()
    assert not user.totp_enabled and user.totp_last_step is None
