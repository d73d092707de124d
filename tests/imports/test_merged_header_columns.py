"""A header cell merged across columns: under a row of names each column takes its name; a label
alone over two columns is read in its first column, the second named as not read — never dropped."""

from __future__ import annotations

import io

from openpyxl import Workbook

from fanzha.imports.columns import header_score, match_header
from fanzha.imports.importers.people import PersonImporter
from fanzha.imports.importers.warnings import WarningImporter
from fanzha.imports.pipeline import import_run
from fanzha.imports.readers import read_table
from tests.imports.files import person_row

PERSON = person_row(1)
SECOND_PHONE = "13900000000"


def book(rows: list[list[object]], merges: list[str]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    for cells in merges:
        sheet.merge_cells(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def read(data: bytes, importer):  # type: ignore[no-untyped-def]
    return read_table(
        data, is_header=lambda cells: header_score(cells, importer.fields, importer.extra_missing)
    )


def one_label_over_two(second: str | None) -> bytes:
    header = ["姓名", "身份证号", "联系电话", None, "现住址", "区划代码"]
    return book([header, [*PERSON[:3], second, *PERSON[3:5]]], ["C1:D1"])


def test_a_label_over_two_columns_reads_the_first_and_names_the_second() -> None:
    table = read(one_label_over_two(SECOND_PHONE), PersonImporter())
    name = "联系电话（合并单元格的第 2 列）"
    assert table.header[2:4] == ["联系电话", name]
    assert table.rows[0][1]["联系电话"] == PERSON[2]
    columns = match_header(table.header, PersonImporter().fields)
    assert columns.columns["联系电话"] == "phone"
    assert name in columns.unknown  # not read, and said so
    assert table.notes == [
        "表头“联系电话”是合并了 C–D 列的单元格，按 C 列读取；"
        "D 列有 1 行有内容，未读取（如需导入，请为该列另写列名）"
    ]


def test_a_second_phone_column_of_the_warnings_list_is_not_read_from_a_merged_label() -> None:
    table = read(one_label_over_two(SECOND_PHONE), WarningImporter())
    columns = match_header(table.header, WarningImporter().fields)
    assert [text for text, _ in columns.seconds] == []  # 手机号 takes a second column, but not this one


def test_a_label_only_made_wide_adds_no_column() -> None:
    table = read(one_label_over_two(None), PersonImporter())
    assert table.header == ["姓名", "身份证号", "联系电话", "", "现住址", "区划代码"]
    assert table.notes == []


def test_a_group_label_over_names_gives_each_column_its_name() -> None:
    header = ["姓名", "身份证号", "联系方式", None, "现住址", "区划代码"]
    names = [None, None, "手机", "固话", None, None]
    data = book(
        [header, names, [*PERSON[:3], "0571-88888888", *PERSON[3:5]]],
        ["A1:A2", "B1:B2", "C1:D1", "E1:E2", "F1:F2"],
    )
    table = read(data, PersonImporter())
    assert table.header == ["姓名", "身份证号", "手机", "固话", "现住址", "区划代码"]
    columns = match_header(table.header, PersonImporter().fields)
    assert columns.columns["手机"] == "phone" and columns.unknown == ["固话"]


def test_a_group_label_that_names_the_field_its_names_do_not_is_read_in_its_first_column() -> None:
    header = ["姓名", "身份证号", "联系方式", None, "现住址"]
    names = [None, None, "本人", "家属", None]
    data = book([header, names, [*PERSON[:3], SECOND_PHONE, PERSON[3]]], ["C1:D1"])
    table = read(data, WarningImporter())
    assert table.header == ["姓名", "身份证号", "联系方式（本人）", "家属", "现住址"]
    columns = match_header(table.header, WarningImporter().fields)
    assert columns.columns["联系方式（本人）"] == "phone"
    assert table.rows[0][1]["联系方式（本人）"] == PERSON[2]


def test_the_import_names_the_column_it_did_not_read(world) -> None:  # type: ignore[no-untyped-def]
    data = one_label_over_two(SECOND_PHONE)
    result = import_run(actor=world.users["leader"], importer="people", file_name="人员.xlsx", data=data)
    assert result.ok, result.batch.message
    assert "D 列有 1 行有内容，未读取" in result.batch.message
    assert "联系电话（合并单元格的第 2 列）" in result.batch.unknown_columns
