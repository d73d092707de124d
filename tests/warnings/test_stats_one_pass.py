"""The statistics page and the list's export count every table in one pass over the warnings
(``selectors.summaries``): on a seeded varied day of warnings — handed over, back to the centre's queue,
acknowledged on time and late, reached, closed — each table is what a grouped query ordered by its
fields gives, the mean times to the microsecond, and the page and the export read the warnings once."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from typing import Any

from django.db import connection
from django.db.models import Count, Q
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from fanzha.core.models import Organisation
from fanzha.warnings import selectors
from fanzha.warnings.models import OPEN_STATUSES, Warning
from tests.personas import login
from tests.warnings.helpers import make_warning, second_grid_worker
from tests.warnings.test_probe_s23_stats import CENTRE, Ledger, _received, _work

GROUPINGS = (selectors.AREA_FIELDS, selectors.UNIT_FIELDS, selectors.PERSON_FIELDS)


def _varied_day(world: Any, seed: int = 20261202) -> None:
    rng = random.Random(seed)
    world.users["grid_cd2"] = second_grid_worker(world)
    ledger = Ledger(Organisation.objects.get(name=CENTRE).pk)
    for n in range(1, 25):
        _work(world, rng, ledger, _received(rng, n))
    # times with and without microseconds, as the services and a raw writer leave them
    for w in Warning.objects.filter(acknowledged_at__isnull=False)[:5]:
        Warning.objects.filter(pk=w.pk).update(acknowledged_at=w.acknowledged_at.replace(microsecond=0))
    for n, w in enumerate(Warning.objects.filter(contacted_at__isnull=False)[:5]):
        Warning.objects.filter(pk=w.pk).update(contacted_at=w.contacted_at.replace(microsecond=n * 123457))


def _grouped_by_the_database(qs: Any, fields: tuple[str, ...]) -> list[dict[str, Any]]:
    """The groups and their plain counts as one grouped query ordered by ``fields`` gives them."""
    rows = qs.values(*fields).annotate(
        total=Count("id"),
        open=Count("id", filter=Q(status__in=OPEN_STATUSES)),
        acked=Count("id", filter=Q(acknowledged_at__isnull=False)),
    )
    return list(rows.order_by(*fields))


def _mean(times: list[dt.timedelta]) -> dt.timedelta | None:
    return sum(times, dt.timedelta()) / len(times) if times else None


def test_each_table_is_the_grouped_query_of_its_fields(world) -> None:  # type: ignore[no-untyped-def]
    _varied_day(world)
    make_warning(90, address="青溪县某某新村7号", phone="")  # the centre's queue: no unit, nobody
    qs, _ = selectors.filtered(world.users["leader"], {})
    assert (
        qs.filter(organisation__isnull=True).exists() and qs.values("organisation_id").distinct().count() > 2
    )
    (totals,), *tables = selectors.summaries(qs, ((), *GROUPINGS))
    assert [totals] == selectors.summary(qs)
    warnings = list(qs)
    for fields, table in zip(GROUPINGS, tables, strict=True):
        assert table == selectors.summary(qs, fields), fields
        held = [row for row in table if row["total"]]  # less the units that only handed warnings on
        expected = _grouped_by_the_database(qs, fields)
        assert [{f: r[f] for f in fields} for r in held] == [{f: r[f] for f in fields} for r in expected]
        assert [(r["total"], r["open"], r["acked"]) for r in held] == [
            (r["total"], r["open"], r["acked"]) for r in expected
        ], fields
        ids = [f for f in fields if f.endswith("_id")]
        acks: dict[tuple[Any, ...], list[dt.timedelta]] = defaultdict(list)
        for w in warnings:
            if w.acknowledged_at is not None:
                acks[tuple(getattr(w, f) for f in ids)].append(w.acknowledged_at - w.received_at)
        for row in held:  # to the microsecond
            assert row["mean_ack"] == _mean(acks[tuple(row[f] for f in ids)]), (fields, row)
    reached = [w.contacted_at - w.received_at for w in warnings if w.contacted_at is not None]
    assert totals["mean_contact"] == _mean(reached)
    assert totals["total"] == len(warnings)


def test_elapsed_is_the_difference_to_the_microsecond(world) -> None:  # type: ignore[no-untyped-def]
    w = make_warning(1)
    received = w.received_at.replace(microsecond=999_999)
    for later in (
        received + dt.timedelta(hours=3, microseconds=1),  # the microseconds carry into a second
        received.replace(microsecond=0) + dt.timedelta(days=40),
        received - dt.timedelta(minutes=5, microseconds=250_000),  # before the receipt
    ):
        Warning.objects.filter(pk=w.pk).update(received_at=received, acknowledged_at=later)
        shown = Warning.objects.annotate(took=selectors.Elapsed("acknowledged_at", "received_at")).get(
            pk=w.pk
        )
        assert shown.took == later - received


def _warning_passes(response_of: Any) -> int:
    """How many queries a request made that count warnings into the summaries' figures."""
    with CaptureQueriesContext(connection) as queries:
        response_of()
    return sum('AS "acked_on_time"' in q["sql"] for q in queries)


def test_the_page_and_the_export_read_the_warnings_once(world, client) -> None:  # type: ignore[no-untyped-def]
    _varied_day(world)
    login(client, world.users["leader"])
    stats = reverse("warning_stats")
    assert _warning_passes(lambda: client.get(stats)) == 1  # before: 3 (totals, areas, units)
    assert _warning_passes(lambda: client.get(stats, {"tab": "people"})) == 1  # before: 2
    assert _warning_passes(lambda: client.get(reverse("warning_export"))) == 1  # before: 4


def test_the_board_finds_the_open_warnings_by_status(world) -> None:  # type: ignore[no-untyped-def]
    """The board (and the home page's open counts) start from the status index, not from the scope's
    area index through every warning of the year (SQLite: 5.7 s at 1,000,000 warnings, 0.06 s so)."""
    _varied_day(world)
    sql, params = selectors.board(world.users["leader"])[:201].query.sql_with_params()
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            plan = " ".join(row[3] for row in cursor.fetchall())
        assert "warnings_area_recent" not in plan and "(status=?)" in plan, plan
    shown = [w.pk for w in selectors.board(world.users["leader"])]
    expected = Warning.objects.filter(status__in=OPEN_STATUSES).values_list("pk", flat=True)
    assert sorted(shown) == sorted(expected) and shown
