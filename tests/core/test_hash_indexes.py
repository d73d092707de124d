"""Keyed-hash columns: one index each for equality (none unused: no ``LIKE`` index on PostgreSQL, no
index on a hash nothing looks up by), and the ID-number lookups go through the partial unique index."""

from __future__ import annotations

import pytest
from django.db import connection

from fanzha.core.models import Person
from fanzha.core.pii import crypto

HASH_COLUMNS = [
    ("core_person", "id_number_hash"),
    ("core_person", "phone_hash"),
    ("numbers_scorednumber", "number_hash"),
    ("numbers_potentialvictim", "number_hash"),
    ("numbers_indicatorproposal", "number_hash"),
    ("cases_payment", "to_account_hash"),
    ("cases_suspect", "value_hash"),
    ("cases_measure", "account_hash"),
]


def _indexes(table: str) -> dict[str, list[str]]:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    return {name: c["columns"] for name, c in constraints.items() if c["index"]}


@pytest.mark.django_db
@pytest.mark.parametrize(("table", "column"), HASH_COLUMNS)
def test_it_indexes_each_keyed_hash_once_for_equality(table: str, column: str) -> None:
    on_column = [name for name, columns in _indexes(table).items() if columns == [column]]
    assert on_column, f"{table}.{column} has no index"
    assert not [name for name in on_column if name.endswith("_like")]


@pytest.mark.django_db
def test_it_keeps_no_index_on_the_name_hash() -> None:
    assert not [name for name, columns in _indexes("core_person").items() if "name_hash" in columns]


@pytest.mark.django_db
def test_it_looks_people_up_by_id_number_through_the_unique_index() -> None:
    digest = crypto.search_hash("id_number", "110101199003077777")
    if connection.vendor == "postgresql":  # a near-empty table is scanned whole whatever the indexes
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
    for digests in ([digest], [digest, "0" * 64]):
        query = Person.objects.with_id_number_hash(*digests).order_by()  # no join for the default order
        assert "core_person_unique_id_number" in query.explain()


@pytest.mark.django_db
def test_it_never_matches_people_without_an_id_number(world) -> None:  # type: ignore[no-untyped-def]
    person = world.people["chengdong"]
    Person.objects.filter(pk=person.pk).update(id_number_hash="")
    assert Person.objects.filter(id_number_hash="").exists()
    assert not Person.objects.with_id_number_hash("").exists()
    assert Person.objects.with_id_number_hash(crypto.search_hash("id_number", "x"), "").count() == 0
