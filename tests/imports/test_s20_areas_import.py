"""The area import retires and restores areas (状态), quoting codes as the file writes them (s20)."""

from __future__ import annotations

from fanzha.core.models import Area
from fanzha.imports.exports import areas_csv_text, areas_xlsx
from fanzha.imports.importers.areas import FIELDS
from fanzha.imports.models import BatchStatus
from fanzha.imports.pipeline import import_run
from tests.imports.files import csv_bytes

HEADER = ["区划代码", "名称", "层级", "上级代码", "状态"]
CODE = next(f for f in FIELDS if f.name == "code")


def run(data: bytes, actor=None):  # type: ignore[no-untyped-def]
    return import_run(actor=actor, importer="areas", file_name="区划.csv", data=data)


def messages(result) -> list[str]:  # type: ignore[no-untyped-def]
    return [error["message"] for error in result.batch.errors]


def test_a_merged_township_is_retired_after_its_villages_in_any_row_order(world) -> None:  # type: ignore[no-untyped-def]
    admin = world.users["admin"]
    setup = [
        ["331199500000", "东山镇", "镇", "331199000000", ""],
        ["331199500201", "东山村", "村", "331199500000", ""],
        ["331199500202", "西山村", "村", "331199500000", ""],
    ]
    assert run(csv_bytes(HEADER, setup), admin).batch.status == BatchStatus.COMMITTED
    merged = [  # 东山镇 merged into 城关镇: 东山村 moves there, 西山村 is folded into 城西社区
        ["331199500000", "东山镇", "镇", "331199000000", "已撤销"],
        ["331199500202", "西山村", "村", "331199500000", "撤并"],
        ["331199500201", "东山村", "村", "331199100000", "有效"],
    ]
    result = run(csv_bytes(HEADER, merged), admin)
    assert result.batch.status == BatchStatus.COMMITTED, messages(result)
    assert result.summary() == "imported: 0 new, 3 updated, 0 unchanged, 0 rejected"
    status = dict(Area.objects.filter(code__startswith="3311995").values_list("code", "is_active"))
    assert status == {"331199500000": False, "331199500202": False, "331199500201": True}
    assert Area.objects.get(code="331199500201").parent == world.area("城关镇")

    restored = run(csv_bytes(HEADER, [["331199500202", "西山村", "村", "331199500000", "有效"]]), admin)
    assert restored.batch.status == BatchStatus.REJECTED  # its township is retired
    assert any("东山镇" in m and "已撤销" in m for m in messages(restored))


def test_retiring_an_area_something_depends_on_is_refused_naming_it(world) -> None:  # type: ignore[no-untyped-def]
    rows = [["331199100001", "城东社区", "社区", "331199100000", "已撤销"]]
    result = run(csv_bytes(HEADER, rows), world.users["admin"])
    assert result.batch.status == BatchStatus.REJECTED
    assert any("城东社区居委会" in m and "城东社区第一网格" in m for m in messages(result))
    assert Area.objects.get(code="331199100001").is_active


def test_a_blank_status_or_an_area_left_out_of_the_file_changes_nothing(world) -> None:  # type: ignore[no-untyped-def]
    rows = [["331199100002", "城西社区", "社区", "331199100000", ""]]
    assert run(csv_bytes(HEADER, rows)).summary() == "imported: 0 new, 0 updated, 1 unchanged, 0 rejected"
    assert not Area.objects.filter(is_active=False).exists()
    assert run(areas_csv_text().encode("utf-8")).summary().endswith("9 unchanged, 0 rejected")


def test_an_unknown_status_word_is_refused(world) -> None:  # type: ignore[no-untyped-def]
    rows = [["331199100002", "城西社区", "社区", "331199100000", "待定"]]
    result = run(csv_bytes(HEADER, rows))
    assert result.batch.status == BatchStatus.REJECTED
    assert messages(result) == ["状态应为 有效 或 已撤销（撤并）"]


def test_a_duplicate_code_is_quoted_as_the_file_writes_it(world) -> None:  # type: ignore[no-untyped-def]
    rows = [["331199500", "东山镇", "镇", "331199", ""], ["331199500", "东山镇", "镇", "331199", ""]]
    result = run(csv_bytes(HEADER, rows), world.users["admin"])
    assert result.batch.status == BatchStatus.REJECTED
    (error,) = result.batch.errors
    assert error["message"] == "与第 2 行的区划代码 331199500 重复"
    assert "331199500000" not in str(error)
    assert error["value"] == CODE.masked("331199500")

    both = [["331199500000", "东山镇", "镇", "331199000000", ""], ["331199500", "东山镇", "镇", "331199", ""]]
    (error,) = run(csv_bytes(HEADER, both), world.users["admin"]).batch.errors
    assert error["message"] == "区划代码 331199500 与第 2 行的 331199500000 是同一区划，重复"
    assert error["value"] == CODE.masked("331199500")


def test_the_export_carries_each_areas_status_and_a_fresh_system_reads_it_back(world) -> None:  # type: ignore[no-untyped-def]
    admin = world.users["admin"]
    setup = [
        ["331199500000", "东山镇", "镇", "331199000000", ""],
        ["331199500201", "东山村", "村", "331199500000", "已撤销"],
    ]
    assert run(csv_bytes(HEADER, setup), admin).batch.status == BatchStatus.COMMITTED
    exported, workbook = areas_csv_text(), areas_xlsx()
    lines = exported.splitlines()
    assert lines[0].split(",")[-1] == "状态"
    assert any(line.startswith('"=""331199500201""",') and line.endswith(",已撤销") for line in lines)
    assert any(line.startswith('"=""331199500000""",') and line.endswith(",有效") for line in lines)

    again = run(exported.encode("utf-8"), admin)  # its own export: nothing changes
    assert again.batch.status == BatchStatus.COMMITTED, messages(again)
    assert again.batch.rows_new == again.batch.rows_updated == 0

    Area.objects.filter(code__startswith="33119950").order_by("-path").first().delete()  # as on a system
    Area.objects.filter(code="331199500000").delete()  # that never had them
    fresh = import_run(actor=admin, importer="areas", file_name="区划.xlsx", data=workbook)
    assert fresh.batch.status == BatchStatus.COMMITTED, messages(fresh)
    assert not Area.objects.get(code="331199500201").is_active
    assert Area.objects.get(code="331199500000").is_active


def test_a_retired_township_and_its_retired_village_new_to_the_system_keep_their_tree(world) -> None:  # type: ignore[no-untyped-def]
    rows = [  # a tree exported with a merged township, loaded into a system that never had it
        ["331199600201", "旧村", "村", "331199600000", "已撤销"],
        ["331199600000", "旧镇", "镇", "331199000000", "已撤销"],
    ]
    result = run(csv_bytes(HEADER, rows), world.users["admin"])
    assert result.batch.status == BatchStatus.COMMITTED, messages(result)
    village = Area.objects.get(code="331199600201")
    assert village.parent == Area.objects.get(code="331199600000")
    assert village.path.startswith(village.parent.path) and not village.is_active

    in_force_below = [["331199600202", "新村", "村", "331199600000", "有效"]]
    refused = run(csv_bytes(HEADER, in_force_below), world.users["admin"])
    assert refused.batch.status == BatchStatus.REJECTED
    assert any("已撤销" in m for m in messages(refused))
