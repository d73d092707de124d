"""A header of two rows whose second row numbers its names (联系电话 over 电话1 / 电话2, 嫌疑号码 over
号码1 / 号码2), the group label not merged down: the two rows are the header, and a first data row
whose cells hold digits (a phone, an ID number, a date, an amount) is never taken for its second row."""

from __future__ import annotations

from fanzha.imports.columns import header_score, map_row, match_header
from fanzha.imports.importers.people import PersonImporter
from fanzha.imports.importers.warnings import WarningImporter
from fanzha.imports.readers import peek_table, read_table
from tests.imports.files import grid_csv as text_file
from tests.imports.files import person_row
from tests.imports.files import sheet_bytes as book
from tests.warnings.files import row

WARNING = row(1)
SECOND_PHONE = "13900000001"
UPPER = ["预警编号", "姓名", "身份证号", "联系电话", None, "现住址", "嫌疑号码", None]
LOWER = [None, None, None, "电话1", "电话2", None, "号码1", "号码2"]
DATA = [*WARNING[:4], SECOND_PHONE, WARNING[4], "17012345678", "17012345679"]
COMBINED = [
    "预警编号",
    "姓名",
    "身份证号",
    "联系电话（电话1）",
    "联系电话（电话2）",
    "现住址",
    "嫌疑号码（号码1）",
    "嫌疑号码（号码2）",
]


def is_header(importer):  # type: ignore[no-untyped-def]
    return lambda cells: header_score(cells, importer.fields, importer.extra_missing)


def read(data: bytes, importer=None):  # type: ignore[no-untyped-def]
    return read_table(data, is_header=is_header(importer or WarningImporter()))


SHAPES = {
    "xlsx, nothing merged": book([UPPER, LOWER, DATA]),
    "xlsx, labels merged across only": book([UPPER, LOWER, DATA], ["D1:E1", "G1:H1"]),
    "csv": text_file([UPPER, LOWER, DATA]),
}


def test_numbered_names_under_a_label_not_merged_down_are_the_headers_second_row() -> None:
    for shape, data in SHAPES.items():
        table = read(data)
        assert table.header == COMBINED, shape
        assert [number for number, _ in table.rows] == [3], shape
        assert table.skipped == [] and table.notes == [], shape


def test_the_first_numbered_column_is_the_phone_and_the_second_its_second_column() -> None:
    table = read(SHAPES["csv"])
    columns = match_header(table.header, WarningImporter().fields)
    assert columns.columns["联系电话（电话1）"] == "phone"
    assert [(text, f.name) for text, f in columns.seconds] == [
        ("联系电话（电话2）", "phone"),
        ("嫌疑号码（号码2）", "suspect_numbers"),  # every suspect column read, joined
    ]
    assert columns.columns["嫌疑号码（号码1）"] == "suspect_numbers"
    assert columns.duplicate == []
    record = table.rows[0][1]
    assert (record["联系电话（电话1）"], record["联系电话（电话2）"]) == (WARNING[3], SECOND_PHONE)
    assert map_row(record, columns)[0]["suspect_numbers"] == "17012345678\n17012345679"


def test_a_people_list_names_its_second_phone_column_as_not_read() -> None:
    person = person_row(1)
    upper = ["姓名", "身份证号", "联系电话", None, "现住址", "区划代码"]
    lower = [None, None, "电话1", "电话2", None, None]
    table = read(text_file([upper, lower, [*person[:3], SECOND_PHONE, *person[3:5]]]), PersonImporter())
    assert table.header[2:4] == ["联系电话（电话1）", "联系电话（电话2）"]
    columns = match_header(table.header, PersonImporter().fields)
    assert columns.columns["联系电话（电话1）"] == "phone"
    assert columns.duplicate == ["联系电话（电话2）"]


def test_the_upload_page_sees_the_same_header() -> None:
    for shape, data in SHAPES.items():
        peek = peek_table(data, is_header(WarningImporter()))
        assert (peek.header, peek.header_row) == (COMBINED, 1), shape


def test_numbered_names_under_group_labels_above_the_required_columns() -> None:
    """当事人信息 over 姓名 / 身份证号 / 电话1 / 电话2: the row above the names is the header's first row
    (预警编号 and 现住址 are written there only), not a title left out."""
    upper = ["预警编号", "当事人信息", None, None, None, "现住址"]
    lower = [None, "姓名", "身份证号", "电话1", "电话2", None]
    data = [WARNING[0], WARNING[1], WARNING[2], WARNING[3], SECOND_PHONE, WARNING[4]]
    table = read(text_file([upper, lower, data]))
    assert table.header == ["预警编号", "姓名", "身份证号", "电话1", "电话2", "现住址"]
    assert table.header_row == 1 and [number for number, _ in table.rows] == [3]


def test_a_first_data_row_holding_digits_under_a_plain_header_is_data() -> None:
    """A phone, an ID number, a 2025-01-01 date, an amount: values, never a header's numbered names."""
    header = ["姓名", "手机号", "身份证号", "预警时间", "涉案金额"]
    first = ["张三", "13800138000", "110101199003070011", "2025-01-01", "5000"]
    for data in (text_file([header, first]), book([header, first])):
        table = read(data)
        assert table.header == header and table.header_row == 1
        assert [number for number, _ in table.rows] == [2]
        assert table.rows[0][1]["姓名"] == "张三"


def test_a_first_data_row_with_values_only_under_a_group_label_is_data() -> None:
    """Under 联系电话 merged (or not) over two columns, a row giving only phones or a date and an amount
    is a row of the list (refused or imported on its own merits), not the header's second row."""
    upper = ["姓名", "身份证号", "联系电话", None, "预警信息", None]
    for lower in (
        [None, None, "13800138000", "13900139000", None, None],
        [None, None, None, None, "2025-01-01", "5000"],
        [None, None, "0571-88888888", "13900139000", None, None],
        [None, None, None, None, "1.5万", "刷单返利"],
        [None, None, "A1", "13900139000", None, None],
    ):
        for data in (text_file([upper, lower]), book([upper, lower], ["C1:D1", "E1:F1"])):
            table = read(data)
            assert table.header_row == 1 and [number for number, _ in table.rows] == [2], lower
