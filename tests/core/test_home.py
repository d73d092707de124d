"""Each role's home page: counts from the user's own scope, a pinned number of queries."""

from __future__ import annotations

from django.urls import reverse

from fanzha.core import selectors


def test_it_breaks_the_county_down_by_township_for_the_centre(world, client) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.users["leader"])
    response = client.get(reverse("home"))
    html = response.content.decode()
    assert "中心领导工作台" in html
    charts = response.context["chart_data"]
    assert charts[0]["labels"] == ["城关镇", "龙泉乡"]
    assert charts[0]["total"] == [1, 1]


def test_it_counts_only_the_grid_workers_village(world, client) -> None:  # type: ignore[no-untyped-def]
    summary = selectors.home_summary(world.users["grid_cd"])
    assert summary["people"] == 1
    assert summary["jurisdiction"] == ["城东社区"]
    rows = summary["breakdown"][0]["rows"]
    assert [(r["area"].name, r["total"], r["key"]) for r in rows] == [("城东社区第一网格", 1, 1)]


def test_it_renders_the_leaders_home_in_a_fixed_number_of_queries(
    world, client, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.users["leader"])
    with django_assert_max_num_queries(20):  # 16, and four counts of the centre's warnings (each on an index)
        assert client.get(reverse("home")).status_code == 200
