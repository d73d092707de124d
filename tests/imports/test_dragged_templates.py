"""A template whose 序号 was dragged (or its formula filled) to the bottom of the sheet: the reader stops
at the last row with a value in a column the importer reads, and names the rows it did not read."""

from __future__ import annotations

import io

from openpyxl import Workbook

from fanzha.imports.importers.people import PersonImporter
from fanzha.imports.pipeline import columns_read, import_run
from fanzha.imports.readers import TAIL_READ_MAX, UNFILLED_NUMBERED_LINE, read_table
from tests.imports.files import PEOPLE_HEADER, person_row

HEADER = ["序号", *PEOPLE_HEADER]


def numbered_to(last: int, people: dict[int, list[str]]) -> bytes:
    """A sheet numbered 1, 2, 3 … in its 序号 column down to row ``last``; ``people``: row → person."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    for number in range(2, last + 1):
        sheet.append([number - 1, *people.get(number, [])])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def read(data: bytes):  # type: ignore[no-untyped-def]
    importer = PersonImporter()
    return read_table(data, reads=lambda header: columns_read(header, importer))


LAST = TAIL_READ_MAX + 2000


def test_the_numbered_lines_past_the_data_are_not_read_and_named_in_one_note() -> None:
    table = read(numbered_to(LAST, {2: person_row(1), 3: person_row(2)}))
    assert [number for number, _ in table.rows] == [2, 3]
    assert len(table.skipped) < 10  # the few read with the header, not thousands
    assert {why for _, why in table.skipped} == {UNFILLED_NUMBERED_LINE}
    first = max(number for number, _ in table.skipped) + 1
    assert table.notes == [
        f"第 {first}–{LAST} 行（共 {LAST - first + 1} 行）只在“序号”列有内容（如下拉填充到表格底部的"
        "序号或公式），导入的各列都是空的，不是数据行，未读取"
    ]


def test_a_person_far_down_the_numbered_lines_is_read() -> None:
    far = LAST - 5
    table = read(numbered_to(LAST, {2: person_row(1), far: person_row(2)}))
    assert [number for number, _ in table.rows][-1] == far
    assert table.rows[-1][1]["姓名"] == person_row(2)[0]
    assert table.notes == []  # nothing cut: the few lines below it are read as before


def test_a_short_tail_is_read_as_before() -> None:
    table = read(numbered_to(20, {2: person_row(1)}))
    assert [number for number, _ in table.rows] == [2]
    assert table.skipped == [(number, UNFILLED_NUMBERED_LINE) for number in range(3, 21)]
    assert table.notes == []


def test_the_import_says_which_rows_it_did_not_read(world) -> None:  # type: ignore[no-untyped-def]
    data = numbered_to(LAST, {2: person_row(1)})
    result = import_run(actor=world.users["leader"], importer="people", file_name="人员.xlsx", data=data)
    assert result.ok, result.batch.message
    assert f"–{LAST} 行" in result.batch.message
    assert result.batch.rows_total == 1
