"""Keyed-hash columns keep their plain index and, on PostgreSQL, carry no unused ``LIKE`` index."""

from __future__ import annotations

import pytest
from django.db import connection

HASH_COLUMNS = [
    ("core_person", "name_hash"),
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
