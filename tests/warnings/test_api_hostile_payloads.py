"""POST /api/warnings and /api/warnings/batch with the payloads a partner's system gets wrong: keys that
are personal data, keys sent twice, a body over the size limit (2026-12-02 probe)."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from tests.personas import World, id_number
from tests.warnings.test_api_key import BODY, a_key

URL = "/api/warnings"
BATCH = "/api/warnings/batch"
ID = id_number("331102", "19560101", "001")
PHONE = "13905710001"


def send(client: Client, url: str, body: Any, token: str) -> Any:
    raw = body if isinstance(body, str | bytes) else json.dumps(body, ensure_ascii=False)
    return client.post(url, raw, content_type="application/json", headers={"X-API-Key": token})


def text_of(response: Any) -> str:
    return json.dumps(response.json(), ensure_ascii=False)


def test_an_unknown_key_that_is_a_phone_or_id_number_is_named_masked(world: World, client: Client) -> None:
    _, token = a_key(world)
    keyed_by_phone = send(client, URL, {PHONE: {"name": "孙七"}}, token)  # one level too many
    assert keyed_by_phone.status_code == 400
    assert PHONE not in text_of(keyed_by_phone) and "139****0001" in keyed_by_phone.json()["detail"]
    extra = send(client, URL, {**BODY, ID: "本人", "网点": "城关"}, token)
    assert extra.status_code == 201
    assert ID not in text_of(extra)
    assert extra.json()["notices"] == ["未识别的字段已忽略：3311**********0019、网点"]


def test_a_batch_items_unknown_key_that_is_an_id_number_is_named_masked(world: World, client: Client) -> None:
    _, token = a_key(world)
    response = send(client, BATCH, [{**BODY, ID: 1}], token)
    assert response.status_code == 201, response.content
    assert ID not in text_of(response)
    assert response.json()["notices"] == ["未识别的字段已忽略：3311**********0019"]


def test_a_source_no_list_knows_is_quoted_masked_in_its_notice(world: World, client: Client) -> None:
    _, token = a_key(world, org="青溪县反诈中心")  # a centre's key may name any source
    body = {**BODY, "source": f"来电{PHONE}"}  # the caller's number typed into the wrong column
    response = send(client, URL, body, token)
    assert response.status_code == 201, response.content
    assert response.json()["notices"] == ["未知的预警来源“来电139****0001”，已按原名记录"]


def test_a_batch_over_the_body_limit_is_told_the_limit_not_the_item_count(
    world: World, client: Client
) -> None:
    _, token = a_key(world)
    notes = "当事人称对方自称快递客服，引导其下载会议软件并开启屏幕共享。" * 60  # 1,800 characters
    items = [{**BODY, "source_id": f"L-{n}", "notes": notes} for n in range(1200)]  # ≈ 6.6 MB
    response = send(client, BATCH, items, token)
    assert response.status_code == 413
    detail = response.json()["detail"]
    assert "5 MB" in detail and "本次 1200 条" not in detail and "最多推送 5000 条" not in detail


def test_a_key_sent_twice_is_refused_not_read_as_its_last_value(world: World, client: Client) -> None:
    _, token = a_key(world)
    twice = '{"source_id": "D-1", "name": "孙七", "phone": "13905710210", "phone": "13905710211"}'
    response = send(client, URL, twice, token)
    assert response.status_code == 400
    assert response.json() == {"code": "invalid_field", "detail": "字段“phone”出现了两次，请只保留一个"}
    item = '{"source_id": "D-2", "name": "孙八", "amount": "5万", "amount": "500"}'
    batch = send(client, BATCH, f"[{json.dumps(BODY, ensure_ascii=False)}, {item}]", token)
    assert batch.status_code == 400
    assert batch.json()["errors"] == [
        {"index": 1, "field": "", "message": "字段“amount”出现了两次，请只保留一个"}
    ]
    lists = send(client, BATCH, f'{{"warnings": [{item}], "warnings": []}}', token)
    assert lists.status_code == 400 and lists.json()["code"] == "invalid_body"
    assert lists.json()["detail"] == "请求体的键“warnings”出现了两次。整批未接收"


def test_an_unreadable_item_left_out_is_answered_with_its_id_however_the_key_was_written(
    world: World, client: Client
) -> None:
    _, token = a_key(world)
    chinese = {"预警编号": "ZH-9", "姓名": "孙九", "手机号": "13905710219", "被叫次数": "三次"}
    numbered = {"source_id": 20261128001, "name": "孙十", "phone": "13905710220", "call_count": "abc"}
    body = {"skip_rejected": True, "warnings": [BODY, chinese, numbered]}
    response = send(client, BATCH, body, token)
    assert response.status_code == 201, response.content
    answered = [(i["index"], i["outcome"], i["source_id"]) for i in response.json()["items"]]
    assert answered == [
        (0, "received", BODY["source_id"]),
        (1, "rejected", "ZH-9"),
        (2, "rejected", "20261128001"),
    ]


def test_a_count_sent_as_true_is_refused_not_read_as_one_call(world: World, client: Client) -> None:
    _, token = a_key(world)
    response = send(client, URL, {**BODY, "call_count": True}, token)
    assert response.status_code == 400
    assert response.json()["detail"] == "字段格式不正确：call_count（应为 0 到 100000 之间的整数）"
    batch = send(client, BATCH, [{**BODY, "callback_count": False}], token)
    assert batch.status_code == 400 and batch.json()["errors"][0]["field"] == "回拨次数"


def test_unix_seconds_with_a_fraction_are_read_as_the_time(world: World, client: Client) -> None:
    from fanzha.warnings.models import Warning

    _, token = a_key(world)
    stamps = {"E-1": 1795000000.5, "E-2": "1795000000.123", "E-3": 1795000000123.25}  # time.time(), ms
    for source_id, stamp in stamps.items():
        response = send(client, URL, {**BODY, "source_id": source_id, "warned_at": stamp}, token)
        assert response.status_code == 201 and response.json()["notices"] == [], response.content
    times = {w.source_id: w.warned_at.isoformat() for w in Warning.objects.all()}
    assert set(times.values()) == {"2026-11-18T11:06:40+00:00"}  # 19:06:40 China time, to the second
