"""The warning page names its 区划 as the other warning pages do (``area_label``: “城关镇 · 城东社区”), read
with the warning: it ran the ancestors together (“青溪县城关镇城东社区”, ``Area.full_name``) with a query of
their own."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.warnings.helpers import make_warning

# The page's queries for a centre leader, the area's parent read with the warning (14 when the area's
# name read its ancestors).
DETAIL_QUERIES = 13


def test_the_page_names_the_area_with_its_township(world, client) -> None:  # type: ignore[no-untyped-def]
    warning = make_warning(1)  # in 城东社区, 城关镇
    client.force_login(world.users["grid_cd"])
    page = client.get(reverse("warning_detail", args=[warning.pk])).content.decode()
    assert '<dd class="col-8" data-testid="area">城关镇 · 城东社区</dd>' in page


def test_the_area_costs_the_page_no_query_of_its_own(world, client) -> None:  # type: ignore[no-untyped-def]
    warning = make_warning(1)
    client.force_login(world.users["leader"])
    url = reverse("warning_detail", args=[warning.pk])
    client.get(url)  # the session's first reads
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    sql = [q["sql"] for q in queries.captured_queries]
    assert len(sql) <= DETAIL_QUERIES, sql
