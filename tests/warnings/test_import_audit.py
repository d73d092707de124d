"""A whole warning list is one audit record: the file's hash and the ids it created or merged into."""

from __future__ import annotations

import hashlib

from fanzha.audit.models import AuditEvent
from fanzha.core.models import Person
from fanzha.imports.pipeline import import_run
from fanzha.warnings import bulk
from fanzha.warnings.models import Warning, WarningEvent
from tests.warnings.files import row, warning_csv


def test_it_writes_one_audit_record_with_the_hash_and_the_ids(world) -> None:  # type: ignore[no-untyped-def]
    before, known = AuditEvent.objects.count(), set(Person.objects.values_list("pk", flat=True))
    data = warning_csv([row(1), row(2), row(3), row(4, id_number=row(1)[2], source="运营商")])
    result = import_run(actor=world.users["leader"], importer="warnings", file_name="list.csv", data=data)
    assert result.ok, result.errors
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.get(action="import.commit")
    ids = sorted(Warning.objects.values_list("pk", flat=True))
    assert event.details["sha256"] == hashlib.sha256(data).hexdigest()
    assert event.details["warnings_created"] == bulk.id_ranges(ids) and len(ids) == 3
    assert event.details["warnings_merged"] == []  # merged into a warning of the same file: created
    people = set(Person.objects.values_list("pk", flat=True)) - known
    assert event.details["people_created"] == bulk.id_ranges(people) and len(people) == 3
    assert (event.details["new"], event.details["updated"]) == (3, 1)
    assert WarningEvent.objects.filter(kind="created").count() == 3  # the history stays per warning


def test_it_records_a_merge_into_a_warning_of_an_earlier_file(world) -> None:  # type: ignore[no-untyped-def]
    import_run(actor=None, importer="warnings", file_name="a.csv", data=warning_csv([row(1)]))
    first = Warning.objects.get()
    data = warning_csv([row(2, id_number=row(1)[2], source="运营商"), row(3)])
    import_run(actor=None, importer="warnings", file_name="b.csv", data=data)
    event = AuditEvent.objects.filter(action="import.commit").latest("id")
    created = Warning.objects.exclude(pk=first.pk).get()
    assert event.details["warnings_merged"] == [[first.pk, first.pk]]
    assert event.details["warnings_created"] == [[created.pk, created.pk]]


def test_it_compresses_ids_into_ranges() -> None:
    assert bulk.id_ranges([7, 1, 2, 3, 3, 9, 8]) == [[1, 3], [7, 9]]
    assert bulk.id_ranges([]) == []
