"""POST /api/warnings/batch: a partner's day's list in one request, through the import's bulk path."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from fanzha.audit.models import AuditEvent
from fanzha.core.services.organisations import organisation_create
from fanzha.imports.models import BatchStatus, ImportBatch
from fanzha.warnings.batchpush import MAX_ITEMS
from fanzha.warnings.models import Warning, WarningEvent, WarningSourceRef
from tests.personas import World, id_number, login
from tests.warnings.test_api_key import BODY, a_key
from tests.warnings.test_api_key import push as push_one

URL = "/api/warnings/batch"


def item(n: int, **changes: Any) -> dict[str, Any]:
    return {
        **BODY,
        "source_id": f"ICBC-{n:04d}",
        "name": f"客户{n}",
        "phone": f"139057{n:05d}",
        "transfer_in_progress": False,
        **changes,
    }


def push(client: Client, body: Any, token: str | None = None) -> Any:
    headers = {"X-API-Key": token} if token is not None else {}
    return client.post(
        URL, json.dumps(body, ensure_ascii=False), content_type="application/json", headers=headers
    )


def test_it_receives_a_partners_batch_in_one_import_batch(world: World) -> None:
    key, token = a_key(world)
    client = Client(enforce_csrf_checks=True)  # a partner's system: no session, no CSRF token
    items = [item(n) for n in range(1, 6)]
    items[2] = item(3, amount="80000", transfer_in_progress=True, call_count=4)
    response = push(client, {"warnings": items}, token)
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["received"], body["merged"], body["unchanged"], body["rejected"]) == (5, 0, 0, 0)
    assert [(i["index"], i["outcome"], i["source"], i["source_id"]) for i in body["items"]] == [
        (n - 1, "received", "bank", f"ICBC-{n:04d}") for n in range(1, 6)
    ]
    assert Warning.objects.count() == 5
    urgent = Warning.objects.get(source_id="ICBC-0003")
    assert urgent.grade == "urgent" and urgent.assignee is not None
    assert urgent.facts["transfer"] is True and urgent.facts["calls"] == 4
    refs = WarningSourceRef.objects.all()
    assert {ref.pushed_by_id for ref in refs} == {world.orgs["工商银行青溪支行"].pk}
    batch = ImportBatch.objects.get(pk=body["batch"])
    assert batch.status == BatchStatus.COMMITTED and batch.organisation == world.orgs["工商银行青溪支行"]
    assert batch.actor is None and batch.rows_new == 5
    event = AuditEvent.objects.get(action="import.commit")
    assert event.details["pushed_by"] == world.orgs["工商银行青溪支行"].pk
    assert "13905700001" not in json.dumps(event.details, ensure_ascii=False)
    assert WarningEvent.objects.filter(warning=urgent).exists()
    key.refresh_from_db()
    assert key.request_count == 1 and key.item_count == 5


def test_the_same_push_again_changes_nothing(world: World, client: Client) -> None:
    _, token = a_key(world)
    items = [item(n) for n in range(1, 4)]
    assert push(client, items, token).status_code == 201  # the bare list is accepted too
    again = push(client, items, token)
    assert again.status_code == 200
    assert [i["outcome"] for i in again.json()["items"]] == ["unchanged"] * 3
    assert again.json()["unchanged"] == 3
    overlapping = push(client, [item(3), item(4)], token)  # one pushed before, one new
    assert [i["outcome"] for i in overlapping.json()["items"]] == ["unchanged", "received"]
    assert Warning.objects.count() == 4


def test_one_unusable_item_receives_nothing_and_says_which(world: World, client: Client) -> None:
    _, token = a_key(world)
    items = [item(1), {"source_id": "ICBC-X", "name": "某人"}, item(3)]
    response = push(client, {"warnings": items}, token)
    assert response.status_code == 400
    body = response.json()
    assert body["detail"] == "有无法接收的预警，整批未接收；请按 errors 修改后重新推送"
    assert [error["index"] for error in body["errors"]] == [1]
    assert "无法识别或联系当事人" in body["errors"][0]["message"]
    assert Warning.objects.count() == 0
    assert ImportBatch.objects.get(pk=body["batch"]).status == BatchStatus.REJECTED
    skipping = push(client, {"warnings": items, "skip_rejected": True}, token)
    assert skipping.status_code == 201
    assert [i["outcome"] for i in skipping.json()["items"]] == ["received", "rejected", "received"]
    assert skipping.json()["rejected"] == 1 and Warning.objects.count() == 2


def test_a_partner_pushes_under_its_own_kind_of_source_only(world: World, client: Client) -> None:
    _, token = a_key(world)
    response = push(client, [item(1), item(2, source="上级推送")], token)
    assert response.status_code == 400
    (error,) = response.json()["errors"]
    assert error["index"] == 1 and error["field"] == "预警来源"
    assert error["message"].startswith("此接口密钥属于工商银行青溪支行")
    assert Warning.objects.count() == 0


def test_two_banks_numbering_alike_are_kept_apart_as_in_single_pushes(world: World, client: Client) -> None:
    world.orgs["农业银行青溪支行"] = organisation_create(
        actor=None, name="农业银行青溪支行", kind="bank", area=world.orgs["工商银行青溪支行"].area
    )
    _, icbc = a_key(world)
    _, abc = a_key(world, org="农业银行青溪支行")
    assert push_one(client, item(1), icbc).status_code == 201
    other = {**item(1), "name": "另一客户", "phone": "13905799999"}  # the same 预警编号, another person
    response = push(client, [other], abc)
    assert response.status_code == 201
    assert response.json()["items"][0]["source_id"] == "ICBC-0001"  # as the partner sent it
    stored = sorted(WarningSourceRef.objects.values_list("source_id", "pushed_by__name"))
    assert stored[0] == ("ICBC-0001", "工商银行青溪支行")
    assert stored[1][0].startswith("ICBC-0001@") and stored[1][1] == "农业银行青溪支行"
    again = push(client, [other], abc)  # byte for byte again: the batch is skipped
    assert again.json()["items"][0]["outcome"] == "unchanged"
    single = push_one(client, other, abc)  # one by one: found under the partner's own id
    assert single.status_code == 200 and single.json()["outcome"] == "unchanged"
    assert Warning.objects.count() == 2


def test_a_user_with_the_import_right_may_push_a_batch(world: World, client: Client) -> None:
    login(client, world.users["analyst"])
    person = id_number("331102", "19540101", "123")
    response = push(client, [item(1, source="上级推送", id_number=person)])
    assert response.status_code == 201, response.content
    assert response.json()["items"][0]["source"] == "superior"
    assert WarningSourceRef.objects.get().pushed_by is None
    login(client, world.users["grid_cd"])
    assert push(client, [item(2)]).status_code == 403
    assert Warning.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"warnings": []}, "warnings 为空"),
        ({"warnings": "x"}, "请求体应为"),
        ([1], "第 0 项（从 0 计）不是预警的 JSON 对象"),
        ([{"name": "张三", "call_count": -1}], "第 0 项（从 0 计）字段格式不正确：call_count"),
        ({"warnings": [], "skip_rejected": "yes"}, "skip_rejected 应为 true 或 false"),
        ([{}] * (MAX_ITEMS + 1), f"一次最多推送 {MAX_ITEMS} 条预警"),
    ],
)
def test_it_answers_malformed_batches_in_chinese(world: World, client: Client, body: Any, words: str) -> None:
    _, token = a_key(world)
    response = push(client, body, token)
    assert response.status_code == 400 and words in response.json()["detail"]
    assert not ImportBatch.objects.exists()


def test_it_refuses_without_a_key_or_session(world: World, client: Client) -> None:
    assert push(client, [item(1)]).status_code == 401
    assert push(client, [item(1)], "fzk_wrong").status_code == 401
