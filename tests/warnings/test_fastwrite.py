"""The bulk writer: instances like the ORM's, tokens the ORM decrypts, ids set, rows read back equal."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from fanzha.core.models import Area, Person
from fanzha.core.pii import crypto
from fanzha.warnings import fastwrite
from fanzha.warnings.models import Warning, WarningEvent, WarningSourceRef
from tests.warnings.helpers import make_warning


def test_it_builds_instances_with_the_orm_defaults() -> None:
    built = fastwrite.build(Warning, source="superior", source_id="X1")
    plain = Warning(source="superior", source_id="X1")
    skip = {"_state"}
    assert {k: v for k, v in built.__dict__.items() if k not in skip} == {
        k: v for k, v in plain.__dict__.items() if k not in skip
    }
    assert built.grade_reasons is not fastwrite.build(Warning).grade_reasons  # a fresh list each


def test_it_seals_tokens_that_decrypt() -> None:
    token = fastwrite.Sealer()("青溪县城关镇城东社区幸福路1号")
    assert crypto.is_token(token) and crypto.decrypt(token) == "青溪县城关镇城东社区幸福路1号"
    assert fastwrite.Sealer()("") == "" and fastwrite.Sealer()(None) is None


def test_it_writes_rows_the_orm_reads_back_equal(world) -> None:  # type: ignore[no-untyped-def]
    area = Area.objects.get(name="城东社区")
    now = timezone.now().replace(microsecond=123456)
    sealer = fastwrite.Sealer()
    people = [fastwrite.build(Person, name=f"批量{n}", phone=f"1390000000{n}", area=area) for n in range(3)]
    warnings = [
        fastwrite.build(
            Warning,
            source="superior",
            source_id=f"FW{n}",
            person=person,
            area=area,
            address="幸福路1号",
            amount=Decimal("12.50"),
            facts={"age": 70, "transfer": True},
            grade_reasons=["年龄 70 岁"],
            warned_at=now,
            received_at=now,
            due_ack_at=now + dt.timedelta(minutes=5),
            due_contact_at=now + dt.timedelta(minutes=30),
        )
        for n, person in enumerate(people)
    ]
    with transaction.atomic():
        fastwrite.insert(people, sealer=sealer, returning=True)
        fastwrite.insert(warnings, sealer=sealer, returning=True)
        events = [
            fastwrite.build(WarningEvent, warning=w, kind="created", at=now, data={"n": 1}) for w in warnings
        ]
        fastwrite.insert(events, sealer=sealer)
    assert all(p.pk for p in people) and len({w.pk for w in warnings}) == 3
    for person, warning in zip(people, warnings, strict=True):
        stored = Warning.objects.select_related("person").get(pk=warning.pk)
        assert stored.person == person and stored.person.name == person.name
        assert (stored.address, stored.amount, stored.facts) == ("幸福路1号", Decimal("12.50"), warning.facts)
        assert stored.received_at == now and stored.created_at is not None
        assert stored.events.get().data == {"n": 1}
    with connection.cursor() as cursor:
        cursor.execute("SELECT address FROM warnings_warning WHERE id = %s", [warnings[0].pk])
        assert crypto.is_token(cursor.fetchone()[0])  # encrypted at rest
        cursor.execute("SELECT grade_reasons FROM warnings_warning WHERE id = %s", [warnings[0].pk])
        raw = cursor.fetchone()[0]
    assert Warning.objects.get(pk=warnings[0].pk).grade_reasons == ["年龄 70 岁"]
    if isinstance(raw, str):  # SQLite's JSON text: Chinese as itself, not as \u escapes
        assert "年龄" in raw
    assert set(Warning.objects.filter(facts__age=70, pk__in=[w.pk for w in warnings])) == set(warnings)


def test_it_raises_djangos_integrity_error_for_a_duplicate(world) -> None:  # type: ignore[no-untyped-def]
    table = WarningSourceRef._meta.db_table
    columns = ["source", "source_id", "warning_id", "received_at", "row_values"]
    warning = make_warning(77)
    now = timezone.now()
    rows = [["superior", "DUP1", warning.pk, now, "{}"], ["superior", "DUP1", warning.pk, now, "{}"]]
    with pytest.raises(IntegrityError), transaction.atomic():
        fastwrite.insert_rows(table, columns, rows)


def _ref_row(warning_id: int, source_id: str) -> list[object]:
    return ["superior", source_id, warning_id, timezone.now(), "{}"]


def test_it_writes_in_a_second_thread_and_reports_its_error_at_close(world) -> None:  # type: ignore[no-untyped-def]
    warning = make_warning(78)
    columns = ["source", "source_id", "warning_id", "received_at", "row_values"]
    with transaction.atomic():
        with fastwrite.Writer() as writer:
            writer.put(WarningSourceRef, columns, [_ref_row(warning.pk, f"W{n}") for n in range(5)])
            writer.put(WarningSourceRef, columns, [_ref_row(warning.pk, "W5")])
        assert WarningSourceRef.objects.filter(source_id__startswith="W").count() == 6
        with pytest.raises(IntegrityError), transaction.atomic():
            writer = fastwrite.Writer()
            writer.put(WarningSourceRef, columns, [_ref_row(warning.pk, "W1")])  # a duplicate
            writer.put(WarningSourceRef, columns, [_ref_row(warning.pk, "W9")])  # not written after it
            writer.close()
    assert not WarningSourceRef.objects.filter(source_id="W9").exists()


def test_it_reserves_ids_past_every_id_the_table_gave(world) -> None:  # type: ignore[no-untyped-def]
    gone = make_warning(79)
    last = gone.pk
    gone.delete()  # the highest id is gone, but must never be given again
    with transaction.atomic():
        ids = list(fastwrite.reserve_ids(Warning, 3))
    assert len(set(ids)) == 3 and min(ids) > last


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's binary COPY")
def test_it_copies_in_binary_with_a_text_fallback(world) -> None:  # type: ignore[no-untyped-def]
    columns = ['"source"', '"source_id"', '"warning_id"', '"received_at"', '"row_values"']
    table = '"warnings_warningsourceref"'
    with connection.cursor() as cursor:
        raw = cursor.cursor
        assert fastwrite._binary_types(raw, table, columns) == [25, 25, 20, 1184, 3802]  # text, int8, …
        assert fastwrite._binary_types(raw, table, [*columns, '"nothing"']) is None
        warning = make_warning(78)
        rows = [["superior", "BIN1", warning.pk, timezone.now(), '{"name":"张*"}']]
        with transaction.atomic():
            assert fastwrite.copy_rows(raw, table, columns, rows) == 1
    assert WarningSourceRef.objects.get(source_id="BIN1").row_values == {"name": "张*"}


REF_COLUMNS = ["source", "source_id", "warning_id", "received_at", "row_values"]


def _deferred_check_pending() -> bool:
    """Whether an orphan source row written now is refused only later (at commit), not at once."""
    with connection.cursor() as cursor, transaction.atomic():
        try:
            with transaction.atomic():
                fastwrite.insert_rows("warnings_warningsourceref", REF_COLUMNS, [_ref_row(10**9, "ORPHAN")])
        except IntegrityError:
            return False
        cursor.execute("DELETE FROM warnings_warningsourceref WHERE source_id = 'ORPHAN'")
    return True


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's deferred foreign keys")
def test_it_checks_foreign_keys_at_each_statement_while_writing(world) -> None:  # type: ignore[no-untyped-def]
    with transaction.atomic():
        assert _deferred_check_pending()  # Django's foreign keys: checked at commit
        with fastwrite.checked_as_written():
            assert not _deferred_check_pending()  # checked by the statement itself
        assert _deferred_check_pending()  # deferred again afterwards
