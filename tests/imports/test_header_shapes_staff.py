"""Headers as staff make them in WPS or Excel: a title and a 制表人/日期 line above, line breaks and
full-width brackets in the names, a label written again over each of its columns instead of merged,
numbered names in Chinese numerals, a units row under the header, a column left without a name."""

from __future__ import annotations

from fanzha.imports.columns import match_header
from fanzha.imports.importers.warnings import WarningImporter
from tests.imports.test_numbered_sub_names import book, read, text_file
from tests.warnings.files import row

WARNING = row(1)
HEADER = ["预警编号", "姓名", "身份证号", "手机号", "现住址", "涉案金额"]
DATA = [*WARNING[:5], "3"]


def both(rows: list[list[object]]) -> dict[str, bytes]:
    return {"xlsx": book(rows), "csv": text_file(rows)}


def fields(header: list[str]) -> dict[str, str]:
    return match_header(header, WarningImporter().fields).columns


def test_a_title_and_a_sign_line_above_the_header_are_passed_over() -> None:
    rows = [["青溪县反诈中心预警清单"], ["制表人：李四", None, None, "日期：2025-01-01"], HEADER, DATA]
    for kind, data in both(rows).items():
        table = read(data)
        assert (table.header, table.header_row) == (HEADER, 3), kind
        assert [number for number, _ in table.rows] == [4], kind


def test_line_breaks_and_full_width_brackets_in_the_names_are_read() -> None:
    header = [
        "预警\n编号",
        "姓名（必填）",
        "身份\n证号【必填】",
        "手机号\n（必填）",
        "现住址",
        "涉案金额\n（元）",
    ]
    for kind, data in both([header, DATA]).items():
        table = read(data)
        assert sorted(fields(table.header).values()) == sorted(
            ["source_id", "name", "id_number", "phone", "address", "amount"]
        ), kind
        assert [number for number, _ in table.rows] == [2], kind


def test_a_label_written_over_each_of_its_columns_is_a_group_label() -> None:
    """联系电话 typed over both its columns (not merged) above 电话1 / 电话2: the second row was a data
    row naming nobody, and refused the list."""
    upper = ["预警编号", "姓名", "身份证号", "联系电话", "联系电话", "现住址"]
    lower = [None, None, None, "电话1", "电话2", None]
    data = [*WARNING[:4], "13900000001", WARNING[4]]
    for kind, file in both([upper, lower, data]).items():
        table = read(file)
        assert table.header[3:5] == ["联系电话（电话1）", "联系电话（电话2）"], kind
        assert [number for number, _ in table.rows] == [3], kind


def test_a_data_row_under_a_label_written_twice_is_data() -> None:
    upper = ["姓名", "身份证号", "联系电话", "联系电话"]
    for kind, file in both([upper, [None, None, "13800138000", "13900139000"]]).items():
        table = read(file)
        assert table.header_row == 1 and [number for number, _ in table.rows] == [2], kind


def test_names_numbered_in_chinese_numerals_are_one_series() -> None:
    upper = ["预警编号", "姓名", "身份证号", "联系电话", None, "现住址"]
    lower = [None, None, None, "电话一", "电话二", None]
    data = [*WARNING[:4], "13900000001", WARNING[4]]
    table = read(text_file([upper, lower, data]))
    assert table.header[3:5] == ["联系电话（电话一）", "联系电话（电话二）"]


def test_a_units_row_under_the_header_is_part_of_it() -> None:
    """（万元） under 涉案金额: the amounts are in 万元 — the row was read as a data row naming nobody,
    and 3 as 3 yuan."""
    for unit, name, field in (
        ("（万元）", "涉案金额（万元）", "amount_wan"),
        ("(元)", "涉案金额（元）", "amount"),
        ("单位：万元", "涉案金额（万元）", "amount_wan"),
    ):
        for kind, data in both([HEADER, [None] * 5 + [unit], DATA]).items():
            table = read(data)
            assert table.header[5] == name and fields(table.header)[name] == field, (unit, kind)
            assert [number for number, _ in table.rows] == [3], (unit, kind)
            assert table.skipped == [(2, "是表头的单位行（各列的计量单位），已并入表头")], (unit, kind)


def test_a_units_row_under_a_header_of_two_rows() -> None:
    upper = ["预警编号", "姓名", "身份证号", "联系电话", None, "涉案金额"]
    lower = [None, None, None, "电话1", "电话2", None]
    units = [None, None, None, None, None, "（万元）"]
    data = [*WARNING[:4], "13900000001", "3"]
    for kind, file in both([upper, lower, units, data]).items():
        table = read(file)
        assert table.header[3:] == ["联系电话（电话1）", "联系电话（电话2）", "涉案金额（万元）"], kind
        assert [number for number, _ in table.rows] == [4], kind


def test_a_first_data_row_is_never_a_units_row() -> None:
    for cells in (["张三", None, None, None, None, "3万元"], [None] * 5 + ["5000元"], [None] * 5 + ["元"]):
        table = read(text_file([HEADER, cells, DATA]))
        assert 2 in [number for number, _ in table.rows], cells
        assert all(number != 2 for number, _ in table.skipped), cells


def test_a_column_without_a_name_that_holds_something_is_named_in_a_note() -> None:
    """A column left between two others with no name: its cells were dropped without a word."""
    header = ["预警编号", "姓名", None, "身份证号", "手机号", "现住址"]
    data = [WARNING[0], WARNING[1], "已劝阻", *WARNING[2:5]]
    for kind, file in both([header, data, [*data[:2], None, *data[3:]]]).items():
        table = read(file)
        assert table.notes == ["C 列没有列名，有 1 行有内容，未读取（如需导入，请为该列写上列名）"], kind
    for kind, file in both([header, [*data[:2], None, *data[3:]]]).items():
        assert read(file).notes == [], kind  # a column only left empty: nothing to say


def test_a_column_past_the_header_that_holds_something_is_named_in_a_note() -> None:
    header = ["预警编号", "姓名", "身份证号", "手机号"]
    table = read(text_file([header, [*WARNING[:4], "", "备用号码13900000001"]]))
    assert table.notes == ["F 列没有列名，有 1 行有内容，未读取（如需导入，请为该列写上列名）"]
