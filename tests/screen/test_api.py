"""POST /api/screen: authentication (session, key), limits, order, masking, and no texts in logs."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from django.urls import reverse

from fanzha.audit.models import AuditEvent
from fanzha.screen.models import ApiKey
from fanzha.screen.services import api_key_issue, api_key_revoke
from tests.personas import World, login
from tests.screen.conftest import FakeEngine

URL = "/api/screen"
SCAM = "【工商银行】您的积分即将清零，请回复或致电13905711234兑换现金"


def post(client: Any, body: Any, **headers: str) -> Any:
    return client.post(URL, json.dumps(body), content_type="application/json", headers=headers)


def test_it_has_the_documented_address() -> None:
    assert reverse("api:screen") == URL


def test_it_screens_for_a_logged_in_analyst_in_input_order(
    world: World, client, fake_engine: FakeEngine
) -> None:
    login(client, world.users["analyst"])
    items = [{"id": "a", "text": "今晚一起吃饭吗"}, {"id": 7, "text": SCAM}, {"text": "明天开会"}]
    response = post(client, {"items": items})
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["id"] for r in results] == ["a", "7", None]
    assert [r["level"] for r in results] == ["none", "high", "none"]
    scam = results[1]
    assert scam["category"] == "bank_points_phishing" and scam["category_name"] == "伪基站积分钓鱼"
    assert scam["score"] == pytest.approx(0.97)
    assert scam["reasons"] == [
        {"symbol": "BANK_POINTS", "weight": 3.5, "explanation": "以积分兑换现金为由诱导点击链接"}
    ]
    assert fake_engine.calls == [("text", 3)], "one batch call to the engine, not one per item"


def test_it_masks_the_numbers_it_extracts(world: World, client, fake_engine: FakeEngine) -> None:
    login(client, world.users["analyst"])
    response = post(client, {"items": [{"text": SCAM + " 卡号6222021234567891234"}]})
    entities = response.json()["results"][0]["entities"]
    assert {"kind": "mobile", "value": "139****1234"} in entities
    assert {"kind": "bank_card", "value": "6222 **** **** 1234"} in entities
    assert "13905711234" not in response.content.decode()


def test_it_keeps_order_when_texts_and_urls_are_mixed(world: World, client, fake_engine: FakeEngine) -> None:
    login(client, world.users["police_cg"])
    items = [
        {"id": "1", "url": "http://icbc-jf.cc"},
        {"id": "2", "text": SCAM},
        {"id": "3", "url": "www.gov.cn"},
    ]
    results = post(client, {"items": items}).json()["results"]
    assert [r["id"] for r in results] == ["1", "2", "3"]
    assert results[0]["entities"][0] == {"kind": "url", "value": "http://icbc-jf.cc", "domain": "example.cc"}
    assert sorted(fake_engine.calls) == [("text", 1), ("url", 2)]


def test_it_screens_texts_as_urls_when_asked(world: World, client, fake_engine: FakeEngine) -> None:
    login(client, world.users["analyst"])
    response = post(client, {"items": [{"text": "http://a.cc"}], "kind": "url"})
    assert response.status_code == 200
    assert fake_engine.calls == [("url", 1)]


def test_it_refuses_more_than_a_thousand_items_in_chinese(
    world: World, client, fake_engine: FakeEngine
) -> None:
    login(client, world.users["analyst"])
    response = post(client, {"items": [{"text": "x"}] * 1001})
    assert response.status_code == 422
    assert "一次最多筛查 1000 条" in response.json()["detail"] and "1001" in response.json()["detail"]
    assert fake_engine.calls == []
    assert post(client, {"items": [{"text": "x"}] * 1000}).status_code == 200


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"items": []}, "items 为空"),
        ({}, "缺少字段 items"),
        ({"items": "abc"}, "字段 items 应为列表"),
        ({"items": ["abc"]}, "字段 items.0 应为对象"),
        ({"items": [{"id": "1"}]}, "第 1 条应当且只能有 text 或 url 之一"),
        ({"items": [{"text": "a", "url": "b"}]}, "第 1 条"),
        ({"items": [{"text": 5}]}, "字段 items.0.text 应为文字"),
        ({"items": [{"text": "a", "secret": "b"}]}, "不认识的字段"),
        ({"items": [{"text": "a"}], "kind": "sms"}, "kind 只能是 text 或 url"),
        ([1, 2], "请求体应为对象"),
    ],
)
def test_it_explains_a_bad_body(
    world: World, client, fake_engine: FakeEngine, body: Any, message: str
) -> None:
    login(client, world.users["analyst"])
    response = post(client, body)
    assert response.status_code == 422
    assert message in response.json()["detail"]


def test_it_refuses_a_body_that_is_not_json(world: World, client, fake_engine: FakeEngine) -> None:
    login(client, world.users["analyst"])
    response = client.post(URL, b"\xff{not json", content_type="application/json")
    assert response.status_code == 422
    assert "JSON" in response.json()["detail"]


def test_it_accepts_a_form_post(world: World, client, fake_engine: FakeEngine) -> None:
    login(client, world.users["grid_cd"])
    response = client.post(URL, {"text": ["甲", SCAM]})
    assert response.status_code == 200
    assert [r["level"] for r in response.json()["results"]] == ["none", "high"]


def test_a_form_post_takes_a_thousand_items_and_kind(world: World, client, fake_engine: FakeEngine) -> None:
    login(client, world.users["grid_cd"])
    response = client.post(URL, {"text": ["甲"] * 1000, "kind": "text"})
    assert response.status_code == 200
    assert len(response.json()["results"]) == 1000
    response = client.post(URL, {"text": ["甲"] * 1001, "kind": "text"})
    assert response.status_code == 422
    assert response.json()["code"] == "too_many_items"


def test_it_refuses_a_body_over_the_upload_limit(
    world: World, client, fake_engine: FakeEngine, settings
) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
    login(client, world.users["analyst"])
    response = post(client, {"items": [{"text": "短信" * 1_000_000}]})
    assert response.status_code == 413
    assert "请求过大（上限 2 MB）" in response.json()["detail"]
    assert fake_engine.calls == []


def test_it_flags_an_item_longer_than_the_bound(world: World, client, fake_engine: FakeEngine) -> None:
    login(client, world.users["analyst"])
    results = post(client, {"items": [{"text": "积分" * 60_000}, {"text": "短"}]}).json()["results"]
    assert [r["truncated"] for r in results] == [True, False]


def test_it_refuses_a_role_that_may_not_screen(world: World, client, fake_engine: FakeEngine) -> None:
    for username in ("auditor", "admin"):
        login(client, world.users[username])
        response = post(client, {"items": [{"text": SCAM}]})
        assert response.status_code == 403
        assert response.json() == {"code": "forbidden", "detail": "无权访问"}
    assert fake_engine.calls == []


def test_it_refuses_an_anonymous_caller(world: World, client, fake_engine: FakeEngine) -> None:
    assert post(client, {"items": [{"text": SCAM}]}).status_code == 401
    assert fake_engine.calls == []


# ── partner keys ─────────────────────────────────────────────────────────────


def test_it_screens_with_a_partner_key_and_counts_the_use(
    world: World, client, fake_engine: FakeEngine, partner_key: tuple[ApiKey, str]
) -> None:
    key, token = partner_key
    response = post(client, {"items": [{"text": SCAM}, {"text": "你好"}]}, **{"X-API-Key": token})
    assert response.status_code == 200
    assert [r["level"] for r in response.json()["results"]] == ["high", "none"]
    key.refresh_from_db()
    assert key.last_used_at is not None and key.request_count == 1 and key.item_count == 2


def test_it_refuses_a_wrong_key(world: World, client, fake_engine: FakeEngine, partner_key) -> None:
    _, token = partner_key
    response = post(client, {"items": [{"text": SCAM}]}, **{"X-API-Key": token[:-2] + "xx"})
    assert response.status_code == 401
    assert fake_engine.calls == []


def test_it_does_not_fall_back_to_the_session_when_a_wrong_key_is_sent(
    world: World, client, fake_engine: FakeEngine
) -> None:
    login(client, world.users["analyst"])
    assert post(client, {"items": [{"text": "x"}]}, **{"X-API-Key": "fzk_wrong"}).status_code == 401


def test_it_refuses_a_revoked_key(world: World, client, fake_engine: FakeEngine, partner_key) -> None:
    key, token = partner_key
    assert post(client, {"items": [{"text": "x"}]}, **{"X-API-Key": token}).status_code == 200
    api_key_revoke(actor=world.users["admin"], key=key)
    assert post(client, {"items": [{"text": "x"}]}, **{"X-API-Key": token}).status_code == 401


def test_it_refuses_a_key_of_a_deactivated_organisation(
    world: World, client, fake_engine, partner_key
) -> None:
    key, token = partner_key
    key.organisation.is_active = False
    key.organisation.save(update_fields=["is_active"])
    assert post(client, {"items": [{"text": "x"}]}, **{"X-API-Key": token}).status_code == 401


def test_it_refuses_a_key_without_the_screen_scope(world: World, client, fake_engine, partner_key) -> None:
    key, token = partner_key
    ApiKey.objects.filter(pk=key.pk).update(scopes=["other"])
    assert post(client, {"items": [{"text": "x"}]}, **{"X-API-Key": token}).status_code == 403


def test_it_ignores_a_key_in_the_query_string(world: World, client, fake_engine, partner_key) -> None:
    _, token = partner_key
    response = client.post(
        f"{URL}?X-API-Key={token}&key={token}",
        json.dumps({"items": [{"text": "x"}]}),
        content_type="application/json",
    )
    assert response.status_code == 401


# ── rate limit ───────────────────────────────────────────────────────────────


def test_it_limits_a_key_per_minute_with_retry_after(
    world: World, client, fake_engine: FakeEngine, partner_key, monkeypatch: pytest.MonkeyPatch
) -> None:
    key, token = partner_key
    ApiKey.objects.filter(pk=key.pk).update(rate_per_minute=2)
    monkeypatch.setattr("fanzha.screen.ratelimit._now", lambda: 1_800_000_030.0)  # 30 s into a minute
    statuses = [
        post(client, {"items": [{"text": "x"}]}, **{"X-API-Key": token}).status_code for _ in range(3)
    ]
    assert statuses == [200, 200, 429]
    refused = post(client, {"items": [{"text": "x"}]}, **{"X-API-Key": token})
    assert refused.status_code == 429 and refused["Retry-After"] == "30"
    assert "请求过于频繁" in refused.json()["detail"]
    monkeypatch.setattr("fanzha.screen.ratelimit._now", lambda: 1_800_000_061.0)  # the next minute
    assert post(client, {"items": [{"text": "x"}]}, **{"X-API-Key": token}).status_code == 200


def test_it_limits_each_user_separately(
    world: World, client, fake_engine: FakeEngine, settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.SCREEN_USER_RATE_PER_MINUTE = 1
    monkeypatch.setattr("fanzha.screen.ratelimit._now", lambda: 1_800_000_000.0)
    login(client, world.users["analyst"])
    assert post(client, {"items": [{"text": "x"}]}).status_code == 200
    assert post(client, {"items": [{"text": "x"}]}).status_code == 429
    login(client, world.users["leader"])
    assert post(client, {"items": [{"text": "x"}]}).status_code == 200


# ── no texts in logs or in the audit log ─────────────────────────────────────


def test_it_writes_no_message_text_to_the_logs_or_the_audit_log(
    world: World, client, fake_engine: FakeEngine, partner_key, caplog: pytest.LogCaptureFixture
) -> None:
    _, token = partner_key
    marker = "独一无二的测试短信内容ZQX987"
    caplog.set_level(logging.DEBUG)
    last_id = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    login(client, world.users["analyst"])
    assert post(client, {"items": [{"text": marker + SCAM}]}).status_code == 200
    assert post(client, {"items": [{"text": marker}]}, **{"X-API-Key": token}).status_code == 200
    assert post(client, {"items": [{"text": marker}] * 1001}).status_code == 422  # refused requests log too
    assert post(client, {"items": [{"text": marker, "bad": marker}]}).status_code == 422
    assert caplog.records, "the requests should have produced some log records to check"
    logged = caplog.text + "".join(str(r.__dict__) for r in caplog.records)
    assert marker not in logged
    new = AuditEvent.objects.filter(pk__gt=last_id).values_list("action", flat=True)
    assert set(new) <= {"login.success"}, "screening itself writes no audit record"
    assert marker not in json.dumps(
        list(AuditEvent.objects.values("details", "object_label")), ensure_ascii=False
    )


def test_it_logs_only_the_kind_of_engine_failure(
    world: World, client, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    marker = "不应出现在日志里的短信ABC123"

    def broken(texts: list[str]) -> list[Any]:
        raise ValueError(f"cannot screen {texts[0]}")

    monkeypatch.setattr("fanzha.screening.screen_texts", broken)
    caplog.set_level(logging.DEBUG)
    login(client, world.users["analyst"])
    response = post(client, {"items": [{"text": marker}]})
    assert response.status_code == 503
    assert "筛查引擎暂不可用" in response.json()["detail"]
    assert "ValueError" in caplog.text and marker not in caplog.text


def test_it_documents_the_endpoint_in_the_openapi_schema(world: World, client) -> None:
    login(client, world.users["analyst"])
    schema = client.get("/api/openapi.json").json()
    operation = schema["paths"]["/api/screen"]["post"]
    body = operation["requestBody"]["content"]["application/json"]["schema"]
    assert body["properties"]["items"]["maxItems"] == 1000
    schemes = schema["components"]["securitySchemes"]
    assert any(s.get("in") == "header" and s.get("name") == "X-API-Key" for s in schemes.values())


def test_it_keeps_a_keys_screening_budget_apart_from_its_pushes(
    world: World, client, fake_engine: FakeEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    key, token = api_key_issue(
        actor=world.users["admin"],
        organisation=world.orgs["中国移动青溪营业厅"],
        name="筛查与推送",
        rate_per_minute=1,
        scopes=["screen", "warnings"],
    )
    monkeypatch.setattr("fanzha.screen.ratelimit._now", lambda: 1_800_000_030.0)  # 30 s into a minute
    screened = [post(client, {"items": [{"text": SCAM}]}, **{"X-API-Key": token}).status_code for _ in "ab"]
    assert screened == [200, 429]
    body = {"source_id": "YD-1", "phone": "13905717777", "fraud_type": "刷单返利"}
    pushed = client.post(
        "/api/warnings", json.dumps(body), content_type="application/json", headers={"X-API-Key": token}
    )
    assert pushed.status_code == 201, pushed.content
