"""Review of POST /api/warnings/batch against the same items pushed one by one."""

from __future__ import annotations

import json

from django.test import Client

from fanzha.imports.pipeline import import_run
from fanzha.warnings.exports import feedback_columns
from fanzha.warnings.models import Warning
from fanzha.warnings.people import NAME_DIFFERS
from tests.imports.files import csv_bytes
from tests.personas import World, id_number, login
from tests.warnings.test_api_batch import item, push
from tests.warnings.test_api_key import a_key
from tests.warnings.test_api_key import push as push_one
from tests.warnings.test_feedback_layout import HEADER, superior_row


def test_a_batch_push_leaves_the_sources_feedback_layout_alone(world: World, client: Client) -> None:
    # A bank's file import sets the layout the centre's feedback list for 银行 is written in; a bank's
    # system pushing JSON has no layout (one by one it changes nothing): its keys are not column names.
    rows = [[*superior_row(1)[:-1], "银行"]]
    assert import_run(actor=None, importer="warnings", file_name="工行.csv", data=csv_bytes(HEADER, rows)).ok
    before = feedback_columns("bank")
    _, token = a_key(world)
    assert push(client, [item(1), item(2)], token).status_code == 201
    assert feedback_columns("bank") == before


def _superior_warning(client: Client, world: World, person: str) -> None:
    """The centre's own open warning of ``person`` (by ID number), received by an analyst."""
    login(client, world.users["analyst"])
    body = {
        "source": "上级推送",
        "source_id": "SUP-1",
        "name": "孙七",
        "id_number": person,
        "amount": "80000",
    }
    assert client.post("/api/warnings", json.dumps(body), content_type="application/json").status_code == 201
    client.logout()


def test_a_partner_learns_nothing_of_the_centres_warning_its_batch_joins(
    world: World, client: Client
) -> None:
    # One by one, a push that joins the centre's open warning of the person is answered "received" with
    # no notice about the person on record; the batch told the bank "merged: 1" and NAME_DIFFERS.
    sun = id_number("331102", "19540101", "123")
    _superior_warning(client, world, sun)
    _, token = a_key(world)
    joined = {"id_number": sun, "name": "孙大", "source_id": "B-1"}
    single = push_one(client, joined, token).json()
    assert single == {"outcome": "received", "source": "bank", "source_id": "B-1", "notices": []}
    response = push(client, [{**joined, "source_id": "B-2"}, item(1)], token)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["items"][0] == {
        "index": 0,
        "outcome": "received",
        "source": "bank",
        "source_id": "B-2",
        "notices": [],
    }
    assert NAME_DIFFERS not in json.dumps(body, ensure_ascii=False)
    assert (body["received"], body["merged"]) == (2, 0)


def test_a_repeated_push_does_not_call_an_item_rejected_before_unchanged(
    world: World, client: Client
) -> None:
    # skip_rejected received the usable items and rejected one; the same push again answered that one
    # "unchanged" (as if received before) — the bank would never send it corrected.
    _, token = a_key(world)
    body = {"warnings": [item(1), {"source_id": "ICBC-X", "name": "某人"}], "skip_rejected": True}
    first = push(client, body, token).json()
    assert [i["outcome"] for i in first["items"]] == ["received", "rejected"]
    again = push(client, body, token).json()
    assert [i["outcome"] for i in again["items"]] == ["unchanged", "rejected"]
    assert again["rejected"] == 1
    strict = push(client, {**body, "skip_rejected": False}, token)
    assert strict.status_code == 400 and [e["index"] for e in strict.json()["errors"]] == [1]
    assert Warning.objects.count() == 1


def test_the_same_push_again_answers_each_item_as_the_first_time(world: World, client: Client) -> None:
    # A bank omits source (its kind is taken) and sends one item without 预警编号 (a derived id): the
    # repeat answered source "" and source_id "" for them — not what the first answer and POST
    # /api/warnings (unchanged, source bank, the same id) say.
    _, token = a_key(world)
    items = [item(1), {key: value for key, value in item(2).items() if key != "source_id"}]
    first = push(client, items, token).json()["items"]
    assert [(i["source"], i["source_id"][:4]) for i in first] == [("bank", "ICBC"), ("bank", "row:")]
    again = push(client, items, token).json()["items"]
    assert [(i["outcome"], i["source"], i["source_id"]) for i in again] == [
        ("unchanged", i["source"], i["source_id"]) for i in first
    ]
    single = push_one(client, items[1], token).json()
    assert (single["outcome"], single["source_id"]) == ("unchanged", first[1]["source_id"])


def test_an_item_pushed_in_a_batch_then_alone_is_unchanged_without_a_notice(
    world: World, client: Client
) -> None:
    _, token = a_key(world)
    assert push(client, [item(1)], token).status_code == 201
    single = push_one(client, item(1), token).json()
    assert (single["outcome"], single["notices"]) == ("unchanged", [])
    assert push_one(client, item(2), token).status_code == 201
    again = push(client, [item(2)], token).json()["items"][0]
    assert (again["outcome"], again["notices"]) == ("unchanged", [])


def test_items_without_any_identifier_are_answered_item_by_item(world: World, client: Client) -> None:
    # No item names name, id_number or phone: the answer was the file upload's "缺少必需的列…（表头在第 0
    # 行）" or "未找到表头…请在数据上方加上列名一行…重新上传", with no errors by index; one by one each
    # is "无法识别或联系当事人".
    _, token = a_key(world)
    for body in (
        [{"source_id": "B-1", "address": "青溪县"}],
        [{}],
        [{"amount": "5"}, {"fraud_type": "刷单"}],
    ):
        response = push(client, body, token)
        assert response.status_code == 400
        answer = response.json()
        assert "表头" not in answer["detail"] and "上传" not in answer["detail"]
        assert [error["index"] for error in answer["errors"]] == list(range(len(body)))
        assert all("无法识别或联系当事人" in error["message"] for error in answer["errors"])
