"""What a stolen session alone must not do to its own account: set a new password without the current
one, or guess the TOTP code that turns the second factor off."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from fanzha.core import security
from fanzha.core.services import organisations as user_services
from tests.personas import PASSWORD
from tests.security.helpers import events, post_login

TAKEN = "Taken#Over2026"


def test_it_refuses_an_administrator_resetting_their_own_password(world) -> None:
    admin = world.users["admin"]
    with pytest.raises(ValidationError) as caught:
        user_services.user_reset_password(actor=admin, user=admin, password=TAKEN)
    assert "修改密码" in caught.value.message_dict["password"][0]
    admin.refresh_from_db()
    assert admin.check_password(PASSWORD)
    assert not events("user.password_reset")


def test_it_offers_no_reset_form_on_the_administrators_own_page(world, client) -> None:
    admin = world.users["admin"]
    client.force_login(admin)
    url = reverse("user_reset_password", kwargs={"pk": admin.pk})
    own_page = client.get(reverse("user_edit_roles", kwargs={"pk": admin.pk})).content.decode()
    assert url not in own_page
    assert reverse("password_change") in own_page
    refused = client.post(url, {"password": TAKEN, "password2": TAKEN})
    assert refused.status_code == 400
    assert "当前密码" in refused.content.decode()
    admin.refresh_from_db()
    assert admin.check_password(PASSWORD)


def _with_totp(world, client, clock):  # type: ignore[no-untyped-def]
    leader = world.users["leader"]
    secret = security.totp_new_secret()
    user_services.user_totp_enable(actor=leader, user=leader, secret=secret, code=clock.code(secret))
    clock.tick(3)
    client.force_login(leader)
    return leader, secret


def test_it_counts_a_wrong_code_on_the_disable_page_as_a_failed_login(world, client, clock) -> None:
    _, secret = _with_totp(world, client, clock)
    response = client.post(reverse("totp_disable"), {"code": clock.wrong(secret)})
    assert response.status_code == 400
    assert [e.details["step"] for e in events("login.failure")] == ["totp_disable"]


def test_it_ends_the_session_after_five_wrong_codes_on_the_disable_page(world, client, clock) -> None:
    leader, secret = _with_totp(world, client, clock)
    for _ in range(4):
        assert client.post(reverse("totp_disable"), {"code": clock.wrong(secret)}).status_code == 400
    locked = client.post(reverse("totp_disable"), {"code": clock.wrong(secret)})
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session
    assert len(events("login.locked")) == 1
    leader.refresh_from_db()
    assert leader.totp_enabled
    # Even with the phone's code and the password, the locked account waits out the lock.
    assert post_login(client, "leader", PASSWORD, ip="10.0.0.9").status_code == 429
