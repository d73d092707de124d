"""POST /api/warnings and /api/warnings/batch as a partner's system calls them (2026-12-01 probe).

A batch with an item that cannot be read as a warning's fields (a count that is no number, a name over
its limit, an item that is no object) names every such item by index and field, and ``skip_rejected``
leaves them out like any other unusable item; a body in the charset its Content-Type declares (GBK,
as older bank systems send) is read in it.
"""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from fanzha.imports.models import ImportBatch
from fanzha.warnings.models import Warning, WarningSourceRef
from tests.personas import World
from tests.warnings.test_api_key import BODY, a_key

BATCH = "/api/warnings/batch"


def item(n: int, **changes: Any) -> dict[str, Any]:
    return {**BODY, "source_id": f"P-{n}", "name": f"客户{n}", "phone": f"139057{n:05d}", **changes}


def send(client: Client, url: str, body: Any, token: str, content_type: str = "application/json") -> Any:
    raw = body if isinstance(body, str | bytes) else json.dumps(body, ensure_ascii=False)
    return client.post(url, raw, content_type=content_type, headers={"X-API-Key": token})


def test_a_batch_with_unreadable_items_names_each_of_them_and_receives_none(
    world: World, client: Client
) -> None:
    _, token = a_key(world)
    body = [item(1), item(2, call_count="三次"), 7, item(4, name="长" * 60, transfer_in_progress=5)]
    response = send(client, BATCH, body, token)
    assert response.status_code == 400, response.content
    answer = response.json()
    assert answer["detail"].startswith("第 1 项（从 0 计）字段格式不正确：call_count")
    assert "另有 2 项无法读取" in answer["detail"] and "三次" not in answer["detail"]
    fields = [(e["index"], e["field"]) for e in answer["errors"]]
    assert fields == [(1, "被叫次数"), (2, ""), (3, "姓名"), (3, "正在转账")]
    assert "长长" not in json.dumps(answer, ensure_ascii=False)
    assert "transfer_in_progress" in answer["errors"][3]["message"]
    assert not Warning.objects.exists() and not ImportBatch.objects.exists()


def test_skip_rejected_leaves_out_unreadable_items_and_answers_them_rejected(
    world: World, client: Client
) -> None:
    _, token = a_key(world)
    body = {"skip_rejected": True, "warnings": [item(1), item(2, call_count="abc"), None, item(4)]}
    response = send(client, BATCH, body, token)
    assert response.status_code == 201, response.content
    answer = response.json()
    assert (answer["received"], answer["rejected"]) == (2, 2)
    outcomes = [(i["index"], i["outcome"], i["source_id"]) for i in answer["items"]]
    assert outcomes == [
        (0, "received", "P-1"),
        (1, "rejected", "P-2"),
        (2, "rejected", ""),
        (3, "received", "P-4"),
    ]
    assert "call_count" in answer["items"][1]["notices"][0]
    assert answer["items"][2]["notices"] == ["不是预警的 JSON 对象"]
    assert sorted(WarningSourceRef.objects.values_list("source_id", flat=True)) == ["P-1", "P-4"]
    again = send(client, BATCH, body, token).json()
    assert [i["outcome"] for i in again["items"]] == ["unchanged", "rejected", "rejected", "unchanged"]
    assert Warning.objects.count() == 2


def test_a_batch_of_nothing_but_unreadable_items_is_refused_even_with_skip_rejected(
    world: World, client: Client
) -> None:
    _, token = a_key(world)
    response = send(client, BATCH, {"skip_rejected": True, "warnings": [1, "x"]}, token)
    assert response.status_code == 400
    assert [e["index"] for e in response.json()["errors"]] == [0, 1]
    assert not ImportBatch.objects.exists()


def test_a_body_in_the_charset_its_content_type_declares_is_read_in_it(world: World, client: Client) -> None:
    _, token = a_key(world)
    gbk = "application/json; charset=GBK"
    one = json.dumps(item(1), ensure_ascii=False)  # the test client encodes it in the declared charset
    response = send(client, "/api/warnings", one, token, content_type=gbk)
    assert response.status_code == 201, response.content
    assert Warning.objects.get().person.name == "客户1"
    batch = send(client, BATCH, json.dumps([item(2)], ensure_ascii=False), token, content_type=gbk)
    assert batch.status_code == 201, batch.content
    utf8 = json.dumps(item(3), ensure_ascii=False).encode()  # declared ASCII, sent as UTF-8
    wrong = client.generic(
        "POST",
        "/api/warnings",
        utf8,
        content_type="application/json; charset=ascii",
        headers={"X-API-Key": token},
    )
    assert wrong.status_code == 400
    assert wrong.json()["detail"].startswith("请求体是 UTF-8 编码，Content-Type 却声明为 ascii")


def test_the_answer_does_not_depend_on_the_order_of_the_keys(world: World, client: Client) -> None:
    """JSON keys have no order: ``phone`` and ``手机号`` together are refused whichever comes first, and
    a synonym beside ``phone`` (联系电话) is left aside whichever comes first."""
    _, token = a_key(world)
    phone_first = send(client, "/api/warnings", {"phone": "13905710001", "手机号": "13905710002"}, token)
    label_first = send(client, "/api/warnings", {"手机号": "13905710002", "phone": "13905710001"}, token)
    assert phone_first.status_code == label_first.status_code == 400, phone_first.content
    assert phone_first.json() == label_first.json()
    assert phone_first.json()["detail"] == "字段“手机号”与另一字段都指“手机号”，请只保留一个"
    batch = send(client, BATCH, [{"手机号": "13905710002", "phone": "13905710001", "name": "甲"}], token)
    assert batch.status_code == 400 and batch.json()["errors"][0]["index"] == 0
    assert not Warning.objects.exists()
    for n, body in enumerate(
        [
            {"phone": "13905710003", "联系电话": "13905710004"},
            {"联系电话": "13905710004", "phone": "13905710003"},
        ]
    ):
        aside = send(client, "/api/warnings", {**body, "source_id": f"K-{n}", "name": "乙"}, token)
        assert aside.status_code in (200, 201), aside.content
        assert aside.json()["notices"][-1] == "未识别的字段已忽略：联系电话"
    assert Warning.objects.get().person.phone == "13905710003"


def test_an_unknown_path_and_a_method_not_taken_answer_in_the_apis_json(world: World, client: Client) -> None:
    """They were the site's HTML 404 page and a text "Method not allowed": a partner's system parsing
    the answer as JSON failed on them."""
    _, token = a_key(world)
    unknown = client.get("/api/nothing", headers={"X-API-Key": token})
    assert unknown.status_code == 404 and "接口不存在" in unknown.json()["detail"]
    wrong = client.put("/api/warnings", "{}", content_type="application/json", headers={"X-API-Key": token})
    assert wrong.status_code == 405 and "POST" in wrong["Allow"]
    assert wrong.json()["detail"].startswith("接口不支持该请求方法（") and "POST" in wrong.json()["detail"]
    assert client.get("/nothing").headers["Content-Type"].startswith("text/html")  # the site: its page
