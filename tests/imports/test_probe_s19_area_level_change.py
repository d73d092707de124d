"""A re-import that changes an area's level must keep the tree's levels in order (probe s19)."""

from __future__ import annotations

from fanzha.core.models import Area
from fanzha.imports.models import BatchStatus
from fanzha.imports.pipeline import import_run
from tests.imports.files import csv_bytes

HEADER = ["区划代码", "名称", "层级", "上级代码"]


def run(rows: list[list[str]], actor=None):  # type: ignore[no-untyped-def]
    data = csv_bytes(HEADER, rows)
    return import_run(actor=actor, importer="areas", file_name="区划.csv", data=data)


def test_a_township_typed_as_a_village_over_its_villages_is_refused(world) -> None:  # type: ignore[no-untyped-def]
    """城关镇 has 城东社区 and 城西社区 below it: it cannot become a 村/社区 itself."""
    result = run([["331199100000", "城关镇", "村", "331199000000"]], world.users["admin"])
    assert result.batch.status == BatchStatus.REJECTED
    assert any("下级" in error["message"] for error in result.batch.errors), result.batch.errors
    assert Area.objects.get(code="331199100000").level == "township"


def test_a_village_typed_as_a_grid_over_its_grids_is_refused(world) -> None:  # type: ignore[no-untyped-def]
    result = run([["331199200201", "石桥村", "网格", "331199200000"]], world.users["admin"])
    assert result.batch.status == BatchStatus.REJECTED
    assert Area.objects.get(code="331199200201").level == "village"


def test_the_file_may_move_the_children_in_the_same_import(world) -> None:  # type: ignore[no-untyped-def]
    """A level is checked against the children the tree will hold once the file is in."""
    rows = [
        ["331199300000", "新城街道", "街道", "331199000000"],
        ["331199100001", "城东社区", "社区", "331199300000"],
        ["331199100002", "城西社区", "社区", "331199300000"],
        ["331199100000", "城关", "区/县", "331100000000"],
    ]
    result = run(rows, world.users["admin"])
    assert result.batch.status == BatchStatus.COMMITTED, result.batch.errors


def test_a_township_lowered_to_a_village_after_its_villages_move_away(world) -> None:  # type: ignore[no-untyped-def]
    """撤镇并村: 城关镇's communities go to 龙泉乡 in the same file, listed after 城关镇 itself."""
    rows = [
        ["331199100000", "城关村", "村", "331199200000"],
        ["331199100001", "城东社区", "社区", "331199200000"],
        ["331199100002", "城西社区", "社区", "331199200000"],
    ]
    result = run(rows, world.users["admin"])
    assert result.batch.status == BatchStatus.COMMITTED, result.batch.errors
    assert Area.objects.get(code="331199100000").level == "village"
    assert Area.objects.get(code="331199100001").parent.code == "331199200000"
