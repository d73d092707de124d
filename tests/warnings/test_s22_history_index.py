"""The centre's statistics read the handover lines through an index of their own (s22).

``selectors.handed_on`` (the on-time rate's acknowledgements owed by the units that handed a warning on)
filters the history by kind — 转交 or 重新派发 (``HANDED_ON``) — and by warning. The only index was the
one on ``warning_id``: SQLite read every history line of every warning in scope (received, 签收, each
contact, each reminder...) to keep the 1 % that are handovers, and PostgreSQL scanned the whole history
table. A partial index on ``warning_id`` holding the handover lines alone serves it on both.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from fanzha.warnings import selectors
from fanzha.warnings.models import HANDED_ON, EventKind, Warning, WarningEvent
from tests.warnings.helpers import make_warning

INDEX = "warnings_event_handed_on"


def _plan(sql: str) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # a near-empty table is scanned whole whatever the indexes
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("EXPLAIN " + sql)
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql)
        return "\n".join(str(row) for row in cursor.fetchall())


def _handed_on_sql(qs, fields: tuple[str, ...]) -> str:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as queries:
        selectors.handed_on(qs, fields)
    (query,) = queries.captured_queries
    return query["sql"]


def _lines(world) -> None:  # type: ignore[no-untyped-def]
    """A few warnings with their ordinary history and a handover line with its clock each."""
    for n in range(1, 4):
        warning = make_warning(n)
        WarningEvent.objects.create(
            warning=warning,
            at=timezone.now(),
            kind=EventKind.HANDED_OVER,
            data={"clock": {"from_organisation": warning.organisation_id, "ack": "on_time"}},
        )


def test_the_index_holds_the_handover_lines_of_the_kinds_the_statistics_read() -> None:
    assert selectors.HANDED_ON is HANDED_ON  # one tuple: SQLite matches the IN list as written
    (index,) = [i for i in WarningEvent._meta.indexes if i.name == INDEX]
    assert index.fields == ["warning"] and index.condition == Q(kind__in=HANDED_ON)


@pytest.mark.django_db
def test_the_index_is_in_the_database() -> None:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, "warnings_warningevent")
    assert constraints[INDEX]["columns"] == ["warning_id"] and constraints[INDEX]["index"]


@pytest.mark.parametrize(
    ("scope", "fields"),
    [("all", ("organisation_id",)), ("all", ()), ("month", ()), ("month", ("area_id",))],
)
def test_handed_on_reads_the_handover_lines_through_it(world, scope: str, fields: tuple[str, ...]) -> None:  # type: ignore[no-untyped-def]
    _lines(world)
    qs = Warning.objects.all()
    if scope == "month":
        qs = qs.filter(received_at__gte=timezone.now() - dt.timedelta(days=30))
    assert INDEX in _plan(_handed_on_sql(qs, fields))
