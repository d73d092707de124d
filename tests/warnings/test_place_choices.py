"""人工定位's choices: each village or grid named as the other pages name it (城关镇 · 城东社区), grouped by
township, read in the same few queries however many villages the county has."""

from __future__ import annotations

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from fanzha.core.services import areas as area_services
from tests.personas import login
from tests.warnings.helpers import make_warning


def _page(client, warning) -> str:  # type: ignore[no-untyped-def]
    return client.get(reverse("warning_place", args=[warning.pk])).content.decode()


def _area(code: str, name: str, level: str, parent):  # type: ignore[no-untyped-def]
    return area_services.area_create(actor=None, code=code, name=name, level=level, parent=parent)


def _groups(page: str) -> dict[str, list[str]]:
    """Each optgroup's label with its options' texts, in the page's order."""
    return {
        label: re.findall(r"<option value=\"\d+\"[^>]*>([^<]*)</option>", body)
        for label, body in re.findall(r'<optgroup label="([^"]*)">(.*?)</optgroup>', page, re.S)
    }


def test_the_choices_read_as_the_other_pages_name_areas_grouped_by_township(world, client) -> None:  # type: ignore[no-untyped-def]
    """The choices ran names together (青溪县龙泉乡石桥村石桥村第一网格), unlike "城关镇 · 城东社区"
    everywhere else, and in one long list."""
    warning = make_warning(1, address="青溪县某某新村7号", phone="")
    login(client, world.users["analyst"])
    page = _page(client, warning)
    assert "青溪县龙泉乡石桥村" not in page
    assert _groups(page) == {
        "城关镇": ["城关镇 · 城东社区", "城东社区 · 城东社区第一网格", "城关镇 · 城西社区"],
        "龙泉乡": ["龙泉乡 · 石桥村", "石桥村 · 石桥村第一网格"],
    }
    assert '<option value="" selected>请选择</option>' in page
    grid = world.area("石桥村第一网格")
    chosen = client.post(reverse("warning_place", args=[warning.pk]), {"area": grid.pk})
    assert chosen.status_code == 302


def test_the_choices_cost_the_same_queries_however_many_villages(world, client) -> None:  # type: ignore[no-untyped-def]
    """Each choice's name was read with a query of its own (Area.full_name: its ancestors)."""
    warning = make_warning(1, address="青溪县某某新村7号", phone="")
    login(client, world.users["analyst"])
    _page(client, warning)  # the session and the user's caches, as on any later page
    with CaptureQueriesContext(connection) as few:
        _page(client, warning)
    township = world.area("龙泉乡")
    for n in range(1, 6):
        village = _area(f"33119920030{n}", f"新村{n}", "village", township)
        _area(f"33119920030{n}001", f"新村{n}第一网格", "grid", village)
    with CaptureQueriesContext(connection) as many:
        page = _page(client, warning)
    assert "龙泉乡 · 新村5" in page and "新村5 · 新村5第一网格" in page
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


def test_townships_of_two_counties_are_told_apart(world, client) -> None:  # type: ignore[no-untyped-def]
    """A city's centre sees several counties, each with its 城关镇: the group names the county too."""
    city = world.area("江州市")
    county = _area("331198000000", "白水县", "district", city)
    town = _area("331198100000", "城关镇", "township", county)
    _area("331198100001", "城南社区", "village", town)
    admin = world.users["leader"]
    admin.organisation.area = city
    admin.organisation.save(update_fields=["area"])
    warning = make_warning(1, address="青溪县某某新村7号", phone="")
    login(client, admin)
    groups = _groups(_page(client, warning))
    assert groups["白水县 · 城关镇"] == ["城关镇 · 城南社区"]
    assert groups["青溪县 · 城关镇"][0] == "城关镇 · 城东社区"
