"""GET /api/warnings/feedback: a partner's key reads what became of the warnings it pushed."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.test import Client
from django.utils import timezone

from fanzha.core.services.organisations import organisation_create
from fanzha.screen.services import api_key_issue
from fanzha.warnings.models import Warning
from fanzha.warnings.workflow import ContactData, warning_contact_record
from tests.personas import World, login

URL = "/api/warnings"


def a_key(world: World, org: str) -> str:
    _, token = api_key_issue(
        actor=world.users["admin"],
        organisation=world.orgs[org],
        name="推送",
        rate_per_minute=60,
        scopes=["warnings"],
    )
    return token


def push(client: Client, token: str, n: int, **extra: Any) -> Any:
    body = {"source_id": f"P-{n}", "name": f"人员{n}", "phone": f"1390571{n:04d}", **extra}
    return client.post(URL, json.dumps(body), content_type="application/json", headers={"X-API-Key": token})


def feedback(client: Client, token: str, **params: str) -> Any:
    return client.get(f"{URL}/feedback", params, headers={"X-API-Key": token})


def test_it_tells_a_partner_what_became_of_each_of_its_pushes(world: World, client: Client) -> None:
    bank = a_key(world, "工商银行青溪支行")
    for n in (1, 2):
        assert push(client, bank, n, address="青溪县城关镇城东社区和平路3号").status_code == 201
    done = Warning.objects.get(source_id="P-1")
    warning_contact_record(
        actor=done.assignee, warning=done, data=ContactData(kind="call", outcome="dissuaded")
    )
    response = feedback(client, bank)
    assert response.status_code == 200, response.content
    rows = {row["source_id"]: row for row in response.json()}
    assert set(rows) == {"P-1", "P-2"}
    assert rows["P-1"]["outcome"] == "劝阻成功" and rows["P-1"]["contacted_at"] is not None
    assert rows["P-2"]["outcome"] == "" and rows["P-2"]["contacted_at"] is None
    assert set(rows["P-1"]) == {
        "source_id",
        "received_at",
        "status",
        "outcome",
        "acknowledged_at",
        "contacted_at",
        "closed_at",
    }
    assert "13905710001" not in response.content.decode() and "人员1" not in response.content.decode()


def test_it_shows_a_partner_only_its_own_pushes(world: World, client: Client) -> None:
    bank, operator = a_key(world, "工商银行青溪支行"), a_key(world, "中国移动青溪营业厅")
    push(client, bank, 1)
    push(client, operator, 2)
    login(client, world.users["analyst"])
    staff = {"source": "银行", "source_id": "S-3", "name": "人员3", "phone": "13905710003"}
    client.post(URL, json.dumps(staff), content_type="application/json")
    client.logout()
    assert [row["source_id"] for row in feedback(client, bank).json()] == ["P-1"]
    assert [row["source_id"] for row in feedback(client, operator).json()] == ["P-2"]


def test_it_reads_a_period_and_pages(world: World, client: Client) -> None:
    bank = a_key(world, "工商银行青溪支行")
    for n in range(3):
        push(client, bank, n)
    today = timezone.localdate()
    assert len(feedback(client, bank, since=today.isoformat(), until=today.isoformat()).json()) == 3
    yesterday = (today - dt.timedelta(days=1)).isoformat()
    assert feedback(client, bank, since=yesterday, until=yesterday).json() == []
    page = feedback(client, bank, limit="2", offset="2").json()
    assert [row["source_id"] for row in page] == ["P-2"]


def test_it_refuses_bad_periods_and_sessions(world: World, client: Client) -> None:
    bank = a_key(world, "工商银行青溪支行")
    assert (
        feedback(client, bank, since="28/11/2026").json()["detail"]
        == "参数 since、until 应为日期，如 2026-11-28"
    )
    assert feedback(client, bank, since="2026-01-01", until="2026-11-28").status_code == 400
    assert feedback(client, bank, since="2026-11-28", until="2026-11-01").status_code == 400
    login(client, world.users["analyst"])
    assert client.get(f"{URL}/feedback").status_code == 401  # a partner's door only


def test_it_keeps_two_partners_of_one_kind_apart_when_they_number_alike(world: World, client: Client) -> None:
    world.orgs["农业银行青溪支行"] = organisation_create(
        actor=None, name="农业银行青溪支行", kind="bank", area=world.orgs["工商银行青溪支行"].area
    )
    icbc, abc = a_key(world, "工商银行青溪支行"), a_key(world, "农业银行青溪支行")
    assert push(client, icbc, 1).status_code == 201
    other = push(client, abc, 2, source_id="P-1")  # the same 预警编号, another bank, another person
    assert other.status_code == 201 and other.json()["source_id"] == "P-1"
    assert Warning.objects.count() == 2
    again = push(client, abc, 2, source_id="P-1")
    assert again.status_code == 200 and again.json()["outcome"] == "unchanged"
    assert [row["source_id"] for row in feedback(client, abc).json()] == ["P-1"]
    assert [row["source_id"] for row in feedback(client, icbc).json()] == ["P-1"]
    stored = sorted(Warning.objects.values_list("source_id", flat=True))
    assert stored[0] == "P-1" and stored[1].startswith("P-1@")


def test_it_reads_back_a_batch_push_with_the_single_pushes(world: World, client: Client) -> None:
    # The items of POST /api/warnings/batch carry a layout of their own (our list's) in the centre's
    # export; the partner's read-back is the same for them as for one-by-one pushes.
    bank = a_key(world, "工商银行青溪支行")
    assert push(client, bank, 1).status_code == 201
    items = [{"source_id": f"P-{n}", "name": f"人员{n}", "phone": f"1390571{n:04d}"} for n in (2, 3)]
    batch = client.post(
        f"{URL}/batch",
        json.dumps({"warnings": items}),
        content_type="application/json",
        headers={"X-API-Key": bank},
    )
    assert batch.status_code == 201, batch.content
    rows = feedback(client, bank).json()
    assert [row["source_id"] for row in rows] == ["P-1", "P-2", "P-3"]
    assert "人员2" not in json.dumps(rows, ensure_ascii=False)
