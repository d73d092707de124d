"""The feedback list (反馈上级) at a year's size: the period's rows from an index, not every row checked.

At 1,000,000 warnings the period's count, its rows and the form's list of sources each listed every
warning the user sees (``warning_id IN (…)``) and every pushed row: ≈ 5 s a query, paid even to open
the page. The rows of a source in a period are now read from an index on (source, received_at), in
order, the user's sight tested row by row; the sources are read one index lookup each.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from fanzha.warnings import exports
from fanzha.warnings.models import Warning, WarningRepush, WarningSourceRef
from tests.personas import World
from tests.warnings.helpers import make_warning

SHIQIAO = "青溪县龙泉乡石桥村3组12号"  # 龙泉乡: not in 城关派出所's sight


def _ref(warning):  # type: ignore[no-untyped-def]
    return WarningSourceRef.objects.get(warning=warning)


def _received(warning, at: dt.datetime) -> None:  # type: ignore[no-untyped-def]
    WarningSourceRef.objects.filter(warning=warning).update(received_at=at)


def _pushed_again(warning, at: dt.datetime) -> None:  # type: ignore[no-untyped-def]
    WarningRepush.objects.create(ref=_ref(warning), received_at=at)


@pytest.fixture
def period(world: World) -> dict[str, object]:
    """Today's feedback of 上级推送: rows first received today, one received yesterday and pushed again
    today, one received yesterday only, one received and pushed again today, another source's."""
    now = timezone.now()
    yesterday = now - dt.timedelta(days=1)
    again = make_warning(1)  # yesterday, pushed again today: in, first (its first receipt is earliest)
    _received(again, yesterday)
    _pushed_again(again, now)
    twice = make_warning(2)  # today, and again today: one row
    _pushed_again(twice, now)
    far = make_warning(3, address=SHIQIAO)  # today, in 龙泉乡
    old = make_warning(4)  # yesterday only: out
    _received(old, yesterday)
    other = make_warning(5, source="运营商")  # another source, pushed again today: out
    _received(other, yesterday)
    _pushed_again(other, now)
    today = timezone.localdate()
    return {"start": today, "end": today, "in": [again, twice, far]}


def test_the_period_holds_its_rows_and_those_pushed_again_in_it_once_each(world: World, period) -> None:  # type: ignore[no-untyped-def]
    start, end = period["start"], period["end"]
    for user, expected in (
        (world.users["leader"], period["in"]),
        (world.users["police_cg"], period["in"][:2]),
    ):
        ids = sorted(w.source_id for w in expected)
        assert exports.feedback_count(user, "superior", start, end) == len(expected)
        refs = exports.feedback_refs(user, "superior", start, end)
        assert sorted(refs.values_list("source_id", flat=True)) == ids
        ((header, rows),) = exports.feedback_sections(user, "superior", start, end)
        # By first receipt: the row pushed again (first received yesterday) before today's.
        assert [row[header.index("预警编号")] for row in rows] == [w.source_id for w in expected]


def test_the_form_offers_the_sources_of_the_warnings_the_user_sees(world: World) -> None:
    make_warning(1)
    make_warning(2, source="银行", address=SHIQIAO)
    make_warning(3, source="运营商", address=SHIQIAO)
    assert exports.pushed_sources() == ["bank", "operator", "superior"]
    assert exports.feedback_sources(world.users["leader"]) == ["bank", "operator", "superior"]
    assert exports.feedback_sources(world.users["police_cg"]) == ["superior"]
    assert exports.feedback_sources(world.users["police_lq"]) == ["bank", "operator"]


def test_a_user_who_sees_no_warning_is_offered_no_source(world: World) -> None:
    make_warning(1, address=SHIQIAO)
    assert exports.feedback_sources(world.users["police_cg"]) == []


def test_the_rows_read_no_field_left_out_one_by_one(world: World, period, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The feedback reads only the fields it shows (``exports.FEEDBACK_READ``): one left out would be
    read back row by row, a query each."""
    from fanzha.core.models import Organisation, User

    def refused(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError(f"{type(self).__name__} read back {kwargs.get('fields') or args}")

    for model in (WarningSourceRef, Warning, Organisation, User):
        monkeypatch.setattr(model, "refresh_from_db", refused)
    Warning.objects.filter(pk=period["in"][1].pk).update(  # a closed one, by its unit and officer
        status="closed", outcome="dissuaded", closed_at=timezone.now(), acknowledged_at=timezone.now()
    )
    ((header, rows),) = exports.feedback_sections(
        world.users["leader"], "superior", period["start"], period["end"]
    )
    assert len(rows) == 3 and "劝阻成功" in rows[1]


def _plan(queryset) -> str:  # type: ignore[no-untyped-def]
    if connection.vendor == "postgresql":  # a near-empty table is scanned whole whatever the indexes
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
    return str(queryset.explain())


def _by_source(plan: str) -> bool:
    """The pushed rows read from an index led by their source. SQLite takes the (source, received_at)
    index; PostgreSQL, on the test's few rows, picks between it and the (source, source id) unique index
    by the statistics earlier tests left (either is a range of one source; at a year's size the period's
    time range makes it the first, as measured in docs/warnings.md §7)."""
    if connection.vendor == "sqlite":
        return "warnings_sourceref_received" in plan
    return "warnings_sourceref_received" in plan or "warnings_sourceref_unique" in plan


@pytest.mark.django_db
def test_the_period_s_rows_are_read_in_order_from_the_source_and_time_index(world: World, period) -> None:  # type: ignore[no-untyped-def]
    first, again = exports.feedback_parts(world.users["leader"], "superior", period["start"], period["end"])
    plan = _plan(first.order_by("received_at", "id"))
    assert _by_source(plan), plan
    if connection.vendor == "sqlite":
        # Not sorted (the index gives the order), and no list of every warning the user sees.
        assert "TEMP B-TREE" not in plan and "LIST SUBQUERY" not in plan, plan
    assert _by_source(_plan(first.order_by())), "the count"


@pytest.mark.django_db
def test_the_sources_are_read_from_an_index(world: World, period) -> None:  # type: ignore[no-untyped-def]
    refs = WarningSourceRef.objects.order_by("source").values_list("source", flat=True)
    plan = _plan(refs.filter(source__gt="bank")[:1])
    if connection.vendor == "sqlite":
        assert "COVERING INDEX" in plan and "TEMP B-TREE" not in plan, plan
    else:
        assert "Index Only Scan" in plan, plan
