"""Area codes as lists write them: 6/9-digit civil-affairs codes for the 12-digit ones (probe s19)."""

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


def test_a_six_or_nine_digit_code_is_the_same_area_as_its_twelve_digit_code(world) -> None:  # type: ignore[no-untyped-def]
    """The civil-affairs list writes 青溪县 331199 and 城关镇 331199100, the tree holds 331199000000."""
    before = Area.objects.count()
    rows = [
        ["331199", "青溪县", "县", "331100000000"],
        ["331199100", "城关镇", "镇", "331199"],
        ["331199100003", "城南社区", "社区", "331199100"],
    ]
    result = run(csv_bytes(HEADER, rows), world.users["admin"])
    assert result.batch.status == BatchStatus.COMMITTED, messages(result)
    assert result.summary() == "imported: 1 new, 0 updated, 2 unchanged, 0 rejected"
    assert Area.objects.count() == before + 1
    assert Area.objects.get(code="331199100003").parent == world.areas["331199100000"]


def test_a_file_naming_one_area_by_both_codes_is_refused(world) -> None:  # type: ignore[no-untyped-def]
    rows = [["331199500000", "东山镇", "镇", "331199000000"], ["331199500", "东山镇", "镇", "331199"]]
    result = run(csv_bytes(HEADER, rows), world.users["admin"])
    assert result.batch.status == BatchStatus.REJECTED
    assert any("重复" in m for m in messages(result))
    assert not Area.objects.filter(code__startswith="3311995").exists()
