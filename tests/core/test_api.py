"""The JSON API: documentation behind login, served locally; paging parameters are clamped."""

from __future__ import annotations

import re


def test_it_keeps_the_api_documentation_behind_login(world, client) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/api/docs").status_code == 302
    assert client.get("/api/openapi.json").status_code == 302
    client.force_login(world.users["analyst"])
    docs = client.get("/api/docs")
    assert docs.status_code == 200
    assert not re.search(r"""(src|href)=["']https?://""", docs.content.decode()), (
        "docs load from another host"
    )
    assert "/api/people" in client.get("/api/openapi.json").content.decode()


def test_it_clamps_a_negative_offset(world, client) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.users["leader"])
    response = client.get("/api/people", {"offset": -5, "limit": 100000})
    assert response.status_code == 200
    assert len(response.json()) == 2


def test_it_answers_a_malformed_parameter_in_chinese_without_echoing_it(world, client) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.users["leader"])
    response = client.get("/api/people", {"limit": "13905717777x", "offset": "2.5"})
    assert response.status_code == 422
    assert response.json() == {
        "code": "invalid_parameter",
        "detail": "参数格式不正确：limit（应为整数）、offset（应为整数）",
    }
    assert "13905717777" not in response.content.decode()
