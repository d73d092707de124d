"""After a 撤并, the people list imported again keeps each person in the retired area they are
registered in (as the person service does); a new person, or one moved there, is refused it (s20)."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from fanzha.core.models import Area, Person
from fanzha.core.pii import crypto
from fanzha.imports.models import BatchStatus
from fanzha.imports.pipeline import import_run
from tests.imports.files import PEOPLE_HEADER, csv_bytes, person_row

RETIRED = "该区划已撤销（撤并），请改填现行的区划"
WEST = "331199100002"  # 城西社区


def run(world, header: list[str], rows: list[list[str]]):  # type: ignore[no-untyped-def]
    data = csv_bytes(header, rows)
    return import_run(actor=world.users["leader"], importer="people", file_name="人员.csv", data=data)


def person(row: list[str]) -> Person:
    return Person.objects.get(id_number_hash=crypto.search_hash("id_number", row[1]))


def test_the_same_list_again_keeps_people_in_their_retired_area(world) -> None:  # type: ignore[no-untyped-def]
    rows = [person_row(n, area_code=WEST) for n in range(1, 4)]
    in_force = [person_row(n) for n in range(11, 14)]  # 城东社区's grid
    assert run(world, PEOPLE_HEADER, rows + in_force).batch.status == BatchStatus.COMMITTED
    Area.objects.filter(code=WEST).update(is_active=False)  # 撤并 after they were registered

    with CaptureQueriesContext(connection) as kept:
        again = run(world, PEOPLE_HEADER, rows[::-1])
    assert again.batch.status == BatchStatus.COMMITTED, again.batch.errors
    assert (again.batch.rows_new, again.batch.rows_updated, again.batch.rows_unchanged) == (0, 0, 3)
    assert all(person(row).area.code == WEST for row in rows)
    with CaptureQueriesContext(connection) as usual:
        run(world, PEOPLE_HEADER, in_force[::-1])
    # the retired area is read once a file like any other, not looked up again for each row kept in it
    assert len(kept) == len(usual), [q["sql"] for q in kept.captured_queries]

    by_name = [[r[0], r[1], "城西社区"] for r in rows]
    assert run(world, ["姓名", "身份证号", "所属区划"], by_name).batch.status == BatchStatus.COMMITTED


def test_a_new_person_or_one_moved_is_refused_the_retired_area(world) -> None:  # type: ignore[no-untyped-def]
    elsewhere = person_row(5)  # 城东社区's grid
    assert run(world, PEOPLE_HEADER, [elsewhere]).batch.status == BatchStatus.COMMITTED
    Area.objects.filter(code=WEST).update(is_active=False)

    moved = [elsewhere[0], elsewhere[1], "", "", WEST, ""]
    new = person_row(6, area_code=WEST)
    result = run(world, PEOPLE_HEADER, [moved, new])
    assert result.batch.status == BatchStatus.REJECTED
    assert [(e["row"], e["message"]) for e in result.batch.errors] == [(2, RETIRED), (3, RETIRED)]
    assert person(elsewhere).area.code == "331199100001001"
    assert not Person.objects.filter(id_number_hash=crypto.search_hash("id_number", new[1])).exists()
