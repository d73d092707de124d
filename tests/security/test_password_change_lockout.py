"""A wrong current password on the password-change page counts as a failed login (django-axes)."""

from __future__ import annotations

from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse

from fanzha.core.models import User
from tests.personas import PASSWORD
from tests.security.helpers import WRONG, events, logged_in_user_id, post_login

NEW = "Xinmima#2026ok"


def _change(client: Client, old: str, ip: str = "10.7.7.7"):  # type: ignore[no-untyped-def]
    data = {"old_password": old, "password": NEW, "password2": NEW}
    return client.post(reverse("password_change"), data, REMOTE_ADDR=ip)


def test_it_counts_a_wrong_current_password_as_a_failed_login(world, client) -> None:
    client.force_login(world.users["grid_cd"])
    response = _change(client, WRONG)
    assert response.status_code == 400
    assert "当前密码不正确" in response.content.decode()
    assert events("login.failure")[-1].details == {"username": "grid_cd", "step": "password_change"}
    attempt = AccessAttempt.objects.get(username="grid_cd")
    assert attempt.failures_since_start == 1
    assert WRONG not in attempt.post_data and NEW not in attempt.post_data
    assert logged_in_user_id(client) == str(world.users["grid_cd"].pk)


def test_it_locks_the_account_after_five_wrong_current_passwords(world, client) -> None:
    user = world.users["grid_cd"]
    client.force_login(user)
    statuses = [_change(client, WRONG, ip=f"10.7.7.{i}").status_code for i in range(5)]
    assert statuses == [400, 400, 400, 400, 429]
    assert len(events("login.locked")) == 1
    assert logged_in_user_id(client) is None  # the session ends with the lock
    assert post_login(Client(), "grid_cd", PASSWORD, ip="10.8.8.8").status_code == 429
    assert User.objects.get(pk=user.pk).check_password(PASSWORD)


def test_it_refuses_a_change_while_the_account_is_locked(world, client) -> None:
    client.force_login(world.users["grid_cd"])  # (a login clears earlier failures)
    for i in range(5):
        post_login(Client(), "grid_cd", WRONG, ip=f"10.9.9.{i}")  # someone else locks the username
    assert _change(client, PASSWORD, ip="10.8.8.8").status_code == 429
    assert User.objects.get(username="grid_cd").check_password(PASSWORD)
    assert logged_in_user_id(client) is None


def test_it_does_not_count_other_mistakes(world, client) -> None:
    client.force_login(world.users["grid_cd"])
    data = {"old_password": PASSWORD, "password": NEW, "password2": NEW + "x"}
    assert client.post(reverse("password_change"), data).status_code == 400
    assert not AccessAttempt.objects.exists() and not events("login.failure")
    assert _change(client, PASSWORD).status_code == 302
