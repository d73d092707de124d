"""The people import reads 区划代码 as the area import does, and never takes a retired area (s20)."""

from __future__ import annotations

from fanzha.core.models import Area, Person
from fanzha.core.pii import crypto
from fanzha.imports.models import BatchStatus
from fanzha.imports.pipeline import import_run
from tests.imports.files import PEOPLE_HEADER, csv_bytes, person_row


def run(world, data: bytes):  # type: ignore[no-untyped-def]
    return import_run(actor=world.users["leader"], importer="people", file_name="人员.csv", data=data)


def area_of(row: list[str]) -> Area:
    return Person.objects.get(id_number_hash=crypto.search_hash("id_number", row[1])).area


def test_a_township_code_of_nine_digits_and_a_code_with_spaces_are_found(world) -> None:  # type: ignore[no-untyped-def]
    township, spaced = person_row(1, area_code="331199100"), person_row(2, area_code="331199 100001")
    result = run(world, csv_bytes(PEOPLE_HEADER, [township, spaced]))
    assert result.batch.status == BatchStatus.COMMITTED, result.batch.errors
    assert area_of(township).name == "城关镇"
    assert area_of(spaced).name == "城东社区"


def test_a_person_is_not_put_in_a_retired_area(world) -> None:  # type: ignore[no-untyped-def]
    Area.objects.filter(name="城西社区").update(is_active=False)
    rows = [person_row(3, area_code="331199100002")]
    result = run(world, csv_bytes(PEOPLE_HEADER, rows))
    assert result.batch.status == BatchStatus.REJECTED
    assert [e["message"] for e in result.batch.errors] == ["该区划已撤销（撤并），请改填现行的区划"]
    header = ["姓名", "身份证号", "所属区划"]
    by_name = run(world, csv_bytes(header, [[rows[0][0], rows[0][1], "城西社区"]]))
    assert [e["message"] for e in by_name.batch.errors] == ["该区划已撤销（撤并），请改填现行的区划"]
