"""A file without a header row is told which header to add: the importer's own columns, not a warning
list's (姓名, 身份证号, 手机号) for an area list."""

from __future__ import annotations

from fanzha.imports.pipeline import import_run


def test_the_missing_header_hint_names_the_importers_own_columns(world) -> None:  # type: ignore[no-untyped-def]
    data = "331199100000,城关镇,乡镇\n331199100001,城东社区,村\n".encode()
    result = import_run(actor=world.users["admin"], importer="areas", file_name="区划.csv", data=data)
    assert "未找到表头" in result.batch.message
    assert "“姓名”" not in result.batch.message and "如“区划代码”" in result.batch.message
