"""Chinese error pages: 404 alike for missing and out-of-scope records, 403 without the permission, 500."""

from __future__ import annotations

import re

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse
from django.views.defaults import server_error

from tests.personas import login

NOT_FOUND = "页面不存在，或您无权查看"
FORBIDDEN = "您的角色无权执行此操作"
# A masked CSRF token differs on every render; it is the only part allowed to differ.
CSRF_TOKEN = re.compile(r"\b[A-Za-z0-9]{64}\b")


def body_without_csrf(response) -> str:  # type: ignore[no-untyped-def]
    return CSRF_TOKEN.sub("<csrf>", response.content.decode())


@pytest.fixture(autouse=True)
def no_debug(settings) -> None:  # type: ignore[no-untyped-def]
    settings.DEBUG = False  # the technical pages appear with DEBUG on; users see these


def test_it_answers_out_of_scope_and_missing_records_with_the_same_page(world, client) -> None:  # type: ignore[no-untyped-def]
    login(client, world.users["grid_cd"])
    other_village = client.get(reverse("person_detail", kwargs={"pk": world.people["shiqiao"].pk}))
    missing = client.get(reverse("person_detail", kwargs={"pk": 987654321}))
    assert other_village.status_code == missing.status_code == 404
    assert NOT_FOUND in other_village.content.decode()
    assert "李建国" not in other_village.content.decode()
    assert body_without_csrf(other_village) == body_without_csrf(missing)
    assert reverse("home") in other_village.content.decode()


def test_it_answers_an_unknown_address_with_the_chinese_page(world, client) -> None:  # type: ignore[no-untyped-def]
    response = login(client, world.users["leader"]).get("/no-such-page/")
    assert response.status_code == 404
    assert NOT_FOUND in response.content.decode()
    assert "no-such-page" not in response.content.decode()


def test_it_refuses_a_role_without_saying_which_permission_is_missing(world, client) -> None:  # type: ignore[no-untyped-def]
    response = login(client, world.users["bank"]).get(reverse("person_list"))
    assert response.status_code == 403
    page = response.content.decode()
    assert FORBIDDEN in page
    assert f'href="{reverse("home")}"' in page
    assert "person.view" not in page and "查看辖区内人员" not in page


def test_it_answers_api_not_found_in_chinese_for_missing_and_out_of_scope(world, client) -> None:  # type: ignore[no-untyped-def]
    login(client, world.users["grid_cd"])
    for person_id in (world.people["shiqiao"].pk, 987654321):
        response = client.get(reverse("api:get_person", kwargs={"person_id": person_id}))
        assert response.status_code == 404
        assert response.json() == {"code": "not_found", "detail": "记录不存在"}


def test_it_renders_the_500_page_without_database_or_context() -> None:
    # No db fixture: any database access while rendering would fail this test.
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    page = response.content.decode()
    assert "系统出错，请稍后再试" in page
    assert 'href="/static/vendor/bootstrap/bootstrap.min.css"' in page


def test_it_shows_the_500_page_when_a_view_fails(world, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    def broken(user):  # type: ignore[no-untyped-def]
        raise RuntimeError("boom 13812345678")

    monkeypatch.setattr("fanzha.core.selectors.home_summary", broken)
    client = login(Client(raise_request_exception=False), world.users["leader"])
    response = client.get(reverse("home"))
    assert response.status_code == 500
    page = response.content.decode()
    assert "系统出错，请稍后再试" in page
    assert "boom" not in page and "Traceback" not in page
