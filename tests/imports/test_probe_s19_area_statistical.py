"""The National Bureau of Statistics' 统计用区划代码和城乡划分代码 as counties receive it: 12-digit codes,
城乡分类代码, names like 新塘街道办事处 and 中山社区居民委员会, and no 层级 or 上级代码 column (probe s19)."""

from __future__ import annotations

from fanzha.audit.models import AuditEvent
from fanzha.core.models import Area
from fanzha.imports.models import BatchStatus
from fanzha.imports.pipeline import import_run
from tests.imports.files import csv_bytes

NBS_HEADER = ["统计用区划代码", "城乡分类代码", "名称"]
NBS_ROWS = [
    ["331199300000", "", "新塘街道办事处"],
    ["331199300001", "111", "中山社区居民委员会"],
    ["331199300201", "220", "石门村民委员会"],
    ["331199400000", "", "东山镇"],
    ["331199400001", "121", "中山社区居民委员会"],
    ["331199400201", "210", "南坑村民委员会"],
]


def run(header: list[str], rows: list[list[str]], actor=None):  # type: ignore[no-untyped-def]
    data = csv_bytes(header, rows)
    return import_run(actor=actor, importer="areas", file_name="统计用区划代码.csv", data=data)


def messages(result) -> list[str]:  # type: ignore[no-untyped-def]
    return [error["message"] for error in result.batch.errors] or [result.batch.message]


def test_the_statistical_list_is_read_with_levels_and_parents_from_its_codes(world) -> None:  # type: ignore[no-untyped-def]
    result = run(NBS_HEADER, NBS_ROWS, world.users["admin"])
    assert result.batch.status == BatchStatus.COMMITTED, messages(result)
    assert result.summary() == "imported: 6 new, 0 updated, 0 unchanged, 0 rejected"
    street = Area.objects.get(code="331199300000")
    assert (street.level, street.parent.code) == ("township", "331199000000")
    village = Area.objects.get(code="331199300201")
    assert (village.level, village.parent) == ("village", street)
    # Two 中山社区 in different townships are two areas, each under its own.
    twins = Area.objects.filter(name="中山社区居民委员会").order_by("code")
    assert [a.parent.code for a in twins] == ["331199300000", "331199400000"]


def test_importing_it_again_changes_nothing_and_a_renamed_village_is_one_update(world) -> None:  # type: ignore[no-untyped-def]
    admin = world.users["admin"]
    run(NBS_HEADER, NBS_ROWS, admin)
    again = run(NBS_HEADER, [[*row[:2], row[2] + " "] for row in NBS_ROWS], admin)
    assert again.summary() == "imported: 0 new, 0 updated, 6 unchanged, 0 rejected"
    renamed = [row if row[0] != "331199300201" else [row[0], "111", "石门社区居民委员会"] for row in NBS_ROWS]
    result = run(NBS_HEADER, renamed, admin)
    assert result.summary() == "imported: 0 new, 1 updated, 5 unchanged, 0 rejected"
    area = Area.objects.get(code="331199300201")
    assert (area.name, area.level) == ("石门社区居民委员会", "village")
    update = AuditEvent.objects.filter(action="record.update", object_id=str(area.pk)).get()
    assert update.fields == ["name"] and update.actor_username == "admin"


def test_a_list_without_parent_codes_places_new_areas_under_the_parent_their_code_names(world) -> None:  # type: ignore[no-untyped-def]
    """Without a 上级代码 column a new 城南社区 was a root: in no jurisdiction, seen by nobody."""
    result = run(["区划代码", "名称", "层级"], [["331199100003", "城南社区", "社区"]], world.users["admin"])
    assert result.batch.status == BatchStatus.COMMITTED, messages(result)
    assert Area.objects.get(code="331199100003").parent == world.areas["331199100000"]


def test_a_new_area_whose_parent_cannot_be_found_is_refused_naming_the_code(world) -> None:  # type: ignore[no-untyped-def]
    before = Area.objects.count()
    result = run(NBS_HEADER, [["331199500000", "", "西山镇"], ["331188500201", "220", "北坑村民委员会"]])
    assert result.batch.status == BatchStatus.REJECTED
    assert any("331188500000" in m for m in messages(result)), messages(result)
    assert Area.objects.count() == before


def test_another_provinces_row_is_refused_in_chinese(world) -> None:  # type: ignore[no-untyped-def]
    """Our own province above the tree is skipped with a notice (probe s24); another one is an error."""
    result = run(NBS_HEADER, [["440000000000", "", "广东省"], *NBS_ROWS])
    assert result.batch.status == BatchStatus.REJECTED
    assert any("省" in m for m in messages(result)), messages(result)


def test_a_level_the_code_cannot_tell_must_be_written(world) -> None:  # type: ignore[no-untyped-def]
    result = run(["区划代码", "名称", "上级代码"], [["331199100003009", "城南社区第九网格", "331199100003"]])
    assert result.batch.status == BatchStatus.REJECTED
    assert any("层级" in m for m in messages(result)), messages(result)


def test_a_county_set_up_without_its_city_is_the_top_of_its_tree(db) -> None:  # type: ignore[no-untyped-def]
    rows = [
        ["331188000000", "", "白沙县"],
        ["331188100000", "", "白沙镇"],
        ["331188100201", "220", "白沙村民委员会"],
    ]
    result = run(NBS_HEADER, rows)
    assert result.batch.status == BatchStatus.COMMITTED, messages(result)
    county = Area.objects.get(code="331188000000")
    assert (county.level, county.parent) == ("district", None)
    assert Area.objects.get(code="331188100201").path == "/331188000000/331188100000/331188100201/"


def test_an_error_on_an_area_row_shows_its_code_as_written_not_masked(world) -> None:  # type: ignore[no-untyped-def]
    """An area code is no one's personal data: the admin reads 440000000000 in the error list, not
    4400 **** **** 0000; a phone or ID number in the code column (a shifted row) stays masked."""
    rows = [["440000000000", "", "广东省"], *NBS_ROWS, ["13812345678", "", "某村"]]
    result = run(NBS_HEADER, rows, world.users["admin"])
    shown = {error["row"]: error["value"] for error in result.batch.errors}
    assert shown[2] == "440000000000", result.batch.errors
    assert "13812345678" not in str(result.batch.errors)
