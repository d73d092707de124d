"""The list's Excel export of a few thousand rows: the same cells whatever it leaves unread.

The export reads only what it shows of each warning (``exports.UNSHOWN``: the clock's other datetimes,
the reminders, the counters are not read or converted). Its workbook must stay cell for cell what it
was when each warning was read whole, in one query however many rows.
"""

from __future__ import annotations

import copy
import datetime as dt
import io

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from fanzha.warnings import exports
from fanzha.warnings.models import Outcome, Status, Warning
from tests.personas import World, login
from tests.warnings.helpers import make_warning

ROWS = 3000
# What the export left unread before: the personal data it does not show.
READ_WHOLE = (
    "address",
    "id_number_raw",
    "suspect_numbers",
    "suspect_accounts",
    "notes",
    "facts",
    "person__id_number",
    "person__address",
    "assignee__work_phone",
    "assignee__totp_secret",
)


def _many(world: World) -> None:
    """``ROWS`` warnings in several states, copied from two received ones (another area, source, unit)."""
    models = [make_warning(1), make_warning(2, source="运营商", address="青溪县龙泉乡石桥村3组12号")]
    now = timezone.now()
    copies = []
    for n in range(ROWS - len(models)):
        w = copy.copy(models[n % 2])
        w.pk = None
        w.source_id = f"C{n:05d}" if n % 7 else f"13{n:09d}"  # some all digits, as long as a phone
        w.received_at = now - dt.timedelta(minutes=n)
        if n % 3 == 0:
            w.status, w.acknowledged_at = Status.ACKNOWLEDGED, now - dt.timedelta(minutes=n - 5)
        if n % 5 == 0:
            w.status, w.outcome, w.contacted_at = Status.CLOSED, Outcome.DISSUADED, now
            w.closed_at, w.escalated = now, n % 10 == 0
        copies.append(w)
    Warning.objects.bulk_create(copies)


def _cells(client, queries: list[int]) -> dict[str, list[tuple[object, ...]]]:  # type: ignore[no-untyped-def]
    from openpyxl import load_workbook

    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("warning_export"), {})
    assert response.status_code == 200
    queries.append(len(captured.captured_queries))
    book = load_workbook(io.BytesIO(response.content))
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets}


def test_the_export_s_cells_are_those_of_the_warnings_read_whole(world: World, client, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    _many(world)
    login(client, world.users["leader"])
    queries: list[int] = []
    now = _cells(client, queries)
    monkeypatch.setattr(exports, "UNSHOWN", READ_WHOLE)
    before = _cells(client, queries)
    assert len(now["预警"]) == ROWS + 1 and now["预警"][0] == tuple(exports.LIST_HEADER)
    assert now == before
    assert queries[0] == queries[1], "a deferred field read row by row"
    digits = [row for row in now["预警"][1:] if str(row[2]).isdigit()]
    assert digits and all(isinstance(row[2], str) for row in digits)  # text, not a number in E notation
