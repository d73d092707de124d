"""The API reads keys written as a pushed list's column headers (预警编号, 手机号, "ID number"), as the
file import reads them: a partner's system that sends its list's own names is understood."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from fanzha.warnings.models import Warning
from tests.personas import World, login

LISTED = {
    "预警编号": "SJ-0001",
    "姓名": "孙七",
    "手机号": "13905717777",
    "现住址": "青溪县城关镇城东社区和平路3号",
    "诈骗类型": "冒充公检法",
    "预警来源": "运营商",
    "涉案金额（元）": "8000",
    "嫌疑号码": "075512345678",
    "被叫次数": 5,
    "回拨次数": 2,
    "备注": "多次来电",
}


def post(client: Client, url: str, body: Any) -> Any:
    return client.post(url, json.dumps(body, ensure_ascii=False), content_type="application/json")


def test_one_warning_pushed_with_the_lists_column_names_is_read_field_by_field(
    world: World, client: Client
) -> None:
    login(client, world.users["analyst"])
    response = post(client, "/api/warnings", {**LISTED, "录入人": "张三"})
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["source_id"], data["source"], data["fraud_type"]) == (
        "SJ-0001",
        "operator",
        "impersonate_authority",
    )
    assert "被诈骗号码呼叫 5 次，回拨 2 次" in data["grade_reasons"]
    assert data["notices"] == ["未识别的字段已忽略：录入人"]
    warning = Warning.objects.get()
    assert (warning.amount, warning.suspect_numbers, warning.notes) == (8000, "075512345678", "多次来电")
    english = {"Warning ID": "SJ-0002", "Name": "周八", "Phone": "13905718888", "Fraud type": "刷单返利"}
    assert post(client, "/api/warnings", english).json()["source_id"] == "SJ-0002"


def test_two_keys_for_one_field_are_refused_by_name(world: World, client: Client) -> None:
    login(client, world.users["analyst"])
    response = post(client, "/api/warnings", {**LISTED, "phone": "13905719999"})
    assert response.status_code == 400
    assert "都指“手机号”" in response.json()["detail"]
    twice = post(client, "/api/warnings", {**LISTED, "预警单号": "SJ-9"})  # two names of 预警编号
    assert (
        twice.status_code == 400
        and twice.json()["detail"] == "字段“预警单号”与另一字段都指“预警编号”，请只保留一个"
    )
    batch = post(
        client, "/api/warnings/batch", [LISTED, {**LISTED, "预警编号": "SJ-2", "phone": "13905719999"}]
    )
    assert batch.status_code == 400 and batch.json()["detail"].startswith("第 1 项（从 0 计）字段“")
    assert not Warning.objects.exists()


def test_a_batch_pushed_with_the_lists_column_names_is_received(world: World, client: Client) -> None:
    login(client, world.users["leader"])
    items = [LISTED, {**LISTED, "预警编号": "SJ-0002", "姓名": "周八", "手机号": "13905718888"}]
    response = post(client, "/api/warnings/batch", {"warnings": items})
    assert response.status_code == 201, response.content
    body = response.json()
    assert [i["source_id"] for i in body["items"]] == ["SJ-0001", "SJ-0002"] and body["notices"] == []
    assert set(Warning.objects.values_list("fraud_type", flat=True)) == {"impersonate_authority"}


def test_a_second_phone_column_beside_the_first_is_left_aside_as_in_a_file(
    world: World, client: Client
) -> None:
    login(client, world.users["analyst"])
    response = post(client, "/api/warnings", {**LISTED, "联系电话": "13905716666"})
    assert response.status_code == 201, response.content
    assert response.json()["notices"] == ["未识别的字段已忽略：联系电话"]
    alone = post(client, "/api/warnings", {"预警编号": "SJ-3", "姓名": "吴九", "联系电话": "13905716666"})
    assert alone.status_code == 201 and alone.json()["phone"] == "139****6666"


def test_two_keys_for_the_suspects_numbers_are_refused_by_name(world: World, client: Client) -> None:
    """A file reads every suspect column, joined; a request names each field once: a second key for the
    suspect's numbers is refused, not left aside (its number would be lost)."""
    login(client, world.users["analyst"])
    for second in ({"嫌疑人电话": "17012345679"}, {"嫌疑号码1": "17012345679"}):
        response = post(client, "/api/warnings", {**LISTED, **second})
        assert response.status_code == 400, second
        assert "都指“嫌疑号码”" in response.json()["detail"], second
    assert not Warning.objects.exists()
