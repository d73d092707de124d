"""The bulk intake's lookups of known people and their open warnings read one table each.

Joined to the areas (and sorted by area, as people are by default), PostgreSQL planned them from the
tables' statistics; told the tables were empty (vacuumed after a rolled-back load, or not analysed since
a load earlier in the same transaction — the demo's superior lists), it walked every area and scanned
every person under it for each phone looked up: the demo's load took minutes on CI. Read alone, each
lookup is an index scan whatever the statistics say; the areas come in one query of their own.
"""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from fanzha.core.models import Person
from fanzha.imports.pipeline import import_run
from tests.imports.files import csv_bytes
from tests.warnings.files import HEADER, row


def test_known_people_and_their_warnings_are_looked_up_without_a_join(world) -> None:  # type: ignore[no-untyped-def]
    first = import_run(
        actor=None, importer="warnings", file_name="a.csv", data=csv_bytes(HEADER, [row(1), row(2)])
    )
    assert first.ok, first.batch.message
    again = [[f"{row(n)[0]}-again", *row(n)[1:]] for n in (1, 2)]  # the same people, new ids
    with CaptureQueriesContext(connection) as queries:
        result = import_run(actor=None, importer="warnings", file_name="b.csv", data=csv_bytes(HEADER, again))
    assert result.ok and result.batch.rows_updated == 2, result.batch.message
    person_table, warning_table = Person._meta.db_table, "warnings_warning"
    lookups = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith("SELECT")
        and (f'FROM "{person_table}"' in q["sql"] or f'FROM "{warning_table}"' in q["sql"])
    ]
    assert lookups, "no lookup of people or warnings captured"
    joined = [sql for sql in lookups if " JOIN " in sql and '"core_area"' in sql]
    assert not joined, joined
