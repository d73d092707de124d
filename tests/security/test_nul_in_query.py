"""A NUL character in a link's query string is refused with 400 on every page and API: PostgreSQL cannot
hold one in a text value, so the warning and case lists passed the filter on and failed with a server
error (found by the demo crawl on PostgreSQL)."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from tests.personas import World, login


@pytest.mark.parametrize(
    "query", [{"q": "a\x00b"}, {"area": "\x00"}, {"page": "1\x00"}, {"status\x00": "open"}]
)
@pytest.mark.parametrize("name", ["warning_list", "case_list"])
def test_a_nul_in_the_query_is_a_bad_request(
    world: World, client: Any, name: str, query: dict[str, str]
) -> None:
    login(client, world.users["leader"])
    response = client.get(reverse(name), query)
    assert response.status_code == 400
    assert response["X-Content-Type-Options"] == "nosniff"  # answered inside the security headers


def test_a_nul_in_an_api_query_is_answered_in_json(world: World, client: Any) -> None:
    login(client, world.users["leader"])
    response = client.get("/api/warnings/feedback", {"since": "2026-11-01\x00"})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/")


def test_a_query_without_nul_is_served(world: World, client: Any) -> None:
    login(client, world.users["leader"])
    assert client.get(reverse("warning_list"), {"q": "ab"}).status_code == 200
