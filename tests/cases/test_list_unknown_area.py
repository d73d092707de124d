"""The case list filtered by an area that does not exist lists nothing: it matched the area paths against a
NUL character, which PostgreSQL refuses in a text value, and the page failed there with a server error
(found by the demo crawl on PostgreSQL; SQLite took the NUL)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from tests.personas import World, login


def test_an_area_that_does_not_exist_lists_no_case(world: World, client: Any) -> None:
    login(client, world.users["leader"])
    for area in ("99999999", "99999999999999999999"):
        response = client.get(reverse("case_list"), {"area": area})
        assert response.status_code == 200
        assert list(response.context["page"]) == []
