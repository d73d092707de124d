"""Level words of the lists a county receives: 乡级, 村级, 街道办事处, 居委会 (probe s19)."""

from __future__ import annotations

from fanzha.core.models import Area
from fanzha.imports.models import BatchStatus
from fanzha.imports.pipeline import import_run
from tests.imports.files import csv_bytes

HEADER = ["区划代码", "名称", "层级", "上级代码"]


def run(data: bytes, actor=None):  # type: ignore[no-untyped-def]
    return import_run(actor=actor, importer="areas", file_name="区划.csv", data=data)


def messages(result) -> list[str]:  # type: ignore[no-untyped-def]
    return [error["message"] for error in result.batch.errors]


def test_a_civil_affairs_list_names_levels_as_its_grades(world) -> None:  # type: ignore[no-untyped-def]
    rows = [
        ["331199500000", "东山镇", "乡级", "331199000000"],
        ["331199600000", "西山街道", "街道办事处", "331199000000"],
        ["331199500201", "东山村", "村级", "331199500000"],
        ["331199600001", "西山社区", "居委会", "331199600000"],
        ["331199500202", "南坑村", "村委会", "331199500000"],
        ["331199500203", "北坑村", "行政村", "331199500000"],
    ]
    result = run(csv_bytes(HEADER, rows), world.users["admin"])
    assert result.batch.status == BatchStatus.COMMITTED, messages(result)
    assert Area.objects.get(code="331199600001").level == "village"
    assert Area.objects.get(code="331199600000").level == "township"
