"""Every error a client of the API can get has one shape, ``{"code": …, "detail": …}`` (the batch push
adds its ``batch`` and ``errors``), with a code of ``core.api_errors.CODES`` and no personal data; an
unknown top-level key of a batch push (or query parameter) is refused, not ignored."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from fanzha.core.api_errors import CODES
from fanzha.imports.models import ImportBatch
from fanzha.screen.models import ApiKey
from fanzha.warnings.models import Warning
from tests.personas import World, login
from tests.warnings.test_api_batch import item
from tests.warnings.test_api_key import BODY, a_key

DOCS = Path(__file__).resolve().parents[2] / "docs" / "warnings.md"
# What BODY and item() carry that is personal: never in an error.
PERSONAL = ("孙七", "13905717777", "和平路", "客户1", "13905700001")


def post(client: Client, url: str, body: Any, token: str | None = None) -> Any:
    headers = {"X-API-Key": token} if token else {}
    text = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)
    return client.post(url, text, content_type="application/json", headers=headers)


def assert_problem(response: Any, status: int, code: str) -> dict[str, Any]:
    """The answer is the API's error: JSON, ``code`` (known, with its status) and a Chinese ``detail``."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json"), response.content[:200]
    body = response.json()
    assert body["code"] == code, body
    assert status in CODES[code], f"{code} is not documented with status {status}"
    assert isinstance(body["detail"], str) and re.search(r"[\u4e00-\u9fff]", body["detail"]), body
    text = response.content.decode()
    assert not [said for said in PERSONAL if said in text], text
    return body


@pytest.fixture
def partner() -> Client:
    """A partner's system: no session, no CSRF cookie, exceptions answered as a server would."""
    return Client(enforce_csrf_checks=True, raise_request_exception=False)


Case = tuple[str, Callable[[Client, str, str], Any], int, str]

CASES: list[Case] = [
    ("wrong key", lambda c, t, s: post(c, "/api/warnings", BODY, "fzk_wrong"), 401, "invalid_api_key"),
    ("key without scope", lambda c, t, s: post(c, "/api/warnings", BODY, s), 403, "forbidden"),
    ("not JSON", lambda c, t, s: post(c, "/api/warnings", "{oops", t), 400, "invalid_body"),
    ("a list", lambda c, t, s: post(c, "/api/warnings", [BODY], t), 400, "invalid_body"),
    (
        "a count that is no number",
        lambda c, t, s: post(c, "/api/warnings", {**BODY, "call_count": "五"}, t),
        400,
        "invalid_field",
    ),
    (
        "two keys for one field",
        lambda c, t, s: post(c, "/api/warnings", {**BODY, "手机号": "13905717777"}, t),
        400,
        "invalid_field",
    ),
    (
        "no one to contact",
        lambda c, t, s: post(c, "/api/warnings", {"source_id": "X-1", "name": "孙七"}, t),
        400,
        "warning_rejected",
    ),
    (
        "another source",
        lambda c, t, s: post(c, "/api/warnings", {**BODY, "source": "运营商"}, t),
        400,
        "warning_rejected",
    ),
    (
        "a method not taken",
        lambda c, t, s: c.get("/api/warnings/batch", headers={"X-API-Key": t}),
        405,
        "method_not_allowed",
    ),
    (
        "an unknown path",
        lambda c, t, s: c.get("/api/warning", headers={"X-API-Key": t}),
        404,
        "unknown_endpoint",
    ),
    (
        "batch: skip_rejected not true or false",
        lambda c, t, s: post(c, "/api/warnings/batch", {"warnings": [item(1)], "skip_rejected": "是"}, t),
        400,
        "invalid_parameter",
    ),
    (
        "batch: empty",
        lambda c, t, s: post(c, "/api/warnings/batch", {"warnings": []}, t),
        400,
        "invalid_body",
    ),
    (
        "feedback: a date that is none",
        lambda c, t, s: c.get("/api/warnings/feedback", {"since": "上周"}, headers={"X-API-Key": t}),
        400,
        "invalid_parameter",
    ),
]


@pytest.mark.parametrize(("name", "send", "status", "code"), CASES, ids=[case[0] for case in CASES])
def test_each_error_has_the_apis_shape(
    world: World, partner: Client, name: str, send: Any, status: int, code: str
) -> None:
    _, token = a_key(world)
    _, screen_only = a_key(world, scopes=["screen"])
    assert_problem(send(partner, token, screen_only), status, code)


def test_a_refused_batch_keeps_its_errors_and_gains_the_common_keys(world: World, partner: Client) -> None:
    _, token = a_key(world)
    unreadable = post(partner, "/api/warnings/batch", [item(1), {**item(2), "call_count": "五"}], token)
    body = assert_problem(unreadable, 400, "batch_rejected")
    assert body["batch"] is None
    assert body["errors"] == [{"index": 1, "field": "被叫次数", "message": body["errors"][0]["message"]}]
    unusable = post(partner, "/api/warnings/batch", [item(1), {"source_id": "X-2", "name": "孙七"}], token)
    body = assert_problem(unusable, 400, "batch_rejected")
    assert isinstance(body["batch"], int)
    assert [(error["index"], error["field"]) for error in body["errors"]] == [(1, "")]
    assert Warning.objects.count() == 0


def test_a_partner_that_left_out_its_key_is_told_401_not_about_csrf(world: World, partner: Client) -> None:
    for url in ("/api/warnings", "/api/warnings/batch"):
        body = assert_problem(post(partner, url, {"warnings": [BODY]}), 401, "not_authenticated")
        assert "X-API-Key" in body["detail"] and "CSRF" not in body["detail"]
    screen = post(partner, "/api/screen", {"items": [{"text": "您的快递丢失"}]})
    assert_problem(screen, 401, "not_authenticated")


def test_a_session_without_its_csrf_token_is_still_refused(world: World) -> None:
    browser = Client(enforce_csrf_checks=True)
    login(browser, world.users["analyst"])
    body = assert_problem(post(browser, "/api/warnings", BODY), 403, "csrf_failed")
    assert "X-CSRFToken" in body["detail"]
    assert Warning.objects.count() == 0


def test_the_session_and_framework_errors_have_the_apis_shape(world: World, client: Client) -> None:
    login(client, world.users["analyst"])
    assert_problem(client.get("/api/people/999999"), 404, "not_found")
    assert_problem(client.get("/api/people/abc"), 422, "invalid_parameter")
    assert_problem(client.get("/api/warnings", {"limit": "十"}), 400, "invalid_parameter")
    auditor = Client()
    login(auditor, world.users["auditor"])
    assert_problem(post(auditor, "/api/warnings", BODY), 403, "forbidden")


def test_a_form_django_refuses_is_answered_in_json(world: World, partner: Client, settings: Any) -> None:
    _, token = a_key(world)
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 3
    fields = {"source_id": "X-1", "name": "孙七", "phone": "13905717777", "address": "和平路3号"}
    response = partner.post("/api/warnings", fields, headers={"X-API-Key": token})  # before: an HTML page
    assert_problem(response, 400, "invalid_body")


def test_a_server_error_is_answered_in_json(
    world: World, partner: Client, monkeypatch: pytest.MonkeyPatch, caplog: Any
) -> None:
    _, token = a_key(world)

    def broken(**_: Any) -> Any:
        raise RuntimeError("孙七 13905717777")  # an unexpected fault whose text holds what was sent

    monkeypatch.setattr("fanzha.warnings.api.warning_push", broken)
    response = post(partner, "/api/warnings", BODY, token)
    body = assert_problem(response, 500, "server_error")  # before: the site's HTML 500 page
    assert "X-Request-ID" in body["detail"] and response["X-Request-ID"]


def test_the_rate_limit_says_when_to_come_back(
    world: World, partner: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    key, token = a_key(world)
    ApiKey.objects.filter(pk=key.pk).update(rate_per_minute=1)
    monkeypatch.setattr("fanzha.screen.ratelimit._now", lambda: 1_800_000_030.0)  # 30 s into a minute
    assert post(partner, "/api/warnings", BODY, token).status_code == 201
    for url in ("/api/warnings", "/api/warnings/batch"):
        response = post(partner, url, [item(1)] if url.endswith("batch") else BODY, token)
        assert_problem(response, 429, "rate_limited")
        assert response["Retry-After"] == "30"


# An unknown top-level key of a batch push: refused, whatever the items (a partner believed rows were
# skipped when the whole batch was refused, or the reverse).


@pytest.mark.parametrize("misspelt", ["skipRejected", "skip_rejectd", "skip-rejected", "Skip_Rejected"])
def test_a_misspelt_skip_rejected_is_refused_naming_it(world: World, partner: Client, misspelt: str) -> None:
    _, token = a_key(world)
    items = [item(1), {"source_id": "X-2", "name": "孙七"}, item(3)]  # the second cannot be received
    response = post(partner, "/api/warnings/batch", {"warnings": items, misspelt: True}, token)
    body = assert_problem(response, 400, "unknown_option")  # before: 400 batch_rejected, the batch refused
    assert misspelt in body["detail"] and "warnings、skip_rejected" in body["detail"]
    assert body["errors"] == [] and body["batch"] is None
    assert Warning.objects.count() == 0 and not ImportBatch.objects.exists()


def test_a_misspelt_option_is_refused_when_every_item_is_good_too(world: World, partner: Client) -> None:
    _, token = a_key(world)
    response = post(partner, "/api/warnings/batch", {"warnings": [item(1)], "skip_rejectd": False}, token)
    body = assert_problem(response, 400, "unknown_option")  # before: 201, the option silently ignored
    assert "skip_rejectd" in body["detail"]
    assert Warning.objects.count() == 0


def test_the_known_options_are_received_as_before(world: World, partner: Client) -> None:
    _, token = a_key(world)
    items = [item(1), {"source_id": "X-2", "name": "孙七"}]
    response = post(partner, "/api/warnings/batch", {"warnings": items, "skip_rejected": True}, token)
    assert response.status_code == 201, response.content
    assert [i["outcome"] for i in response.json()["items"]] == ["received", "rejected"]


def test_an_unknown_key_that_may_be_personal_data_is_counted_not_shown(world: World, partner: Client) -> None:
    _, token = a_key(world)
    body = {"warnings": [item(1)], "孙七": {"phone": "13905717777"}, "13905717777": 1, "note": "x"}
    problem = assert_problem(post(partner, "/api/warnings/batch", body, token), 400, "unknown_option")
    assert "note" in problem["detail"] and "另有 2 个" in problem["detail"]


def test_one_warning_sent_to_the_batch_is_told_where_its_fields_go(world: World, partner: Client) -> None:
    _, token = a_key(world)
    problem = assert_problem(post(partner, "/api/warnings/batch", BODY, token), 400, "unknown_option")
    assert "source_id" in problem["detail"] and "应写在 warnings 数组的各项中" in problem["detail"]


def test_an_items_extra_columns_are_still_received_and_named(world: World, partner: Client) -> None:
    _, token = a_key(world)
    response = post(partner, "/api/warnings/batch", {"warnings": [{**item(1), "网点": "城东支行"}]}, token)
    assert response.status_code == 201, response.content
    assert response.json()["notices"] == ["未识别的字段已忽略：网点"]


def test_an_unknown_query_parameter_is_refused(world: World, partner: Client, client: Client) -> None:
    _, token = a_key(world)
    feedback = partner.get("/api/warnings/feedback", {"from": "2026-11-01"}, headers={"X-API-Key": token})
    body = assert_problem(feedback, 400, "unknown_option")  # before: 200, the last 7 days
    assert "from" in body["detail"] and "since、until、limit、offset" in body["detail"]
    login(client, world.users["analyst"])
    assert_problem(client.get("/api/warnings", {"page": "2"}), 400, "unknown_option")
    assert client.get("/api/warnings", {"status": "new", "limit": "5"}).status_code == 200


def test_the_docs_list_every_code_with_its_statuses() -> None:
    text = DOCS.read_text(encoding="utf-8")
    for code, statuses in CODES.items():
        row = next((line for line in text.splitlines() if line.startswith(f"| `{code}` |")), "")
        assert row, f"docs/warnings.md has no row for the API error code {code}"
        assert all(str(status) in row for status in statuses), row


def test_the_screening_api_names_an_unknown_key_masked(world: World, partner: Client) -> None:
    _, token = a_key(world, scopes=["screen"])
    body = {"items": [{"text": "您的快递丢失"}], "13905717777": True}
    problem = assert_problem(post(partner, "/api/screen", body, token), 422, "unknown_option")
    assert "不认识的字段" in problem["detail"]  # before: the number itself, and no code
