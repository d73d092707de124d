"""POST /api/warnings with a partner's API key (scope ``warnings``): no session, no CSRF token."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from fanzha.audit.models import AuditEvent
from fanzha.screen.models import ApiKey
from fanzha.screen.services import api_key_issue, api_key_revoke
from fanzha.warnings.intake import WarningInput
from fanzha.warnings.models import Warning, WarningSourceRef
from fanzha.warnings.people import NAME_DIFFERS
from fanzha.warnings.services import warning_push
from tests.personas import World, id_number, login

URL = "/api/warnings"
BODY = {
    "source_id": "ICBC-20261128-001",
    "name": "孙七",
    "phone": "13905717777",
    "address": "青溪县城关镇城东社区和平路3号",
    "fraud_type": "刷单返利",
    "amount": "50000",
    "transfer_in_progress": True,
}


def a_key(world: World, org: str = "工商银行青溪支行", scopes: list[str] | None = None) -> tuple[ApiKey, str]:
    return api_key_issue(
        actor=world.users["admin"],
        organisation=world.orgs[org],
        name="银行预警推送",
        rate_per_minute=60,
        scopes=scopes or ["warnings"],
    )


def push(client: Client, body: dict[str, Any], token: str | None) -> Any:
    headers = {"X-API-Key": token} if token is not None else {}
    return client.post(URL, json.dumps(body), content_type="application/json", headers=headers)


@pytest.fixture
def csrf_client() -> Client:
    """A client that enforces CSRF like a browser-less partner system meets it."""
    return Client(enforce_csrf_checks=True)


def test_it_receives_a_push_by_key_without_session_or_csrf(world: World, csrf_client: Client) -> None:
    key, token = a_key(world)
    response = push(csrf_client, BODY, token)
    assert response.status_code == 201, response.content
    assert response.json() == {
        "outcome": "received",
        "source": "bank",
        "source_id": "ICBC-20261128-001",
        "notices": [],
    }
    warning = Warning.objects.get()
    assert warning.grade == "urgent" and warning.source == "bank" and warning.assignee is not None
    again = push(csrf_client, BODY, token)
    assert again.status_code == 200 and again.json()["outcome"] == "unchanged"
    assert Warning.objects.count() == 1 and WarningSourceRef.objects.get().source == "bank"
    key.refresh_from_db()
    assert key.request_count == 2 and key.item_count == 2 and key.last_used_at is not None


def test_it_tells_a_partner_nothing_of_the_centres_warning_its_push_joins(
    world: World, client: Client
) -> None:
    login(client, world.users["analyst"])
    sun = id_number("331102", "19540101", "123")
    superior = {
        "source": "上级推送",
        "source_id": "SUP-1",
        "name": "孙七",
        "id_number": sun,
        "amount": "80000",
    }
    assert client.post(URL, json.dumps(superior), content_type="application/json").status_code == 201
    client.logout()
    _, token = a_key(world)
    joined = push(client, {"id_number": sun, "name": "孙大", "source_id": "B-1"}, token)
    assert joined.status_code == 201
    assert joined.json() == {"outcome": "received", "source": "bank", "source_id": "B-1", "notices": []}
    assert Warning.objects.get().merged_count == 1  # joined the open warning, which the bank never sees
    login(client, world.users["analyst"])  # staff are told the name on record differs; the partner is not
    again = {"id_number": sun, "name": "孙大", "source_id": "S-2"}
    staff = client.post(URL, json.dumps(again), content_type="application/json").json()
    assert NAME_DIFFERS in staff["notices"] and staff["grade"] == "urgent"
    derived = push(client, {"id_number": sun}, token).json()
    assert set(derived) == {"outcome", "source", "source_id", "notices"}
    assert derived["source_id"].startswith("row:")


def test_it_audits_a_push_under_the_key_and_its_organisation(world: World, client: Client) -> None:
    key, token = a_key(world)
    push(client, BODY, token)
    event = AuditEvent.objects.get(action="warning.create")
    assert event.actor_id is None and event.actor_username == ""
    assert event.details["channel"] == "api_key" and event.details["api_key_id"] == key.pk
    assert event.details["organisation_id"] == world.orgs["工商银行青溪支行"].pk
    assert "13905717777" not in json.dumps(event.details, ensure_ascii=False)


def test_it_records_a_partners_push_under_its_own_kind_of_source(world: World, client: Client) -> None:
    _, operator = a_key(world, org="中国移动青溪营业厅")
    assert push(client, BODY, operator).json()["source"] == "operator"
    own = {**BODY, "source": "中国移动", "source_id": "OP-2", "phone": "13905718888", "name": "周八"}
    assert push(client, own, operator).json()["source"] == "operator"
    posing = push(client, {**own, "source": "上级推送", "source_id": "SUP-99"}, operator)
    assert posing.status_code == 400
    assert posing.json()["detail"].startswith(
        "此接口密钥属于中国移动青溪营业厅，只能推送来源为“运营商”的预警"
    )
    assert not WarningSourceRef.objects.filter(source_id="SUP-99").exists()
    _, centre = a_key(world, org="青溪县反诈中心")  # the superior platform relays banks' lists too
    relayed = {**BODY, "source": "银行", "source_id": "R-1", "phone": "13905716666", "name": "郑十"}
    assert push(client, relayed, centre).json()["source"] == "bank"
    assert push(client, {**relayed, "source": "", "source_id": "R-2"}, centre).json()["source"] == "superior"
    _, committee = a_key(world, org="城东社区居委会")  # of no sender kind: under its own name, flagged
    other = push(client, {**BODY, "source_id": "X-1", "phone": "13905719999", "name": "吴九"}, committee)
    assert other.json()["source"] == "城东社区居委会"
    assert "未知的预警来源“城东社区居委会”，已按原名记录" in other.json()["notices"]


def test_it_refuses_wrong_revoked_and_unscoped_keys(world: World, client: Client) -> None:
    key, token = a_key(world)
    assert push(client, BODY, "fzk_wrong").status_code == 401
    assert push(client, BODY, token[:-2] + "xx").status_code == 401
    _, screen_only = a_key(world, scopes=["screen"])
    refused = push(client, BODY, screen_only)
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    api_key_revoke(actor=world.users["admin"], key=key)
    assert push(client, BODY, token).status_code == 401
    assert not Warning.objects.exists()


def test_it_does_not_fall_back_to_the_session_when_a_wrong_key_is_sent(world: World, client: Client) -> None:
    login(client, world.users["analyst"])
    assert push(client, BODY, "fzk_wrong").status_code == 401
    assert push(client, BODY, None).status_code == 201  # the session alone still works


def test_it_keeps_the_list_for_sessions(world: World, client: Client) -> None:
    _, token = a_key(world)
    assert client.get(URL, headers={"X-API-Key": token}).status_code == 403  # a key is not a session


def test_it_ignores_a_key_in_the_query_string(world: World, client: Client) -> None:
    _, token = a_key(world)
    response = client.post(f"{URL}?X-API-Key={token}", json.dumps(BODY), content_type="application/json")
    assert response.status_code == 401


def test_it_limits_a_key_per_minute(world: World, client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    key, token = a_key(world)
    ApiKey.objects.filter(pk=key.pk).update(rate_per_minute=2)
    monkeypatch.setattr("fanzha.screen.ratelimit._now", lambda: 1_800_000_030.0)  # 30 s into a minute
    bodies = [{**BODY, "source_id": f"R-{n}", "phone": f"1390571{n:04d}", "name": f"人{n}"} for n in range(3)]
    statuses = [push(client, body, token).status_code for body in bodies]
    assert statuses == [201, 201, 429]
    assert Warning.objects.count() == 2


def test_it_answers_bad_pushes_in_chinese(world: World, client: Client) -> None:
    _, token = a_key(world)
    unusable = push(client, {"name": "无名"}, token)
    assert unusable.status_code == 400 and "无法识别或联系当事人" in unusable.json()["detail"]
    bad = client.post(URL, "{oops", content_type="application/json", headers={"X-API-Key": token})
    assert bad.status_code == 400 and bad.json()["detail"] == "请求体不是有效的 JSON"


def test_the_push_service_itself_refuses_a_key_that_may_not_push(world: World) -> None:
    key, _ = a_key(world, scopes=["screen"])
    with pytest.raises(PermissionDenied):
        warning_push(key=key, data=WarningInput(name="孙七", phone="13905717777"))
    key, _ = a_key(world)
    api_key_revoke(actor=world.users["admin"], key=key)
    key.refresh_from_db()
    with pytest.raises(PermissionDenied):
        warning_push(key=key, data=WarningInput(name="孙七", phone="13905717777"))
    assert not Warning.objects.exists()
