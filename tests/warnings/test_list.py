"""The centre's list page: the same rows as the access scope, a capped count, a pinned number of queries."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from fanzha.warnings import selectors
from fanzha.warnings.models import Warning
from tests.personas import login
from tests.warnings.helpers import make_warning

# session, user, roles, organisation, its jurisdiction (2), the capped count, the area menu, the page's
# rows (one query with persons, areas, units and assignees joined), the session's save (3)
LIST_QUERIES = 12


def test_it_shows_each_user_exactly_the_warnings_of_their_scope(world) -> None:  # type: ignore[no-untyped-def]
    make_warning(1)
    make_warning(2, address="青溪县龙泉乡石桥村3号")
    for name in ("leader", "police_cg", "police_lq", "grid_cd", "grid_sq", "bank", "auditor"):
        user = world.users[name]
        expected = set(Warning.objects.visible_to(user).values_list("pk", flat=True))
        assert set(selectors.visible(user).values_list("pk", flat=True)) == expected, name
    assert selectors.visible(world.users["grid_sq"]).count() == 1
    assert selectors.visible(world.users["bank"]).count() == 0


def test_it_narrows_by_area_to_the_area_and_below(world) -> None:  # type: ignore[no-untyped-def]
    chengdong = make_warning(1)
    make_warning(2, address="青溪县龙泉乡石桥村3号")
    qs, applied = selectors.filtered(world.users["leader"], {"area": str(chengdong.area.parent_id)})
    assert list(qs) == [chengdong] and applied == {"area": str(chengdong.area.parent_id)}


def test_an_area_outside_the_jurisdiction_lists_nothing_and_says_so(world, client) -> None:  # type: ignore[no-untyped-def]
    """A stale or hand-made link to another station's area: nothing listed (it had listed the whole
    scope under the area's name in the link), the page saying why, the menu at 全部区划."""
    make_warning(1)
    shiqiao = make_warning(2, address="青溪县龙泉乡石桥村3号")
    qs, applied = selectors.filtered(world.users["police_cg"], {"area": str(shiqiao.area_id)})
    assert list(qs) == [] and applied == {}
    login(client, world.users["police_cg"])
    for name in ("warning_list", "warning_stats"):
        page = client.get(reverse(name), {"area": str(shiqiao.area_id)}).content.decode()
        assert selectors.AREA_OUTSIDE in page, name
    page = client.get(reverse("warning_list"), {"area": "99999"}).content.decode()
    assert selectors.AREA_OUTSIDE in page and "没有预警。" in page


def test_it_pins_the_number_of_queries_whatever_the_page_and_filters(  # type: ignore[no-untyped-def]
    world, client, django_assert_num_queries
) -> None:
    for n in range(1, 8):
        make_warning(n, address=f"城东社区{n}号")
    login(client, world.users["leader"])
    area = str(Warning.objects.first().area.parent_id)
    for params in ({}, {"grade": "medium"}, {"grade": "medium", "status": "assigned", "page": "2"}):
        with django_assert_num_queries(LIST_QUERIES):
            response = client.get(reverse("warning_list"), params)
        assert response.status_code == 200
    for params in ({"area": area}, {"area": area, "grade": "medium", "page": "2"}):
        with django_assert_num_queries(LIST_QUERIES + 1):  # the area asked for, read in the jurisdiction
            response = client.get(reverse("warning_list"), params)
        assert response.status_code == 200
    with django_assert_num_queries(LIST_QUERIES - 1):  # an area not found: no count, no rows to read
        assert client.get(reverse("warning_list"), {"area": "99999"}).status_code == 200


def test_its_pages_hold_the_rows_newest_first_ties_by_id_each_once(world) -> None:  # type: ignore[no-untyped-def]
    """The page's ids are picked first and its rows read after: the pages still split the one order."""
    made = [make_warning(n, address=f"城东社区{n}号") for n in range(1, 8)]
    base = timezone.now() - dt.timedelta(hours=1)
    for n, warning in enumerate(made):  # two pairs received at the same moment: the later id first
        Warning.objects.filter(pk=warning.pk).update(received_at=base + dt.timedelta(minutes=n // 2 * 3))
    expected = sorted(made, key=lambda w: (Warning.objects.get(pk=w.pk).received_at, w.pk), reverse=True)
    qs = selectors.visible(world.users["leader"])
    pages = [list(selectors.list_page(qs, number, 3)) for number in (1, 2, 3)]
    assert [len(page) for page in pages] == [3, 3, 1]
    assert [w.pk for page in pages for w in page] == [w.pk for w in expected]
    assert pages[0][0].area.parent.name == "城关镇"  # the rows come with what the list shows of them


def test_it_counts_no_further_than_the_cap(world, client, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    for n in range(1, 6):
        make_warning(n, address=f"城东社区{n}号")
    monkeypatch.setattr(selectors, "LIST_COUNT_CAP", 3)
    monkeypatch.setattr("fanzha.warnings.views.PAGE_SIZE", 2)
    login(client, world.users["leader"])
    page = client.get(reverse("warning_list")).content.decode()
    assert "共 3+ 条" in page and "第 1 / 2 页" in page
    monkeypatch.setattr(selectors, "LIST_COUNT_CAP", 100)
    assert "共 5 条" in client.get(reverse("warning_list")).content.decode()


def test_the_list_and_the_board_name_a_village_with_its_township(world, client) -> None:  # type: ignore[no-untyped-def]
    make_warning(1)  # 城关镇's 城东社区: a county may have another 城东社区 elsewhere
    login(client, world.users["leader"])
    listed = client.get(reverse("warning_list")).content.decode()
    assert '<td class="text-nowrap">城关镇 · 城东社区</td>' in listed  # the row, not the area menu
    assert "城关镇 · 城东社区 · " in client.get(reverse("warning_board")).content.decode()
