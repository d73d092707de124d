"""POST /api/warnings and /api/warnings/batch with bodies as partner systems really send them
(2026-12-02 probe): a UTF-8 body labelled with another charset, Chinese lost to a client's Latin
encoding (``??``), counts written as a list writes them, a key sent to an endpoint that takes none, a
key without the endpoint's scope."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from fanzha.imports.models import ImportBatch
from fanzha.warnings.models import Warning
from tests.personas import World
from tests.warnings.test_api_key import BODY, a_key

URL = "/api/warnings"
BATCH = "/api/warnings/batch"


def send_bytes(client: Client, url: str, raw: bytes, token: str, content_type: str) -> Any:
    """The bytes as sent, under the Content-Type as declared (the test client would re-encode a text)."""
    return client.generic("POST", url, raw, content_type=content_type, headers={"X-API-Key": token})


def post(client: Client, url: str, body: Any, token: str) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json", headers={"X-API-Key": token})


def utf8(body: Any) -> bytes:
    return json.dumps(body, ensure_ascii=False).encode()


def test_a_utf8_body_labelled_latin_1_is_refused_not_stored_garbled(world: World, client: Client) -> None:
    _, token = a_key(world)
    for charset in ("ISO-8859-1", "windows-1252"):  # every byte sequence "decodes" in these
        response = send_bytes(client, URL, utf8(BODY), token, f"application/json; charset={charset}")
        assert response.status_code == 400, response.content
        assert response.json()["code"] == "invalid_body"
        assert "UTF-8" in response.json()["detail"] and charset in response.json()["detail"]
        batch = send_bytes(client, BATCH, utf8([BODY]), token, f"application/json; charset={charset}")
        assert batch.status_code == 400 and batch.json()["code"] == "invalid_body", batch.content
    assert not Warning.objects.exists() and not ImportBatch.objects.exists()


def test_a_latin_1_body_and_an_ascii_body_under_that_label_are_still_read(
    world: World, client: Client
) -> None:
    _, token = a_key(world)
    escaped = json.dumps(BODY).encode()  # Chinese as \\u escapes: plain ASCII
    assert send_bytes(client, URL, escaped, token, "application/json; charset=ISO-8859-1").status_code == 201
    latin = {**BODY, "source_id": "ICBC-2", "phone": "13905717778", "notes": "José Müller 先生的同事"}
    raw = json.dumps(latin).encode("latin-1")  # é and ü as single bytes, the Chinese escaped
    response = send_bytes(client, URL, raw, token, "application/json; charset=ISO-8859-1")
    assert response.status_code == 201, response.content


def test_chinese_lost_to_question_marks_is_refused_naming_the_fields(world: World, client: Client) -> None:
    _, token = a_key(world)
    lost = {**BODY, "name": "??", "address": "?????????3?", "fraud_type": "????"}  # a Latin encoding's
    response = post(client, URL, lost, token)
    assert response.status_code == 400, response.content
    answer = response.json()
    assert answer["code"] == "invalid_field"
    assert "name" in answer["detail"] and "address" in answer["detail"] and "UTF-8" in answer["detail"]
    batch = post(client, BATCH, [lost], token)
    assert batch.status_code == 400, batch.content
    assert {e["field"] for e in batch.json()["errors"]} >= {"姓名", "现住址"}
    assert not Warning.objects.exists()


def test_a_question_mark_in_the_notes_is_no_lost_encoding(world: World, client: Client) -> None:
    _, token = a_key(world)
    body = {**BODY, "notes": "对方问“验证码是多少??”，当事人未告知"}
    response = post(client, URL, body, token)
    assert response.status_code == 201, response.content


def test_counts_written_as_a_list_writes_them_are_read(world: World, client: Client) -> None:
    _, token = a_key(world, org="中国移动青溪营业厅")
    items = [
        {"source_id": "CM-1", "phone": "13905714444", "被叫次数": "5次", "回拨次数": "２"},
        {"source_id": "CM-2", "phone": "13905714445", "call_count": "3 次"},
    ]
    response = post(client, BATCH, items, token)
    assert response.status_code == 201, response.content
    calls = sorted((w.facts["calls"], w.facts["callbacks"]) for w in Warning.objects.all())
    assert calls == [(3, 0), (5, 2)]
    wrong = post(client, URL, {**items[0], "source_id": "CM-3", "被叫次数": "三次"}, token)
    assert wrong.status_code == 400 and wrong.json()["code"] == "invalid_field"


def test_a_key_sent_to_an_endpoint_for_sessions_is_told_so_not_to_send_a_key(
    world: World, client: Client
) -> None:
    _, token = a_key(world)
    for path in (URL, "/api/people"):
        response = client.get(path, headers={"X-API-Key": token})
        assert response.status_code == 403, response.content
        assert response.json()["code"] == "forbidden"
        detail = response.json()["detail"]
        assert "不接受接口密钥" in detail and "X-API-Key 头中提供" not in detail
    assert client.get(URL).json()["code"] == "not_authenticated"  # neither key nor session: as before


def test_a_key_without_the_scope_is_told_which_it_lacks(world: World, client: Client) -> None:
    _, screen_only = a_key(world, scopes=["screen"])
    response = post(client, URL, BODY, screen_only)
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert "推送预警" in response.json()["detail"]
    assert not Warning.objects.exists()
