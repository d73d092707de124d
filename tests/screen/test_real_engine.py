"""The API and the page with the committed engine (skipped with a reason when its models are absent)."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from fanzha.screening.typology import load_typology
from tests.personas import World, login
from tests.screen.conftest import real_engine_or_skip

SCAMS = [
    "【工商银行】尊敬的客户，您的账户积分已满10000分，可兑换298元现金，"
    "请登录 http://wap-icbc.cc 兑换，逾期清零。",
    "您好，我是淘宝客服，您购买的商品质量有问题，我们给您办理双倍理赔，请加QQ 12345678 并提供验证码。",
]
ORDINARY = "妈，我周六下午回家吃饭，顺便把你要的药带回去。"


@pytest.fixture(autouse=True)
def _engine() -> None:
    real_engine_or_skip()


def test_it_grades_scams_risky_and_an_ordinary_text_not(world: World, client) -> None:
    login(client, world.users["analyst"])
    items = [{"id": "s1", "text": SCAMS[0]}, {"id": "o", "text": ORDINARY}, {"id": "s2", "text": SCAMS[1]}]
    response = client.post("/api/screen", json.dumps({"items": items}), content_type="application/json")
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["id"] for r in results] == ["s1", "o", "s2"]
    assert results[0]["level"] in {"medium", "high"} and results[2]["level"] in {"medium", "high"}
    assert results[1]["level"] in {"none", "low"}
    typology = load_typology()
    for result in results:
        assert 0 <= result["score"] <= 1
        assert result["category"] in typology
        assert result["category_name"] == typology.get(result["category"]).name
    assert results[0]["reasons"] and all(r["explanation"] for r in results[0]["reasons"])


def test_it_screens_links(world: World, client) -> None:
    login(client, world.users["telecom"])
    body = {
        "kind": "url",
        "items": [{"text": "http://wap-icbc.cc/jf/login.php"}, {"text": "https://www.gov.cn/"}],
    }
    response = client.post("/api/screen", json.dumps(body), content_type="application/json")
    assert response.status_code == 200
    scores = [r["score"] for r in response.json()["results"]]
    assert scores[0] > scores[1]


def test_it_gives_an_empty_item_a_result_of_its_own(world: World, client) -> None:
    login(client, world.users["analyst"])
    body = {"items": [{"text": ""}, {"text": SCAMS[0]}]}
    results = client.post("/api/screen", json.dumps(body), content_type="application/json").json()["results"]
    assert len(results) == 2 and results[0]["level"] == "none"
    assert results[1]["level"] in {"medium", "high"}


def test_it_marks_the_evidence_on_the_page(world: World, client) -> None:
    login(client, world.users["analyst"])
    html = client.post(
        reverse("screen"), {"message": SCAMS[0]}, headers={"HX-Request": "true"}
    ).content.decode()
    assert 'data-level="high"' in html or 'data-level="medium"' in html
    assert "<mark title=" in html
    assert 'data-testid="screen-advice"' in html


def test_it_escapes_a_script_in_a_message(world: World, client) -> None:
    login(client, world.users["analyst"])
    message = "<script>alert('积分兑换')</script> 您的积分即将清零，请登录 http://wap-icbc.cc 兑换"
    html = client.post(
        reverse("screen"), {"message": message}, headers={"HX-Request": "true"}
    ).content.decode()
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


def test_a_lone_surrogate_in_one_item_does_not_fail_the_batch(world: World, client) -> None:
    login(client, world.users["analyst"])
    body = '{"items": [{"text": "ok"}, {"text": "\\ud800 x"}, {"url": "http://a\\udfffb.com"}]}'
    response = client.post("/api/screen", body, content_type="application/json")
    assert response.status_code == 200
    assert [r["error"] for r in response.json()["results"]] == ["", "", ""]
