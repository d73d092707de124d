"""Session limits: 30 minutes idle, 12 hours after login; the stored timestamps stand in for the clock."""

from __future__ import annotations

import time

from django.urls import reverse

from fanzha.core import security
from tests.personas import PASSWORD
from tests.security.helpers import events, logged_in_user_id, post_login

MINUTE = 60
HOUR = 3600


def _shift(client, *, login_ago: float, seen_ago: float) -> None:  # type: ignore[no-untyped-def]
    session = client.session
    now = time.time()
    session[security.LOGIN_AT] = now - login_ago
    session[security.LAST_SEEN] = now - seen_ago
    session.save()


def _logged_in(client, world, who: str = "police_cg"):  # type: ignore[no-untyped-def]
    assert post_login(client, who, PASSWORD).status_code == 302
    return world.users[who]


def test_it_stamps_the_login_time(world, client) -> None:
    before = time.time()
    _logged_in(client, world)
    assert client.session[security.LOGIN_AT] >= before
    assert client.session[security.LAST_SEEN] >= before


def test_it_keeps_a_session_used_within_thirty_minutes(world, client) -> None:
    _logged_in(client, world)
    _shift(client, login_ago=2 * HOUR, seen_ago=29 * MINUTE)
    assert client.get(reverse("home")).status_code == 200
    assert time.time() - client.session[security.LAST_SEEN] < MINUTE  # activity moves the idle clock


def test_it_ends_a_session_idle_for_more_than_thirty_minutes(world, client) -> None:
    user = _logged_in(client, world)
    _shift(client, login_ago=HOUR, seen_ago=31 * MINUTE)
    response = client.get(reverse("person_list"))
    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert logged_in_user_id(client) is None
    expired = events("session.expired")
    assert [(e.actor_id, e.details) for e in expired] == [(user.pk, {"reason": "idle"})]
    assert "会话已超时" in client.get(reverse("login")).content.decode()
    assert "会话已超时" not in client.get(reverse("login")).content.decode()  # shown once


def test_it_ends_a_session_twelve_hours_after_login_despite_activity(world, client) -> None:
    _logged_in(client, world)
    _shift(client, login_ago=12 * HOUR - MINUTE, seen_ago=MINUTE)
    assert client.get(reverse("home")).status_code == 200
    _shift(client, login_ago=12 * HOUR + MINUTE, seen_ago=MINUTE)
    assert client.get(reverse("home")).status_code == 302
    assert logged_in_user_id(client) is None
    assert events("session.expired")[0].details == {"reason": "absolute"}


def test_it_tells_htmx_to_reload_the_whole_page(world, client) -> None:
    _logged_in(client, world)
    _shift(client, login_ago=HOUR, seen_ago=HOUR)
    response = client.get(reverse("home"), HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert response["HX-Redirect"] == reverse("login")


def test_it_follows_the_configured_limits(world, client, settings) -> None:
    settings.SESSION_IDLE_TIMEOUT = 5 * MINUTE
    _logged_in(client, world)
    _shift(client, login_ago=10 * MINUTE, seen_ago=6 * MINUTE)
    assert client.get(reverse("home")).status_code == 302


def test_it_starts_the_clocks_for_sessions_made_elsewhere(world, client) -> None:
    client.force_login(world.users["grid_cd"])
    assert client.get(reverse("home")).status_code == 200
    assert security.LOGIN_AT in client.session
