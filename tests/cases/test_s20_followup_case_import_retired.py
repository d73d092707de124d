"""A case's 发案地 is history: a case list naming a village retired (撤并) since is imported there, with a
notice; a new victim is registered in the nearest area in force above it (s20)."""

from __future__ import annotations

from fanzha.cases.importer import RETIRED_PLACE, VICTIM_ABOVE
from fanzha.cases.models import Case
from fanzha.core.models import Area, Person
from fanzha.core.pii import crypto
from fanzha.imports.models import BatchStatus
from fanzha.imports.pipeline import import_run
from tests.imports.files import PEOPLE_HEADER, csv_bytes, person_row

HEADER = ["案件编号", "报案时间", "发案时间", "区划代码", "受害人姓名", "身份证号", "损失金额"]
WEST = "331199100002"  # 城西社区, under 城关镇


def case_row(ref: str, name: str, id_number: str = "") -> list[str]:
    return [ref, "2024-03-02 09:30", "2024-03-01 20:10", WEST, name, id_number, "5000"]


def run(world, rows: list[list[str]]):  # type: ignore[no-untyped-def]
    data = csv_bytes(HEADER, rows)
    return import_run(actor=world.users["analyst"], importer="cases", file_name="案件.csv", data=data)


def test_a_case_in_a_village_retired_since_is_imported_there_with_a_notice(world) -> None:  # type: ignore[no-untyped-def]
    registered = person_row(7, area_code=WEST)
    people = import_run(
        actor=world.users["leader"],
        importer="people",
        file_name="人员.csv",
        data=csv_bytes(PEOPLE_HEADER, [registered]),
    )
    assert people.batch.status == BatchStatus.COMMITTED
    Area.objects.filter(code=WEST).update(is_active=False)  # 撤并 after the frauds

    rows = [case_row("H2024001", registered[0], registered[1]), case_row("H2024002", "周某")]
    result = run(world, rows)
    assert result.batch.status == BatchStatus.COMMITTED, result.batch.errors
    assert {c.area.code for c in Case.objects.filter(source_ref__startswith="H2024")} == {WEST}
    known = Person.objects.get(id_number_hash=crypto.search_hash("id_number", registered[1]))
    assert known.area.code == WEST  # found, not registered again
    new = Case.objects.get(source_ref="H2024002").victims.get().person
    assert new.area.name == "城关镇" and new.area.is_active
    assert {(n["row"], n["column"], n["message"]) for n in result.batch.notices} == {
        (2, "区划代码", RETIRED_PLACE),
        (3, "区划代码", RETIRED_PLACE),
        (3, "区划代码", VICTIM_ABOVE.format(name="城关镇")),
    }
    assert "周某" not in str(result.batch.notices)

    again = run(world, rows[::-1])
    assert again.batch.status == BatchStatus.COMMITTED, again.batch.errors
    assert (again.batch.rows_new, again.batch.rows_unchanged, again.batch.notices) == (0, 2, [])
