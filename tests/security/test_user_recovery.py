"""Helping a user back in: the administrator resets a lost TOTP device or reactivates an account."""

from __future__ import annotations

import pyotp
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from fanzha.core.models import User
from fanzha.core.services import organisations as user_services
from fanzha.core.views.auth import TOTP_SETUP_SECRET
from tests.personas import PASSWORD
from tests.security.helpers import Clock, events, logged_in_user_id, post_login


def _with_totp(user: User, clock: Clock) -> str:
    secret = pyotp.random_base32()
    user_services.user_totp_enable(actor=user, user=user, secret=secret, code=clock.code(secret))
    clock.tick(2)
    return secret


def _roles_page(client: Client, user: User) -> str:
    return client.get(reverse("user_edit_roles", kwargs={"pk": user.pk})).content.decode()


@pytest.mark.parametrize("persona", ["leader", "analyst", "police_cg", "auditor", "bank"])
def test_it_lets_only_administrators_reset_totp_or_reactivate(world, clock, persona: str) -> None:
    target = world.users["leader"] if persona != "leader" else world.users["analyst"]
    _with_totp(target, clock)
    User.objects.filter(pk=target.pk).update(is_active=False)
    target.refresh_from_db()
    with pytest.raises(PermissionDenied):
        user_services.user_totp_reset(actor=world.users[persona], user=target)
    with pytest.raises(PermissionDenied):
        user_services.user_reactivate(actor=world.users[persona], user=target)
    target.refresh_from_db()
    assert target.totp_enabled and not target.is_active
    assert not events("totp.reset") and not events("user.reactivate")


def test_it_resets_a_lost_totp_device_so_the_user_sets_it_up_again(world, client, clock) -> None:
    target = world.users["analyst"]
    _with_totp(target, clock)
    client.force_login(world.users["admin"])
    assert 'data-testid="totp-reset"' in _roles_page(client, target)
    response = client.post(reverse("user_totp_reset", kwargs={"pk": target.pk}))
    assert response["Location"] == reverse("user_edit_roles", kwargs={"pk": target.pk})
    target.refresh_from_db()
    assert not target.totp_enabled and target.totp_secret == "" and target.totp_last_step is None
    assert [(e.actor_id, e.object_id) for e in events("totp.reset")] == [
        (world.users["admin"].pk, str(target.pk))
    ]
    page = _roles_page(client, target)
    assert "须重新设置" in page and 'data-testid="totp-reset"' not in page
    user_client = Client()
    assert post_login(user_client, "analyst", PASSWORD)["Location"] == reverse("home")  # no code asked
    user_client.get(reverse("totp_setup"))
    assert TOTP_SETUP_SECRET in user_client.session  # the page offers a new secret
    _with_totp(User.objects.get(pk=target.pk), clock)  # and can set up the new phone
    assert User.objects.get(pk=target.pk).totp_enabled


def test_it_explains_why_a_totp_reset_was_refused(world, client) -> None:
    admin = world.users["admin"]
    client.force_login(admin)
    client.post(reverse("user_totp_reset", kwargs={"pk": world.users["leader"].pk}))
    assert "该用户未启用动态口令" in _roles_page(client, world.users["leader"])
    with pytest.raises(ValidationError):
        user_services.user_totp_reset(actor=admin, user=admin)
    assert not events("totp.reset")


def test_it_keeps_the_administrator_from_resetting_their_own_totp(world, client, clock) -> None:
    admin = world.users["admin"]
    _with_totp(admin, clock)
    client.force_login(admin)
    assert 'data-testid="totp-reset"' not in _roles_page(client, admin)
    client.post(reverse("user_totp_reset", kwargs={"pk": admin.pk}))
    admin.refresh_from_db()
    assert admin.totp_enabled
    assert "不能重置自己的动态口令" in _roles_page(client, admin)


def test_it_reactivates_a_deactivated_user(world, client) -> None:
    admin, target = world.users["admin"], world.users["grid_sq"]
    user_services.user_deactivate(actor=admin, user=target)
    assert post_login(Client(), "grid_sq", PASSWORD).status_code == 200  # refused while deactivated
    client.force_login(admin)
    page = _roles_page(client, target)
    assert (
        'data-testid="reactivate"' in page
        and reverse("user_deactivate", kwargs={"pk": target.pk}) not in page
    )
    response = client.post(reverse("user_reactivate", kwargs={"pk": target.pk}))
    assert response["Location"] == reverse("user_edit_roles", kwargs={"pk": target.pk})
    assert User.objects.get(pk=target.pk).is_active
    assert [(e.actor_id, e.object_id) for e in events("user.reactivate")] == [(admin.pk, str(target.pk))]
    assert "可以重新登录" in _roles_page(client, target)
    user_client = Client()
    assert post_login(user_client, "grid_sq", PASSWORD).status_code == 302
    assert logged_in_user_id(user_client) == str(target.pk)


def test_it_reactivates_once(world, client) -> None:
    admin, target = world.users["admin"], world.users["grid_sq"]
    assert user_services.user_reactivate(actor=admin, user=target) is False
    client.force_login(admin)
    client.post(reverse("user_reactivate", kwargs={"pk": target.pk}))
    assert "本来就是有效的" in _roles_page(client, target)
    assert not events("user.reactivate")


def test_it_answers_404_for_a_missing_user(world, client) -> None:
    client.force_login(world.users["admin"])
    for name in ["user_totp_reset", "user_reactivate"]:
        assert client.post(reverse(name, kwargs={"pk": 999999})).status_code == 404


def test_it_refuses_an_administrator_adding_roles_to_themselves(world) -> None:  # type: ignore[no-untyped-def]
    import pytest
    from django.core.exceptions import ValidationError

    from fanzha.core.models import User
    from fanzha.core.services import organisations as services

    admin = world.users["admin"]
    with pytest.raises(ValidationError) as refused:
        services.user_set_roles(actor=admin, user=admin, roles=["sysadmin", "centre_leader"])
    assert "不能给自己增加角色" in str(refused.value)
    assert User.objects.get(pk=admin.pk).role_codes == frozenset({"sysadmin"})
