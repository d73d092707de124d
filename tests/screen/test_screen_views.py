"""The analyst's screening page and the typology page."""

from __future__ import annotations

import logging

import pytest
from django.urls import reverse

from fanzha.screen import bridge
from fanzha.screening.typology import load_typology
from tests.personas import World, login
from tests.screen.conftest import FakeEngine

SCAM = "【工商银行】您的积分即将清零，请致电13905711234兑换，卡号6222021234567891234"


def test_it_shows_an_empty_form_first(world: World, client, fake_engine: FakeEngine) -> None:
    login(client, world.users["analyst"])
    response = client.get(reverse("screen"))
    assert response.status_code == 200
    assert 'data-testid="screen-input"' in response.content.decode()
    assert fake_engine.calls == []


def test_it_shows_level_score_type_evidence_and_advice(world: World, client, fake_engine: FakeEngine) -> None:
    login(client, world.users["analyst"])
    response = client.post(reverse("screen"), {"message": SCAM}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html, "htmx gets the fragment only"
    assert 'data-level="high"' in html and ">高</span>" in html and "text-bg-danger" in html
    assert "97%" in html
    assert "伪基站积分钓鱼" in html
    assert load_typology().get("bank_points_phishing").advice in html
    assert html.count('<mark title="以积分兑换现金为由诱导点击链接">积分</mark>') == 1
    assert "以积分兑换现金为由诱导点击链接" in html


def test_it_masks_extracted_numbers_in_the_entity_table(
    world: World, client, fake_engine: FakeEngine
) -> None:
    login(client, world.users["police_cg"])
    html = client.post(reverse("screen"), {"message": SCAM}).content.decode()
    table = html[html.index('data-testid="screen-entities"') :]
    assert "139****1234" in table and "6222 **** **** 1234" in table
    assert "13905711234" not in table and "6222021234567891234" not in table


def test_it_renders_the_whole_page_without_htmx(world: World, client, fake_engine: FakeEngine) -> None:
    login(client, world.users["grid_cd"])
    response = client.post(reverse("screen"), {"message": SCAM})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" in html and 'data-testid="screen-result"' in html
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]


def test_it_shows_html_in_a_message_as_text(world: World, client, fake_engine: FakeEngine) -> None:
    login(client, world.users["analyst"])
    message = '<script>alert("x")</script><b onmouseover=alert(1)>积分</b>" title="x'
    html = client.post(
        reverse("screen"), {"message": message}, headers={"HX-Request": "true"}
    ).content.decode()
    assert "<script>alert" not in html and "<b onmouseover" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "<mark title=" in html and "&lt;b onmouseover=alert(1)&gt;<mark" in html
    assert '" title="x' not in html


def test_it_screens_a_single_link_as_a_url(world: World, client, fake_engine: FakeEngine) -> None:
    login(client, world.users["analyst"])
    html = client.post(reverse("screen"), {"message": "  http://icbc-jf.cc/login  "}).content.decode()
    assert fake_engine.calls == [("url", 1)]
    assert "网址" in html and "example.cc" in html


def test_it_screens_a_message_with_a_link_as_text(world: World, client, fake_engine: FakeEngine) -> None:
    login(client, world.users["analyst"])
    client.post(reverse("screen"), {"message": "积分兑换 http://icbc-jf.cc"})
    assert fake_engine.calls == [("text", 1)]


def test_it_asks_for_something_to_screen(world: World, client, fake_engine: FakeEngine) -> None:
    login(client, world.users["analyst"])
    response = client.post(reverse("screen"), {"message": "   "}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "请粘贴要筛查的内容" in response.content.decode()
    assert client.post(reverse("screen"), {"message": ""}).status_code == 400
    assert fake_engine.calls == []


def test_it_flags_a_message_cut_to_the_bound(world: World, client, fake_engine: FakeEngine) -> None:
    login(client, world.users["analyst"])
    html = client.post(reverse("screen"), {"message": "积分" * 60_000}).content.decode()
    assert 'data-testid="screen-truncated"' in html


def test_it_says_when_the_engine_is_unavailable(
    world: World, client, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(values: list[str], kind: str) -> list[object]:
        raise bridge.EngineUnavailable("OSError")

    monkeypatch.setattr(bridge, "screen", broken)
    login(client, world.users["analyst"])
    html = client.post(reverse("screen"), {"message": "x"}, headers={"HX-Request": "true"}).content.decode()
    assert "筛查引擎暂不可用" in html


def test_it_logs_no_message_text(world: World, client, monkeypatch: pytest.MonkeyPatch, caplog) -> None:
    marker = "页面筛查日志标记XYZ321"

    def broken(texts: list[str]) -> list[object]:
        raise ValueError(f"cannot screen {texts[0]}")

    monkeypatch.setattr("fanzha.screening.screen_texts", broken)
    caplog.set_level(logging.DEBUG)
    login(client, world.users["analyst"])
    assert client.post(reverse("screen"), {"message": marker}).status_code == 400
    assert caplog.records, "the failure and the 400 answer are logged"
    assert marker not in caplog.text + "".join(str(r.__dict__) for r in caplog.records)


@pytest.mark.parametrize("username", ["auditor", "admin"])
def test_it_refuses_roles_that_do_not_screen(
    world: World, client, fake_engine: FakeEngine, username: str
) -> None:
    login(client, world.users[username])
    assert client.post(reverse("screen"), {"message": SCAM}).status_code == 403
    assert fake_engine.calls == []


def test_it_shows_the_nav_link_only_to_screeners(world: World, client) -> None:
    url = reverse("screen")
    login(client, world.users["bank"])
    assert f'href="{url}"' in client.get(reverse("home")).content.decode()
    login(client, world.users["auditor"])
    assert f'href="{url}"' not in client.get(reverse("home")).content.decode()


def test_it_lists_every_type_with_its_advice(world: World, client) -> None:
    login(client, world.users["auditor"])
    html = client.get(reverse("screen_typology")).content.decode()
    typology = load_typology()
    assert html.count('data-testid="typology-type"') == len(typology)
    for fraud_type in typology.all():
        assert f'id="type-{fraud_type.code}"' in html
        assert fraud_type.name in html
    phishing = typology.get("bank_points_phishing")
    assert phishing.advice in html and phishing.scripts[0] in html
