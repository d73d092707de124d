"""A list that fills in what a known person lacks (their phone) rewrites only what it filled: an edit of the
person committed while the list was being written (a grid worker correcting the address after a visit)
is kept. The bulk path rewrote every column a row may fill, as read before the edit, at its end: on
PostgreSQL the edit was silently undone (SQLite's writers queue behind the list's transaction)."""

from __future__ import annotations

import time
from typing import Any

import pytest

from fanzha.core.models import Person, User
from fanzha.core.services.persons import PersonData, person_update
from fanzha.imports.pipeline import import_run
from fanzha.warnings import bulk
from tests.personas import build_world
from tests.warnings.files import row, warning_csv
from tests.warnings.helpers import make_warning
from tests.warnings.test_s21_assign_race import _in_thread

pytestmark = pytest.mark.django_db(transaction=True)

MOVED = "江州市青溪县城关镇城东社区新家路99号"


def _edit_address(pk: int) -> Any:
    worker = User.objects.get(username="grid_cd")
    person = Person.objects.select_related("area").get(pk=pk)
    data = PersonData(
        name=person.name,
        area=person.area,
        id_number=person.id_number,
        phone=person.phone,
        address=MOVED,
        key_groups=list(person.key_groups),
        notes=person.notes,
    )
    return person_update(actor=worker, person=person, data=data)


def test_a_person_edit_while_a_list_fills_their_phone_is_kept(allow_audit_flush, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    build_world()
    known = make_warning(1, phone="").person
    editing: list[Any] = []
    finish = bulk._Writes.finish

    def finish_after_an_edit(self: bulk._Writes) -> None:
        """The list has read the person and filled their phone in memory; the address is edited now."""
        thread, outcome = _in_thread(lambda: _edit_address(known.pk))
        time.sleep(0.5)
        editing.extend([thread, outcome])
        finish(self)

    monkeypatch.setattr(bulk._Writes, "finish", finish_after_an_edit)
    data = warning_csv([row(7, id_number=known.id_number, warned_at="2026-11-28 10:00:00")])
    result = import_run(actor=None, importer="warnings", file_name="list.csv", data=data)
    thread, outcome = editing
    thread.join(timeout=30)
    assert result.ok and result.batch.rows_updated == 1, result.batch.message
    assert outcome == [["address"]], outcome
    person = Person.objects.get(pk=known.pk)
    assert person.phone == "13700000007"  # the list's fill
    assert person.address == MOVED  # and the worker's edit, not undone by it
