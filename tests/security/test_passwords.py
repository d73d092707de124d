"""The MLPS 2.0 password profile, maximum age, forced change, and the password_change page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from fanzha.core import security
from fanzha.core.models import User
from fanzha.core.services import organisations as user_services
from tests.personas import PASSWORD
from tests.security.helpers import events, logged_in_user_id, post_login

NEW = "Xinmima#2026ok"


def _age_password(user: User, days: int) -> None:
    User.objects.filter(pk=user.pk).update(password_changed_at=timezone.now() - timedelta(days=days))


def _change(client, old: str = PASSWORD, new: str = NEW, repeat: str | None = None):  # type: ignore[no-untyped-def]
    data = {"old_password": old, "password": new, "password2": new if repeat is None else repeat}
    return client.post(reverse("password_change"), data)


def test_it_uses_the_mlps2_profile_by_default() -> None:
    assert settings.PASSWORD_POLICY == "mlps2"
    assert settings.PASSWORD_MIN_LENGTH == 8
    assert settings.PASSWORD_MAX_AGE_DAYS == 90
    names = [v["NAME"] for v in settings.AUTH_PASSWORD_VALIDATORS]
    assert "fanzha.core.passwords.CharacterClassValidator" in names


@pytest.mark.parametrize("password", ["abcdefg12", "ABCDEFG12", "abcdefgh!", "Ab1#xyz", "12345678"])
def test_it_rejects_passwords_outside_the_profile(password: str) -> None:
    with pytest.raises(ValidationError):
        validate_password(password)


@pytest.mark.parametrize("password", ["Qxwvbn7k", "qxwv7k#z", "QXWV7K#Z", "Qingxi#2026"])
def test_it_accepts_three_of_four_character_classes(password: str) -> None:
    validate_password(password)


def test_it_explains_the_rule_in_chinese() -> None:
    with pytest.raises(ValidationError) as caught:
        validate_password("abcdefghij12")
    assert "至少三类" in " ".join(caught.value.messages)


def test_it_sends_a_user_with_an_old_password_to_change_it(world, client) -> None:
    _age_password(world.users["grid_cd"], 91)
    response = post_login(client, "grid_cd", PASSWORD)
    assert response["Location"] == reverse("password_change")
    assert client.get(reverse("person_list"))["Location"] == reverse("password_change")
    page = client.get(reverse("password_change"))
    assert page.status_code == 200
    assert "超过 90 天" in page.content.decode()
    assert _change(client).status_code == 302
    assert client.get(reverse("person_list")).status_code == 200


def test_it_lets_a_user_with_a_recent_password_in(world, client) -> None:
    _age_password(world.users["grid_cd"], 89)
    assert post_login(client, "grid_cd", PASSWORD)["Location"] == reverse("home")
    assert client.get(reverse("person_list")).status_code == 200


def test_it_never_expires_passwords_when_the_maximum_age_is_zero(world, client, settings) -> None:
    settings.PASSWORD_MAX_AGE_DAYS = 0
    _age_password(world.users["grid_cd"], 3650)
    assert post_login(client, "grid_cd", PASSWORD)["Location"] == reverse("home")
    assert client.get(reverse("person_list")).status_code == 200


def test_it_enforces_the_change_on_sessions_already_open(world, client) -> None:
    client.force_login(world.users["police_cg"])
    _age_password(world.users["police_cg"], 120)
    assert client.get(reverse("home"))["Location"] == reverse("password_change")
    api = client.get(reverse("api:list_areas"))
    assert api.status_code == 403
    assert "密码" in api.json()["detail"]
    assert client.post(reverse("logout")).status_code == 302


def test_it_changes_the_password_through_the_service(world, client) -> None:
    user = world.users["police_lq"]
    _age_password(user, 100)
    client.force_login(user)
    assert _change(client).status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW)
    assert timezone.now() - user.password_changed_at < timedelta(minutes=1)
    assert [e.object_id for e in events("password.change")] == [str(user.pk)]
    assert logged_in_user_id(client) == str(user.pk)  # the session survives the change
    client.post(reverse("logout"))
    assert post_login(client, "police_lq", NEW)["Location"] == reverse("home")


@pytest.mark.parametrize(
    ("old", "new", "repeat", "message"),
    [
        ("Wrong#2026pass", NEW, None, "当前密码不正确"),
        (PASSWORD, "abcdefgh12", None, "至少三类"),
        (PASSWORD, "Ab1#", None, "8"),
        (PASSWORD, NEW, "Other#2026ok", "两次输入的密码不一致"),
        (PASSWORD, PASSWORD, None, "不能与当前密码相同"),
        (PASSWORD, "Police_lq2026", None, "相似"),
    ],
)
def test_it_refuses_bad_changes_in_chinese(world, client, old, new, repeat, message) -> None:  # type: ignore[no-untyped-def]
    user = world.users["police_lq"]
    client.force_login(user)
    response = _change(client, old, new, repeat)
    assert response.status_code == 400
    assert message in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    assert not events("password.change")


def test_it_forces_a_change_after_an_administrator_reset_even_without_expiry(world, client, settings) -> None:
    settings.PASSWORD_MAX_AGE_DAYS = 0
    user = world.users["grid_sq"]
    user_services.user_reset_password(actor=world.users["admin"], user=user, password="Linshi#2026pass")
    user.refresh_from_db()
    assert security.password_must_change(user)
    response = post_login(client, "grid_sq", "Linshi#2026pass")
    assert response["Location"] == reverse("password_change")
    assert "临时密码" in client.get(reverse("password_change")).content.decode()
    assert _change(client, "Linshi#2026pass").status_code == 302
    user.refresh_from_db()
    assert not security.password_must_change(user)
