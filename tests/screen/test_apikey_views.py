"""The administrator's key pages: list, issue (token shown once), revoke."""

from __future__ import annotations

from django.urls import reverse

from fanzha.audit.models import AuditEvent
from fanzha.screen.models import ApiKey
from fanzha.screen.services import api_key_find
from tests.personas import World, login


def test_it_issues_a_key_and_shows_the_token_once(world: World, client) -> None:
    login(client, world.users["admin"])
    bank = world.orgs["工商银行青溪支行"]
    response = client.post(
        reverse("apikey_issue"),
        {"organisation": bank.pk, "name": "柜面劝阻", "rate_per_minute": "20", "scopes": ["warnings"]},
    )
    assert response.status_code == 200
    html = response.content.decode()
    key = ApiKey.objects.get()
    token = html.split('data-testid="apikey-token"', 1)[0].rsplit('value="', 1)[1].split('"', 1)[0]
    assert api_key_find(token) == key
    assert "只显示这一次" in html and response["Cache-Control"].startswith(
        ("max-age=0", "no-cache", "no-store")
    )
    assert (key.organisation, key.name, key.rate_per_minute, key.scopes) == (
        bank,
        "柜面劝阻",
        20,
        ["warnings"],
    )
    assert "可调用：推送预警（POST /api/warnings）" in html
    listing = client.get(reverse("apikey_list")).content.decode()
    assert key.prefix in listing and token not in listing and "推送预警" in listing
    assert AuditEvent.objects.filter(action="apikey.issue", actor_username="admin").count() == 1


def test_it_shows_form_errors_in_chinese(world: World, client) -> None:
    login(client, world.users["admin"])
    response = client.post(reverse("apikey_issue"), {"organisation": "", "name": "", "rate_per_minute": "0"})
    assert response.status_code == 400
    assert not ApiKey.objects.exists()
    assert "这个字段是必填项" in response.content.decode() or "必填" in response.content.decode()
    assert "至少选择一项权限范围" in response.content.decode()


def test_it_offers_both_scopes_with_screening_ticked(world: World, client) -> None:
    login(client, world.users["admin"])
    html = client.get(reverse("apikey_issue")).content.decode()
    assert 'value="screen" id="id_scopes_0" checked' in html.replace("\n", " ")
    assert 'value="warnings"' in html and "推送预警（POST /api/warnings）" in html


def test_it_revokes_a_key(world: World, client) -> None:
    login(client, world.users["admin"])
    client.post(
        reverse("apikey_issue"),
        {
            "organisation": world.orgs["中国移动青溪营业厅"].pk,
            "name": "短信",
            "rate_per_minute": "60",
            "scopes": ["screen"],
        },
    )
    key = ApiKey.objects.get()
    response = client.post(reverse("apikey_revoke", kwargs={"pk": key.pk}), follow=True)
    assert "已吊销密钥" in response.content.decode()
    key.refresh_from_db()
    assert key.revoked_at is not None
    assert AuditEvent.objects.filter(action="apikey.revoke").count() == 1
    again = client.post(reverse("apikey_revoke", kwargs={"pk": key.pk}), follow=True)
    assert "此前已吊销" in again.content.decode()
    assert AuditEvent.objects.filter(action="apikey.revoke").count() == 1


def test_it_refuses_a_get_on_revoke(world: World, client) -> None:
    login(client, world.users["admin"])
    assert client.get(reverse("apikey_revoke", kwargs={"pk": 1})).status_code == 405


def test_it_answers_404_for_a_missing_key(world: World, client) -> None:
    login(client, world.users["admin"])
    assert client.post(reverse("apikey_revoke", kwargs={"pk": 999})).status_code == 404
