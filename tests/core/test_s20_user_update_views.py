"""The 编辑 page of a user (s20): 姓名, 工作电话 and 单位 through ``user_update``."""

from __future__ import annotations

from django.urls import reverse

from fanzha.core.models import User
from fanzha.core.services import organisations as org_services
from tests.warnings.helpers import make_warning


def _admin(client, world):  # type: ignore[no-untyped-def]
    client.force_login(world.users["admin"])
    return client


def _set_phone(world, username: str, phone: str) -> None:  # type: ignore[no-untyped-def]
    org_services.user_update(actor=world.users["admin"], user=world.users[username], work_phone=phone)


def test_the_detail_page_links_to_the_edit_form(world, client) -> None:  # type: ignore[no-untyped-def]
    grid_sq = world.users["grid_sq"]
    page = _admin(client, world).get(reverse("user_edit_roles", args=[grid_sq.pk])).content.decode()
    assert f'href="{reverse("user_edit", args=[grid_sq.pk])}"' in page and "编辑" in page


def test_the_form_shows_the_name_and_unit_but_never_the_phone_in_clear(world, client) -> None:  # type: ignore[no-untyped-def]
    _set_phone(world, "grid_sq", "13905715678")
    grid_sq = world.users["grid_sq"]
    response = _admin(client, world).get(reverse("user_edit", args=[grid_sq.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "姓名" in page and "工作电话" in page and "单位" in page
    assert "13905715678" not in page and "留空表示不修改" in page
    assert f'<option value="{world.orgs["石桥村村委会"].pk}" selected>' in page


def test_a_grid_worker_moves_to_another_village_on_the_page(world, client) -> None:  # type: ignore[no-untyped-def]
    _set_phone(world, "grid_sq", "13905715678")
    grid_sq = world.users["grid_sq"]
    response = _admin(client, world).post(
        reverse("user_edit", args=[grid_sq.pk]),
        {"display_name": "张丽", "work_phone": "", "organisation": world.orgs["城东社区居委会"].pk},
    )
    assert response.status_code == 302 and response.url == reverse("user_edit_roles", args=[grid_sq.pk])
    stored = User.objects.get(pk=grid_sq.pk)
    assert (stored.display_name, stored.organisation.name) == ("张丽", "城东社区居委会")
    assert stored.work_phone == "13905715678"  # blank keeps


def test_a_refused_transfer_is_shown_on_the_form_and_nothing_is_saved(world, client) -> None:  # type: ignore[no-untyped-def]
    grid_cd = world.users["grid_cd"]
    make_warning(1)
    response = _admin(client, world).post(
        reverse("user_edit", args=[grid_cd.pk]),
        {"display_name": "李梅", "work_phone": "0571-5550001", "organisation": world.orgs["石桥村村委会"].pk},
    )
    assert response.status_code == 400
    assert "还有 1 条未办结的预警由其承办（请先转交或改派他人）" in response.content.decode()
    stored = User.objects.get(pk=grid_cd.pk)
    assert (stored.display_name, stored.work_phone, stored.organisation.name) == ("", "", "城东社区居委会")


def test_a_bank_is_refused_for_an_officer_on_the_form(world, client) -> None:  # type: ignore[no-untyped-def]
    police = world.users["police_cg"]
    response = _admin(client, world).post(
        reverse("user_edit", args=[police.pk]),
        {"display_name": "", "work_phone": "", "organisation": world.orgs["工商银行青溪支行"].pk},
    )
    assert response.status_code == 400
    assert "银行、运营商单位的用户不能担任按辖区查看记录的角色（派出所民警）" in response.content.decode()


def test_a_user_of_a_deactivated_unit_can_still_be_renamed(world, client) -> None:  # type: ignore[no-untyped-def]
    unit = world.orgs["龙泉派出所"]
    org_services.organisation_update(actor=world.users["admin"], organisation=unit, is_active=False)
    police = world.users["police_lq"]
    response = _admin(client, world).post(
        reverse("user_edit", args=[police.pk]), {"display_name": "周强", "organisation": unit.pk}
    )
    assert response.status_code == 302
    assert User.objects.get(pk=police.pk).display_name == "周强"
    page = client.get(reverse("user_edit", args=[world.users["grid_sq"].pk])).content.decode()
    assert f'value="{unit.pk}"' not in page  # not offered to anyone else


def test_a_missing_user_is_404(world, client) -> None:  # type: ignore[no-untyped-def]
    assert _admin(client, world).get(reverse("user_edit", args=[999999])).status_code == 404
    client.force_login(world.users["leader"])
    assert client.get(reverse("user_edit", args=[999999])).status_code == 403
