"""Two different files naming the same people, imported at the same moment: no person twice, no failure.

A people file (人员导入) decided at its check whether each row's person is new; the person was created
at the commit without looking again. A second people file with some of the same ID numbers, or a
warning list that registers the same person, committed meanwhile: on SQLite the file was then refused
whole ("该身份证号已有登记"), on PostgreSQL the two commits raced and the later one failed on the
unique ID number as the generic 导入中断. The people importer now takes the warning intake's lock for its
commit (people are created by one writer at a time) and looks each new row's person up again behind it:
the person committed meanwhile is found and counted updated or unchanged.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from fanzha.core.models import Person
from fanzha.core.pii import crypto
from fanzha.imports.importers import people
from fanzha.imports.models import BatchStatus, ImportBatch
from fanzha.imports.pipeline import ImportResult, batch_create, batch_process, import_run, resolve_importer
from fanzha.warnings import bulk
from tests.imports.files import PEOPLE_HEADER, csv_bytes, person_row
from tests.personas import build_world
from tests.warnings.files import row, warning_csv
from tests.warnings.test_s21_assign_race import _in_thread

FIRST = csv_bytes(PEOPLE_HEADER, [person_row(n) for n in range(1, 6)])
SECOND = csv_bytes(PEOPLE_HEADER, [person_row(n, phone=f"138{n:08d}") for n in range(4, 9)])  # 4, 5 again
WARNED = row(1)  # 预警1号, of 城东社区
PERSON_OF_THE_LIST = csv_bytes(PEOPLE_HEADER, [person_row(1, name="预警1号", id_number=WARNED[2])])
NOT_POSTGRESQL = "SQLite's writers queue at BEGIN IMMEDIATE"


def _count(number: str) -> int:
    return Person.objects.filter(id_number_hash=crypto.search_hash("id_number", number)).count()


def _people(world: Any, data: bytes, name: str = "人员.csv") -> Callable[[], ImportResult]:
    return lambda: import_run(actor=world.users["leader"], importer="people", file_name=name, data=data)


def _warning_list() -> ImportResult:
    return import_run(actor=None, importer="warnings", file_name="清单.csv", data=warning_csv([WARNED]))


def _running(world: Any, data: bytes) -> ImportBatch:
    importer, leader = resolve_importer("people"), world.users["leader"]
    return batch_create(actor=leader, importer=importer, file_name="人员.csv", data=data, dry_run=False)


def _while_checked(world: Any, data: bytes, meanwhile: Any) -> ImportResult:
    """Import people ``data``, running ``meanwhile()`` (committed) after its rows were checked."""
    batch, done = _running(world, data), []

    def commit_meanwhile(checked: int, total: int) -> None:
        if not done:
            done.append(meanwhile())

    importer = resolve_importer("people")
    return batch_process(batch, importer, world.users["leader"], data, validating=commit_meanwhile)


@pytest.mark.django_db
def test_people_committed_by_another_file_while_this_one_was_checked_are_updated(world) -> None:  # type: ignore[no-untyped-def]
    result = _while_checked(world, FIRST, _people(world, SECOND, "b.csv"))
    assert result.batch.status == BatchStatus.COMMITTED, result.batch.message
    assert result.summary() == "imported: 3 new, 2 updated, 0 unchanged, 0 rejected"
    assert _count(person_row(4)[1]) == _count(person_row(5)[1]) == 1
    assert Person.objects.get(id_number_hash=crypto.search_hash("id_number", person_row(4)[1])).phone == (
        "13900000004"  # the later commit's
    )


@pytest.mark.django_db
def test_a_person_a_warning_list_registered_while_the_file_was_checked_is_updated(world) -> None:  # type: ignore[no-untyped-def]
    result = _while_checked(world, PERSON_OF_THE_LIST, _warning_list)
    assert result.batch.status == BatchStatus.COMMITTED, result.batch.message
    assert result.summary() == "imported: 0 new, 1 updated, 0 unchanged, 0 rejected"
    assert _count(WARNED[2]) == 1


def _while_committing(first: Any, second: Any, monkeypatch: Any) -> tuple[Any, list[Any], bool]:
    """Run ``first()``; when it writes its first person, ``second()`` starts on its own connection."""
    later: list[Any] = []
    commit_row = people.PersonImporter.commit_row

    def commit_row_while_another_comes(self: people.PersonImporter, **kwargs: Any) -> str:
        outcome = commit_row(self, **kwargs)
        if not later:
            thread, result = _in_thread(second)
            time.sleep(1.0)  # it has checked its file and come to its commit
            later.extend([thread, result, thread.is_alive()])
        return outcome

    monkeypatch.setattr(people.PersonImporter, "commit_row", commit_row_while_another_comes)
    return first(), *later[:2], later[2]  # type: ignore[return-value]


@pytest.mark.skipif(connection.vendor != "postgresql", reason=NOT_POSTGRESQL)
@pytest.mark.django_db(transaction=True)
def test_two_people_files_at_once_create_each_person_once(allow_audit_flush, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    world = build_world()
    first, thread, outcome, waited = _while_committing(
        _people(world, FIRST, "a.csv"), _people(world, SECOND, "b.csv"), monkeypatch
    )
    thread.join(timeout=30)
    assert waited, outcome
    assert first.batch.status == BatchStatus.COMMITTED, first.batch.message
    [second] = outcome
    assert isinstance(second, ImportResult), second
    assert second.batch.status == BatchStatus.COMMITTED, second.batch.message
    assert second.summary() == "imported: 3 new, 2 updated, 0 unchanged, 0 rejected"
    assert all(_count(person_row(n)[1]) == 1 for n in range(1, 9))


@pytest.mark.skipif(connection.vendor != "postgresql", reason=NOT_POSTGRESQL)
@pytest.mark.django_db(transaction=True)
def test_a_list_during_a_people_file_finds_the_person_it_creates(allow_audit_flush, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    world = build_world()
    first, thread, outcome, waited = _while_committing(
        _people(world, PERSON_OF_THE_LIST), _warning_list, monkeypatch
    )
    thread.join(timeout=30)
    assert waited, outcome
    assert first.batch.status == BatchStatus.COMMITTED, first.batch.message
    [warnings] = outcome
    assert isinstance(warnings, ImportResult), warnings
    assert warnings.batch.status == BatchStatus.COMMITTED, warnings.batch.message
    assert _count(WARNED[2]) == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason=NOT_POSTGRESQL)
@pytest.mark.django_db(transaction=True)
def test_a_people_file_during_a_list_finds_the_person_it_creates(allow_audit_flush, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    world = build_world()
    later: list[Any] = []
    finish = bulk._Writes.finish

    def finish_while_a_people_file_comes(self: bulk._Writes) -> None:
        if not later:
            thread, outcome = _in_thread(_people(world, PERSON_OF_THE_LIST))
            time.sleep(1.0)
            later.extend([thread, outcome, thread.is_alive()])
        finish(self)

    monkeypatch.setattr(bulk._Writes, "finish", finish_while_a_people_file_comes)
    warnings = _warning_list()
    thread, outcome, waited = later
    thread.join(timeout=30)
    assert waited, outcome
    assert warnings.batch.status == BatchStatus.COMMITTED, warnings.batch.message
    [result] = outcome
    assert isinstance(result, ImportResult), result
    assert result.batch.status == BatchStatus.COMMITTED, result.batch.message
    assert result.summary() == "imported: 0 new, 1 updated, 0 unchanged, 0 rejected"
    assert _count(WARNED[2]) == 1
