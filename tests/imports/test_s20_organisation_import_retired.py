"""After a 撤并, the units list imported again changes nothing; a retired area is refused only to a unit
that does not have it already (s20)."""

from __future__ import annotations

from fanzha.core.models import Area, Organisation
from fanzha.imports.models import BatchStatus
from fanzha.imports.pipeline import import_run
from tests.imports.files import csv_bytes

HEADER = ["单位名称", "单位类型", "所属区划", "管辖区划"]


def run(rows: list[list[str]], actor):  # type: ignore[no-untyped-def]
    return import_run(
        actor=actor, importer="organisations", file_name="单位.csv", data=csv_bytes(HEADER, rows)
    )


def test_a_unit_keeps_the_retired_area_it_has_and_another_may_not_take_it(world) -> None:  # type: ignore[no-untyped-def]
    admin = world.users["admin"]
    station = world.orgs["城关派出所"]
    village = world.area("城东社区")
    station.covered_areas.set([village, world.area("城西社区")])
    Area.objects.filter(pk=village.pk).update(is_active=False)  # 撤并 after the units were set up

    same = [
        ["城东社区居委会", "村（居）委会", "城关镇/城东社区", ""],
        ["城关派出所", "派出所", "331199100000", "331199100001、331199100002"],
    ]
    again = run(same, admin)
    assert again.batch.status == BatchStatus.COMMITTED, again.batch.errors
    assert (again.batch.rows_new, again.batch.rows_updated) == (0, 0)

    other = run([["城东警务室", "其他单位", "331199100001", ""]], admin)
    assert other.batch.status == BatchStatus.REJECTED
    assert "已撤销" in other.batch.errors[0]["message"]
    assert not Organisation.objects.filter(name="城东警务室").exists()
