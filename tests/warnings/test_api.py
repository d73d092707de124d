"""POST /api/warnings and GET /api/warnings: session auth, permission, masked output."""

from __future__ import annotations

import json

from fanzha.warnings.models import Warning
from tests.personas import login

BODY = {
    "source": "运营商",
    "source_id": "OP-1",
    "name": "孙七",
    "phone": "13905717777",
    "address": "青溪县城关镇城东社区和平路3号",
    "fraud_type": "冒充公检法",
    "call_count": 5,
    "callback_count": 2,
}


def post(client, body):  # type: ignore[no-untyped-def]
    return client.post("/api/warnings", json.dumps(body), content_type="application/json")


def test_it_receives_a_warning_as_json_and_says_what_became_of_it(world, client) -> None:  # type: ignore[no-untyped-def]
    login(client, world.users["analyst"])
    response = post(client, BODY)
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["outcome"] == "new" and data["grade"] == "high"
    assert "类型：冒充公检法及政府机关" in data["grade_reasons"]
    assert "被诈骗号码呼叫 5 次，回拨 2 次" in data["grade_reasons"]
    assert data["phone"] != "13905717777" and "*" in data["phone"]
    again = post(client, BODY)
    assert again.status_code == 200 and again.json()["outcome"] == "unchanged"
    merged = post(client, {**BODY, "source_id": "OP-2", "amount": "8万"})
    assert merged.json()["outcome"] == "merged" and merged.json()["grade"] == "urgent"
    assert Warning.objects.count() == 1


def test_it_answers_400_for_an_unusable_body_and_403_without_permission(world, client) -> None:  # type: ignore[no-untyped-def]
    login(client, world.users["analyst"])
    assert post(client, {"name": "无名"}).status_code == 400
    bad = client.post("/api/warnings", "{not json", content_type="application/json")
    assert bad.status_code == 400 and bad.json()["detail"] == "请求体不是有效的 JSON"
    wrong = post(client, {**BODY, "call_count": "很多"})
    assert wrong.status_code == 400
    assert wrong.json()["detail"] == "字段格式不正确：call_count（应为 0 到 100000 之间的整数）"
    login(client, world.users["police_cg"])
    assert post(client, BODY).status_code == 403
    client.logout()
    assert post(client, BODY).status_code == 401


def test_it_lists_only_warnings_in_scope(world, client) -> None:  # type: ignore[no-untyped-def]
    login(client, world.users["analyst"])
    post(client, BODY)
    login(client, world.users["police_lq"])
    assert client.get("/api/warnings").json() == []
    login(client, world.users["police_cg"])
    assert [w["source_id"] for w in client.get("/api/warnings").json()] == ["OP-1"]
