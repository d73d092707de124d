"""Retiring an area (撤并): kept with its history, refused while anything still depends on it (s20)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from fanzha.audit.models import AuditEvent
from fanzha.core.models import Area
from fanzha.core.services import areas as area_services
from fanzha.warnings.models import Status, Warning
from tests.personas import login
from tests.warnings.helpers import make_warning


def refusal(call) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as caught:
        call()
    return "；".join(caught.value.messages)


def test_a_village_with_nothing_left_in_it_is_retired_with_its_history_kept(world) -> None:  # type: ignore[no-untyped-def]
    village = world.area("城西社区")
    warning = make_warning(1, address="青溪县城关镇城西社区幸福里5号")
    assert warning.area == village
    Warning.objects.filter(pk=warning.pk).update(status=Status.CLOSED)

    assert area_services.area_retire(actor=world.users["admin"], area=village) == ["is_active"]

    village.refresh_from_db()
    assert not village.is_active and str(village) == "城西社区（已撤销）"
    assert Warning.objects.get(pk=warning.pk).area == village  # history keeps pointing to it
    event = AuditEvent.objects.filter(action="area.retire", object_id=str(village.pk)).latest("id")
    assert event.fields == ["is_active"] and event.actor_id == world.users["admin"].pk
    assert area_services.area_restore(actor=world.users["admin"], area=village) == ["is_active"]
    assert Area.objects.get(pk=village.pk).is_active


def test_retiring_is_refused_while_units_areas_or_open_warnings_depend_on_it(world) -> None:  # type: ignore[no-untyped-def]
    admin = world.users["admin"]
    message = refusal(lambda: area_services.area_retire(actor=admin, area=world.area("城东社区")))
    assert "城东社区居委会" in message and "城东社区第一网格" in message
    township = refusal(lambda: area_services.area_retire(actor=admin, area=world.area("龙泉乡")))
    assert "石桥村（331199200201）" in township and "龙泉派出所" in township

    warning = make_warning(2, address="青溪县城关镇城西社区幸福里5号")
    open_one = refusal(lambda: area_services.area_retire(actor=admin, area=world.area("城西社区")))
    assert f"预警仍在办理：{warning.pk}" in open_one
    assert Area.objects.filter(is_active=False).count() == 0


def test_nothing_in_force_sits_under_a_retired_area(world) -> None:  # type: ignore[no-untyped-def]
    admin = world.users["admin"]
    village = world.area("城西社区")
    area_services.area_retire(actor=admin, area=village)
    message = refusal(
        lambda: area_services.area_create(
            actor=admin, code="331199100002001", name="城西第一网格", level="grid", parent=village
        )
    )
    assert "已撤销" in message
    grid = world.area("城东社区第一网格")
    assert "已撤销" in refusal(lambda: area_services.area_update(actor=admin, area=grid, parent=village))
    kept = area_services.area_create(
        actor=admin, code="331199100002009", name="原城西网格", level="grid", parent=village, is_active=False
    )
    assert "已撤销" in refusal(lambda: area_services.area_restore(actor=admin, area=kept))


def test_the_centre_retires_and_restores_an_area_on_its_page(world, client) -> None:  # type: ignore[no-untyped-def]
    village = world.area("城西社区")
    url = reverse("area_detail", args=[village.pk])
    page = login(client, world.users["admin"]).get(url).content.decode()
    assert "撤销区划（撤并）" in page
    response = client.post(url, {"action": "retire"}, follow=True)
    assert "已撤销" in response.content.decode()
    assert not Area.objects.get(pk=village.pk).is_active
    parent = client.get(reverse("area_detail", args=[village.parent_id])).content.decode()
    assert "城西社区</a> <small" in parent and "已撤销" in parent
    assert "已撤销" not in client.get(reverse("area_list")).content.decode()
    Area.objects.filter(name="龙泉乡").update(is_active=False)  # the list shows down to townships
    assert "已撤销" in client.get(reverse("area_list")).content.decode()
    client.post(url, {"action": "restore"})
    assert Area.objects.get(pk=village.pk).is_active


def test_the_page_lists_what_blocks_a_retirement_and_refuses_it(world, client) -> None:  # type: ignore[no-untyped-def]
    village = world.area("城东社区")
    url = reverse("area_detail", args=[village.pk])
    page = login(client, world.users["admin"]).get(url).content.decode()
    assert "撤销（撤并）前须先处理" in page and "城东社区居委会" in page
    response = client.post(url, {"action": "retire"}, follow=True)
    assert "暂不能撤销" in response.content.decode()
    assert Area.objects.get(pk=village.pk).is_active


def test_only_an_area_manager_may_retire(world, client) -> None:  # type: ignore[no-untyped-def]
    village = world.area("城西社区")
    url = reverse("area_detail", args=[village.pk])
    response = login(client, world.users["leader"]).post(url, {"action": "retire"})
    assert response.status_code == 403
    assert "撤销区划" not in client.get(url).content.decode()
    assert Area.objects.get(pk=village.pk).is_active
