"""A person edited on their page while a people file updating them commits (PostgreSQL).

The file appends an audit record a row and so holds the audit chain's lock from its first row; the edit
writes the person's row, then waits for that lock for its own record; the file then comes to the row
of the edited person and waits for the edit: each waits for the other, and PostgreSQL stops one with
"deadlock detected" (the edit as a server error, or the file as 导入中断). The file now locks its people
already registered, in id order, before its first record: the edit waits for the file, or the file for
the edit.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.db import connection

from fanzha.core.models import Person
from fanzha.core.pii import crypto
from fanzha.core.services.persons import PersonData, person_update
from fanzha.imports.importers import people
from fanzha.imports.pipeline import ImportResult, import_run
from tests.imports.files import PEOPLE_HEADER, csv_bytes, person_row
from tests.personas import build_world
from tests.warnings.test_s21_assign_race import _in_thread

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite's writers queue at BEGIN IMMEDIATE"),
    pytest.mark.django_db(transaction=True),
]


def _edit_address(world: Any, number: str) -> Any:
    digest = crypto.search_hash("id_number", number)
    person = Person.objects.with_id_number_hash(digest).select_related("area").get()
    data = PersonData(
        name=person.name,
        area=person.area,
        id_number=person.id_number,
        phone=person.phone,
        address="青溪县城关镇幸福路999号",
        key_groups=list(person.key_groups),
        notes=person.notes,
    )
    return person_update(actor=world.users["leader"], person=person, data=data)


def test_a_person_edited_while_a_people_file_updates_them_both_complete(
    allow_audit_flush, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    world = build_world()
    leader = world.users["leader"]
    first = [person_row(n) for n in range(1, 3)]
    registered = import_run(
        actor=leader, importer="people", file_name="a.csv", data=csv_bytes(PEOPLE_HEADER, first)
    )
    assert registered.ok, registered.batch.message
    again = csv_bytes(PEOPLE_HEADER, [person_row(n, phone=f"138{n:08d}") for n in range(1, 3)])
    editing: list[Any] = []
    commit_row = people.PersonImporter.commit_row

    def edit_after_the_first_row(self: people.PersonImporter, **kwargs: Any) -> str:
        outcome = commit_row(self, **kwargs)
        if not editing:
            thread, result = _in_thread(lambda: _edit_address(world, person_row(2)[1]))
            time.sleep(1.0)
            editing.extend([thread, result])
        return outcome

    monkeypatch.setattr(people.PersonImporter, "commit_row", edit_after_the_first_row)
    outcome: list[Any] = []
    try:
        outcome.append(import_run(actor=leader, importer="people", file_name="b.csv", data=again))
    except Exception as exc:  # noqa: BLE001 - reported below
        outcome.append(exc)
    thread, edited = editing
    thread.join(timeout=30)
    assert isinstance(outcome[0], ImportResult) and outcome[0].ok, outcome
    assert edited == [["address"]], edited  # the edit waited for the file, then wrote on top of it
    person = Person.objects.with_id_number_hash(crypto.search_hash("id_number", person_row(2)[1])).get()
    assert person.address == "青溪县城关镇幸福路999号"  # (its phone: as the page read it, before the file)
