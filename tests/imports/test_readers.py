"""Readers: encodings, delimiters, XLSX/XLS via calamine, numbers kept apart, unsafe files refused."""

from __future__ import annotations

import io
import zipfile

import pytest

from fanzha.imports.readers import ImportFileError, NumericText, read_table
from tests.imports.files import DATA, PEOPLE_HEADER, csv_bytes, person_row, xlsx_bytes


def rows_of(data: bytes) -> list[tuple[int, dict[str, str]]]:
    return read_table(data).rows


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_it_reads_csv_in_each_encoding(encoding: str) -> None:
    data = csv_bytes(
        ["姓名", "现住址"], [["王秀英", "青溪县城关镇幸福路8号"], ["欧阳小明", "龙泉乡石桥村"]], encoding
    )
    table = read_table(data)
    assert table.header == ["姓名", "现住址"]
    assert table.rows == [
        (2, {"姓名": "王秀英", "现住址": "青溪县城关镇幸福路8号"}),
        (3, {"姓名": "欧阳小明", "现住址": "龙泉乡石桥村"}),
    ]


@pytest.mark.parametrize("delimiter", [",", "\t", ";"])
def test_it_sniffs_the_delimiter(delimiter: str) -> None:
    data = csv_bytes(
        ["姓名", "手机号", "区划代码"], [["张三", "13812345678", "331199100001"]], delimiter=delimiter
    )
    assert rows_of(data) == [(2, {"姓名": "张三", "手机号": "13812345678", "区划代码": "331199100001"})]


def test_it_keeps_quoted_commas_and_skips_blank_lines() -> None:
    data = '姓名,现住址\r\n"李四","青溪县,城关镇"\r\n,\r\n王五,龙泉乡\r\n'.encode()
    assert rows_of(data) == [
        (2, {"姓名": "李四", "现住址": "青溪县,城关镇"}),
        (4, {"姓名": "王五", "现住址": "龙泉乡"}),
    ]


def test_it_reads_xlsx_cells_as_text_and_marks_numbers() -> None:
    data = xlsx_bytes(
        ["姓名", "身份证号", "手机号", "户数"],
        [["张三", 330102199001011234, 13812345678, 400], ["李四", "330102199001011234", "13812345678", ""]],
    )
    (_, first), (_, second) = rows_of(data)
    assert first["姓名"] == "张三" and not isinstance(first["姓名"], NumericText)
    assert isinstance(first["身份证号"], NumericText) and "e+17" in first["身份证号"]
    assert isinstance(first["手机号"], NumericText) and first["手机号"] == "13812345678"
    assert first["户数"] == "400"
    assert second == {"姓名": "李四", "身份证号": "330102199001011234", "手机号": "13812345678", "户数": ""}
    assert not isinstance(second["身份证号"], NumericText)


def test_it_skips_a_title_row_above_the_header() -> None:
    data = xlsx_bytes(PEOPLE_HEADER, [person_row(1)], title="城东社区重点人员名单")
    from fanzha.imports.columns import header_score
    from fanzha.imports.importers.people import FIELDS

    table = read_table(data, is_header=lambda cells: header_score(cells, FIELDS))
    assert table.header_row == 2
    assert table.rows[0][0] == 3 and table.rows[0][1]["姓名"] == "测试1号"


def test_it_reads_xls_files() -> None:
    rows = rows_of((DATA / "people_text.xls").read_bytes())
    assert [r[1]["姓名"] for r in rows] == ["赵大海", "钱小红"]
    assert rows[0][1]["身份证号"] == "331102198001010115"
    numeric = rows_of((DATA / "people_numeric.xls").read_bytes())
    assert isinstance(numeric[0][1]["身份证号"], NumericText)


def bomb() -> bytes:
    """A well-formed zip whose one member is 200 MB of zeros (about 200 KB compressed)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(200):
                member.write(chunk)
    return buffer.getvalue()


def test_it_refuses_a_zip_bomb_before_parsing(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    data = bomb()
    assert len(data) < 1024 * 1024

    def parse(_: bytes) -> None:
        raise AssertionError("the workbook was handed to the parser")

    monkeypatch.setattr("fanzha.imports.readers.workbook_rows", parse)
    with pytest.raises(ImportFileError, match="压缩"):
        read_table(data)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "不是可识别的表格文件"),
        (b"PK\x03\x04garbage that is no zip archive at all", "已损坏"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "无法读取表格文件"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "EncryptionInfo".encode("utf-16-le") + b"\0" * 600, "已加密"),
        (b"   \r\n", "空的"),
    ],
    ids=["png", "broken-zip", "broken-xls", "encrypted", "empty"],
)
def test_it_refuses_files_that_are_no_spreadsheet(data: bytes, message: str) -> None:
    with pytest.raises(ImportFileError, match=message):
        read_table(data)


def test_it_refuses_an_encrypted_zip_member() -> None:
    data = bytearray(xlsx_bytes(["姓名"], [["张三"]]))
    data[6] |= 0x1  # the first local header's "encrypted" flag
    offset = data.rfind(b"PK\x01\x02")
    while offset != -1:
        data[offset + 8] |= 0x1  # and each central directory entry's
        offset = data.rfind(b"PK\x01\x02", 0, offset)
    with pytest.raises(ImportFileError, match="已加密"):
        read_table(bytes(data))


def test_it_enforces_the_size_and_row_limits(settings) -> None:  # type: ignore[no-untyped-def]
    data = csv_bytes(["姓名"], [[f"人{n}"] for n in range(20)])
    settings.IMPORT_MAX_ROWS = 10
    with pytest.raises(ImportFileError, match="10 行"):
        read_table(data)
    settings.IMPORT_MAX_ROWS = 20
    assert len(rows_of(data)) == 20
    settings.IMPORT_MAX_BYTES = len(data) - 1
    with pytest.raises(ImportFileError, match="大小限制"):
        read_table(data)


def test_it_refuses_an_archive_with_too_many_members() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        for n in range(1001):
            archive.writestr(f"xl/media/{n}.bin", b"")
    with pytest.raises(ImportFileError, match="部件过多"):
        read_table(buffer.getvalue())
