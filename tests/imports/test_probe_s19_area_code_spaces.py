"""Area codes as printed lists and copies write them: grouped with spaces, full-width (probe s19)."""

from __future__ import annotations

from fanzha.core.models import Area
from fanzha.imports.models import BatchStatus
from fanzha.imports.pipeline import import_run
from tests.imports.files import csv_bytes

HEADER = ["区划代码", "名称", "层级", "上级代码"]


def test_spaces_inside_a_code_are_not_part_of_it(world) -> None:  # type: ignore[no-untyped-def]
    rows = [
        ["３３１１９９ ６００ ０００", "西山镇", "镇", "331199000000"],
        ["331199 600201", "西山村", "村", "331199\u3000600000"],
        ["\u00a0331199600202 ", "北山村", "村", "3311 9960 0000"],
    ]
    data = csv_bytes(HEADER, rows)
    result = import_run(actor=world.users["admin"], importer="areas", file_name="区划.csv", data=data)
    assert result.batch.status == BatchStatus.COMMITTED, result.batch.errors
    assert sorted(Area.objects.filter(code__startswith="3311996").values_list("code", flat=True)) == [
        "331199600000",
        "331199600201",
        "331199600202",
    ]


def test_an_existing_village_with_a_blank_parent_cell_keeps_its_township(world) -> None:  # type: ignore[no-untyped-def]
    data = csv_bytes(HEADER, [["331199200201", "石桥村", "村", ""]])
    result = import_run(actor=world.users["admin"], importer="areas", file_name="区划.csv", data=data)
    assert result.summary() == "imported: 0 new, 0 updated, 1 unchanged, 0 rejected"
    assert Area.objects.get(code="331199200201").parent == world.areas["331199200000"]
