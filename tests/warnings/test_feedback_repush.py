"""A row pushed again, unchanged, in a later list is answered in that list's period too.

A superior centre re-sends the rows it has no answer for yet; the warning is not touched (the row is
``unchanged``), but the later period's feedback used to leave those rows out and the list's 本批预警 was
empty. Each later receipt is now recorded (WarningRepush), once a list and row.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from fanzha.imports.pipeline import import_run
from fanzha.warnings.models import PushedLayout, Warning, WarningRepush, WarningSourceRef
from fanzha.warnings.selectors import batch_count
from tests.imports.files import csv_bytes
from tests.personas import World, login
from tests.warnings.test_api_key import a_key
from tests.warnings.test_feedback_layout import HEADER, superior_row
from tests.warnings.test_s22_feedback_per_file import NEW_HEADER, new_row, sections


def imported(name: str, data: bytes):  # type: ignore[no-untyped-def]
    result = import_run(actor=None, importer="warnings", file_name=name, data=data)
    assert result.ok, result.batch.message
    return result


def received_yesterday() -> None:
    """What was imported so far, as if received a day ago (the first list of the period before)."""
    day = dt.timedelta(days=1)
    for model in (WarningSourceRef, PushedLayout):
        for obj in model.objects.exclude(received_at=None):
            model.objects.filter(pk=obj.pk).update(received_at=obj.received_at - day)


def test_a_row_pushed_again_unchanged_is_answered_in_the_later_period(world: World, client: Client) -> None:
    imported("省厅推送（昨天）.csv", csv_bytes(HEADER, [superior_row(1), superior_row(2)]))
    received_yesterday()
    # Today's list: row 2 again (in another encoding, so not skipped as the same file) and a new row.
    today = csv_bytes(NEW_HEADER, [new_row(1)])
    imported("省厅推送（今天-新）.csv", today)
    again = imported("省厅推送（今天）.csv", csv_bytes(HEADER, [superior_row(2)], encoding="gb18030"))
    assert again.batch.rows_unchanged == 1 and Warning.objects.count() == 3
    login(client, world.users["analyst"])
    first, second = sections(client)
    # Row 2 goes back in the layout it first came in, with its unread cells (序号, 性别) as it kept them.
    assert first[0][: len(HEADER)] == HEADER and [row[1] for row in first[1:]] == ["SJ-002"]
    back = dict(zip(first[0], first[1], strict=True))
    assert back["序号"] == "2" and back["性别"] == "男" and "*" in back["受害人姓名"]
    assert [row[0] for row in second[1:]] == ["SX-001"]


def test_it_is_recorded_once_a_list_and_only_for_rows_of_earlier_lists(world: World) -> None:
    # A row repeated within the first list is that list's own row: nothing pushed again.
    imported("a.csv", csv_bytes(HEADER, [superior_row(1), superior_row(1), superior_row(2)]))
    assert not WarningRepush.objects.exists()
    again = imported("b.csv", csv_bytes(HEADER, [superior_row(1), superior_row(1)], encoding="gb18030"))
    (repush,) = WarningRepush.objects.all()
    assert repush.ref.source_id == "SJ-001" and repush.batch_id == again.batch.pk


def test_the_later_lists_warnings_include_the_rows_pushed_again(world: World) -> None:
    imported("a.csv", csv_bytes(HEADER, [superior_row(1), superior_row(2)]))
    again = imported("b.csv", csv_bytes(HEADER, [superior_row(2)], encoding="gb18030"))
    assert batch_count(world.users["analyst"], again.batch.pk) == (1, False)


def test_a_partners_single_push_again_is_recorded_for_its_feedback(world: World) -> None:
    from fanzha.warnings.intake import WarningInput
    from fanzha.warnings.services import warning_push

    key, _ = a_key(world)
    data = WarningInput(source="银行", source_id="ICBC-1", name="客户一", phone="13905700001")
    assert warning_push(key=key, data=data).outcome == "new"
    assert warning_push(key=key, data=data).outcome == "unchanged"
    (repush,) = WarningRepush.objects.all()
    assert repush.pushed_by_id == key.organisation_id and repush.ref.source_id == "ICBC-1"


def test_a_partner_reading_its_feedback_is_answered_for_a_row_it_pushed_again(world: World) -> None:
    import json

    from tests.warnings.test_api_feedback import a_key as token_of
    from tests.warnings.test_api_feedback import feedback, push

    client, bank = Client(), token_of(world, "工商银行青溪支行")
    assert push(client, bank, 1).status_code == 201
    WarningSourceRef.objects.update(received_at=dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC))
    assert feedback(client, bank, since="2026-01-05", until="2026-01-05").json()[0]["source_id"] == "P-1"
    today = timezone.localdate().isoformat()
    assert feedback(client, bank, since=today, until=today).json() == []
    assert push(client, bank, 1).status_code == 200  # pushed again today, unchanged
    (row,) = json.loads(feedback(client, bank, since=today, until=today).content)
    assert row["source_id"] == "P-1" and row["received_at"].startswith("2026-01-05")


def _plan(qs) -> str:  # type: ignore[no-untyped-def]
    from django.db import connection

    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(line for (line,) in cursor.fetchall())


def test_the_batch_and_partner_filters_join_their_ids_not_test_every_row(world: World) -> None:
    """PostgreSQL: ``id IN (…) OR id IN (…)`` is a subplan tested on every warning (every source id, for
    a partner's feedback) — a whole-table scan however small the batch; one ``IN`` over the union of the
    two id lists is a semi-join read from the batch's (the partner's) indexes. SQLite unions an OR's
    indexed terms itself."""
    from django.db import connection

    from fanzha.warnings import selectors
    from fanzha.warnings.exports import partner_refs

    if connection.vendor != "postgresql":
        pytest.skip("the planner's OR of two subqueries is PostgreSQL's")
    imported("a.csv", csv_bytes(HEADER, [superior_row(1), superior_row(2)]))
    again = imported("b.csv", csv_bytes(HEADER, [superior_row(2)], encoding="gb18030"))
    batch_plan = _plan(Warning.objects.filter(selectors.of_batch(again.batch.pk)).order_by().values("pk"))
    assert "SubPlan" not in batch_plan, batch_plan
    key, _ = a_key(world)
    day = timezone.now()
    partner_plan = _plan(partner_refs(key.organisation, day - dt.timedelta(days=1), day))
    assert "SubPlan" not in partner_plan, partner_plan


def test_the_feedback_reads_the_layouts_of_rows_pushed_again_in_one_go(world: World, client: Client) -> None:
    """Rows a partner pushed one by one (each at its own instant) and pushed again today: the feedback
    looks up the layouts of their first receipts together, not one query a row."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from fanzha.warnings.intake import WarningInput
    from fanzha.warnings.services import warning_push
    from tests.warnings.test_feedback_layout import feedback

    key, _ = a_key(world)
    login(client, world.users["analyst"])

    def queries_for(count: int, first: int) -> int:
        rows = [
            WarningInput(source="银行", source_id=f"B-{n}", name=f"客户{n}", phone=f"1390570{n:04d}")
            for n in range(first, first + count)
        ]
        for data in rows:
            assert warning_push(key=key, data=data).outcome == "new"
        received_yesterday()
        for data in rows:
            assert warning_push(key=key, data=data).outcome == "unchanged"
        with CaptureQueriesContext(connection) as done:
            assert len(feedback(client, "bank")) == 1 + WarningRepush.objects.count()
        return len(done.captured_queries)

    assert queries_for(2, 1) == queries_for(6, 3)
