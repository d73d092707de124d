"""A page that refreshes itself (the live board, 实时看板) does not keep its session alive: its polls are
answered while the session is valid, but only a person's own request moves the idle clock."""

from __future__ import annotations

import re
import time

from django.urls import reverse

from fanzha.core import security
from tests.personas import PASSWORD
from tests.security.helpers import events, logged_in_user_id, post_login

POLL_HEADER = "X-Fanzha-Poll"  # set by the polling element's hx-headers
POLL_META = "HTTP_X_FANZHA_POLL"
MINUTE = 60
HOUR = 3600


def _logged_in(client, world, who: str = "leader"):  # type: ignore[no-untyped-def]
    assert post_login(client, who, PASSWORD).status_code == 302
    return world.users[who]


def _shift(client, *, seen_ago: float) -> float:  # type: ignore[no-untyped-def]
    """The last activity ``seen_ago`` seconds back; returns that time."""
    session = client.session
    now = time.time()
    session[security.LOGIN_AT] = now - HOUR
    session[security.LAST_SEEN] = now - seen_ago
    session.save()
    return now - seen_ago


def _age(client, seconds: float) -> None:  # type: ignore[no-untyped-def]
    """``seconds`` pass: the session's login and last activity move that far into the past."""
    session = client.session
    session[security.LOGIN_AT] -= seconds
    session[security.LAST_SEEN] -= seconds
    session.save()


def _poll(client):  # type: ignore[no-untyped-def]
    """What htmx sends every 30 s from the board page (its hx-headers merged with the body's)."""
    return client.get(reverse("warning_board"), HTTP_HX_REQUEST="true", **{POLL_META: "1"})


def test_the_board_marks_its_refresh_as_a_poll(world, client) -> None:
    _logged_in(client, world)
    page = client.get(reverse("warning_board")).content.decode()
    polling = re.search(r"<div[^>]*hx-trigger=\"every 30s\"[^>]*>", page)
    assert polling is not None
    assert POLL_HEADER in polling.group().replace("&quot;", '"')


def test_a_poll_is_answered_without_moving_the_idle_clock(world, client) -> None:
    _logged_in(client, world)
    seen = _shift(client, seen_ago=29 * MINUTE)
    response = _poll(client)
    assert response.status_code == 200
    assert client.session[security.LAST_SEEN] == seen


def test_polls_alone_end_the_session_after_the_idle_limit(world, client) -> None:
    user = _logged_in(client, world)
    _shift(client, seen_ago=29 * MINUTE)
    assert _poll(client).status_code == 200
    _age(client, 2 * MINUTE)  # two more minutes of nothing but polls: 31 minutes idle
    response = _poll(client)
    assert response.status_code == 204
    assert response["HX-Redirect"] == reverse("login")
    assert logged_in_user_id(client) is None
    assert [(e.actor_id, e.details) for e in events("session.expired")] == [(user.pk, {"reason": "idle"})]


def test_a_person_opening_a_page_still_moves_the_idle_clock(world, client) -> None:
    _logged_in(client, world)
    seen = _shift(client, seen_ago=29 * MINUTE)
    assert client.get(reverse("warning_board"), HTTP_HX_REQUEST="true").status_code == 200
    assert client.session[security.LAST_SEEN] > seen + 28 * MINUTE


def test_a_post_marked_as_a_poll_still_counts_as_activity(world, client) -> None:
    """Only a GET can be a poll: an action is the person's, whatever header it carries."""
    _logged_in(client, world)
    seen = _shift(client, seen_ago=29 * MINUTE)
    client.post(reverse("warning_board"), HTTP_HX_REQUEST="true", **{POLL_META: "1"})
    assert client.session[security.LAST_SEEN] > seen + 28 * MINUTE


def test_every_self_refreshing_element_marks_its_requests_as_polls() -> None:
    """The board, and a running import's, job's or number run's status: none keeps a session alive."""
    from pathlib import Path

    import fanzha

    source = Path(fanzha.__file__).parent
    polling = [
        (path.name, tag)
        for path in source.rglob("*.html")
        if "vendor" not in path.parts
        for tag in re.findall(r"<[^>]*hx-trigger=\"every [^>]*>", path.read_text(encoding="utf-8"))
    ]
    assert len(polling) >= 4
    assert [name for name, tag in polling if POLL_HEADER not in tag] == []
