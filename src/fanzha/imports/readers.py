"""Reading uploaded tables (CSV, XLSX, XLS) safely into rows of text.

Every cell comes back as the text a person would see. Cells a spreadsheet stored as numbers come back
as :class:`NumericText`, so a column that must be text (ID numbers, phones) can reject them instead of
silently accepting a value the spreadsheet has already rounded (``3.30102199001011e+17``).

Safety: the size limit (``IMPORT_MAX_BYTES``) and the row limit (``IMPORT_MAX_ROWS``) are enforced
here; XLSX archives are inspected (member count, total uncompressed size, compression ratio, encryption)
before any parser touches them.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings

CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
DELIMITERS = (",", "\t", ";")
HEADER_SCAN_ROWS = 10

# Zip-bomb guard for XLSX: generous for real workbooks, far below what a bomb needs.
XLSX_MAX_MEMBERS = 1000
XLSX_MAX_RATIO = 200
XLSX_RATIO_MIN_SIZE = 1024 * 1024


class ImportFileError(Exception):
    """The file as a whole cannot be read; the message is for the user, in Chinese."""


class NumericText(str):
    """Text of a cell that the spreadsheet stored as a number."""

    __slots__ = ()


@dataclass
class Table:
    """The header row and the data rows (spreadsheet row number, header → text)."""

    header: list[str]
    header_row: int
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)


# ── cells ────────────────────────────────────────────────────────────────────


def cell_text(value: Any) -> str:
    """The displayed text of one calamine cell value."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return NumericText(str(int(value)))
        return NumericText(repr(value))
    if isinstance(value, int):
        return NumericText(str(value))
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    return str(value).strip()


# ── format detection ─────────────────────────────────────────────────────────


def detect_format(data: bytes) -> str:
    """``xlsx``, ``xls`` or ``csv`` by content (the file name's extension is not trusted)."""
    if data.startswith(ZIP_MAGIC):
        return "xlsx"
    if data.startswith(CFB_MAGIC):
        if "EncryptionInfo".encode("utf-16-le") in data:
            raise ImportFileError("文件已加密（设置了打开密码），请取消密码后重新导出")
        return "xls"
    head = data[:65536]
    if b"\x00" in head:
        raise ImportFileError("不是可识别的表格文件，请上传 CSV、XLSX 或 XLS 文件")
    return "csv"


def check_size(data: bytes) -> None:
    if len(data) > settings.IMPORT_MAX_BYTES:
        limit = settings.IMPORT_MAX_BYTES // (1024 * 1024)
        raise ImportFileError(f"文件超过 {limit} MB 的大小限制，请拆分后分批导入")
    if not data.strip():
        raise ImportFileError("文件是空的")


# ── CSV ──────────────────────────────────────────────────────────────────────


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM) first, then GB18030 (covers GBK), then charset detection."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise ImportFileError("无法识别文件的文字编码，请另存为 UTF-8 编码的 CSV 后重新上传")
    return str(best)


def sniff_delimiter(text: str) -> str:
    """Comma, tab or semicolon: the one that occurs most in the first non-empty line."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = {delimiter: first.count(delimiter) for delimiter in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def csv_rows(data: bytes) -> Iterator[list[str]]:
    text = decode_text(data)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text))
    try:
        for row in reader:
            yield [cell.strip() for cell in row]
    except csv.Error as exc:
        raise ImportFileError(f"CSV 格式有误（第 {reader.line_num} 行）：引号未配对或字段格式不正确") from exc


# ── XLSX / XLS ───────────────────────────────────────────────────────────────


def check_xlsx_archive(data: bytes) -> None:
    """Reject zip bombs, encrypted members and broken archives before any XLSX parsing."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ImportFileError("XLSX 文件已损坏或不是有效的 Excel 文件") from exc
    if len(members) > XLSX_MAX_MEMBERS:
        raise ImportFileError("XLSX 文件内部结构异常（包含的部件过多），已拒绝")
    total = 0
    for member in members:
        if member.flag_bits & 0x1:
            raise ImportFileError("文件已加密（设置了打开密码），请取消密码后重新导出")
        total += member.file_size
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > XLSX_RATIO_MIN_SIZE and ratio > XLSX_MAX_RATIO:
            raise ImportFileError("XLSX 文件内部数据压缩比异常（疑似压缩炸弹），已拒绝")
    if total > settings.IMPORT_MAX_BYTES * 10:
        raise ImportFileError("XLSX 文件解压后过大，请拆分后分批导入")
    if "xl/workbook.xml" not in {member.filename for member in members}:
        raise ImportFileError("不是有效的 Excel 文件（缺少工作簿），请上传 CSV、XLSX 或 XLS 文件")


def _first_sheet(data: bytes) -> Any:
    """The first worksheet that has data (or the last one), or None for a workbook without sheets."""
    from python_calamine import CalamineError, CalamineWorkbook, PasswordError

    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet = None
        for index in range(len(workbook.sheet_names)):
            sheet = workbook.get_sheet_by_index(index)
            if sheet.height:
                break
        return sheet
    except PasswordError as exc:
        raise ImportFileError("文件已加密（设置了打开密码），请取消密码后重新导出") from exc
    except (CalamineError, ValueError, OSError, TypeError) as exc:
        raise ImportFileError("无法读取表格文件：文件已损坏、已加密或不是有效的 Excel 文件") from exc


def workbook_rows(data: bytes) -> Iterator[list[str]]:
    """Rows of the first worksheet that has data, from spreadsheet row 1."""
    from python_calamine import CalamineError

    sheet = _first_sheet(data)
    try:
        rows = sheet.to_python(skip_empty_area=False) if sheet is not None else []
    except (CalamineError, ValueError, OSError, TypeError) as exc:
        raise ImportFileError("无法读取表格文件：文件已损坏、已加密或不是有效的 Excel 文件") from exc
    for row in rows:
        yield [cell_text(value) for value in row]


# ── tables ───────────────────────────────────────────────────────────────────


def raw_rows(data: bytes) -> Iterator[list[str]]:
    check_size(data)
    kind = detect_format(data)
    if kind == "xlsx":
        check_xlsx_archive(data)
    if kind == "csv":
        return csv_rows(data)
    return workbook_rows(data)


def _is_blank(cells: list[str]) -> bool:
    return not any(cell for cell in cells)


def unique_header(cells: list[str]) -> list[str]:
    """Header texts, a repeated one suffixed `` (2)``, `` (3)`` … so no column is lost."""
    seen: dict[str, int] = {}
    header = []
    for cell in cells:
        text = str(cell).strip()
        if text:
            seen[text] = seen.get(text, 0) + 1
            if seen[text] > 1:
                text = f"{text} ({seen[text]})"
        header.append(text)
    return header


def _record(header: list[str], cells: list[str]) -> dict[str, str]:
    return {name: (cells[i] if i < len(cells) else "") for i, name in enumerate(header) if name}


def _find_header(
    rows: Iterator[tuple[int, list[str]]], is_header: Callable[[list[str]], bool] | None
) -> tuple[int, list[str], list[tuple[int, list[str]]]]:
    """(header row number, header cells, the rows read after it) from the first few non-empty rows."""
    head: list[tuple[int, list[str]]] = []
    for item in rows:
        head.append(item)
        if len(head) >= HEADER_SCAN_ROWS:
            break
    if not head:
        raise ImportFileError("文件中没有数据")
    index = next((i for i, (_, cells) in enumerate(head) if is_header is None or is_header(cells)), 0)
    header_row, header_cells = head[index]
    return header_row, header_cells, head[index + 1 :]


def _numbered(rows: Iterator[list[str]]) -> Iterator[tuple[int, list[str]]]:
    return ((number, cells) for number, cells in enumerate(rows, start=1) if not _is_blank(cells))


def read_table(data: bytes, is_header: Callable[[list[str]], bool] | None = None) -> Table:
    """The table in ``data``. The header is the first of the first few non-empty rows that
    ``is_header`` accepts (else the first non-empty row), so a title row above it is skipped."""
    rows = _numbered(raw_rows(data))
    header_row, header_cells, after = _find_header(rows, is_header)
    table = Table(header=unique_header(header_cells), header_row=header_row)
    max_rows = settings.IMPORT_MAX_ROWS
    for number, cells in itertools.chain(after, rows):
        if len(table.rows) >= max_rows:
            raise ImportFileError(f"文件超过 {max_rows} 行的行数限制，请拆分后分批导入")
        table.rows.append((number, _record(table.header, cells)))
    return table


@dataclass(frozen=True)
class Peek:
    """The header of a file and how many rows follow it, found without reading every row."""

    header: list[str]
    header_row: int
    rows_estimate: int  # lines (CSV) or sheet rows (XLSX, XLS) below the header; blank ones included


def _peek_rows(data: bytes) -> tuple[Iterator[list[str]], int]:
    """The rows, lazily, and the spreadsheet number of the last row (an upper bound for CSV)."""
    check_size(data)
    kind = detect_format(data)
    if kind == "csv":
        return csv_rows(data), data.count(b"\n") + 1
    if kind == "xlsx":
        check_xlsx_archive(data)
    sheet = _first_sheet(data)
    if sheet is None or not sheet.height:
        return iter(()), 0
    rows = ([cell_text(value) for value in row] for row in sheet.iter_rows())
    return rows, int(sheet.end[0]) + 1


def peek_table(data: bytes, is_header: Callable[[list[str]], bool] | None = None) -> Peek:
    """The quick look the upload page takes: size, format, archive safety and the header row."""
    rows, last_row = _peek_rows(data)
    header_row, header_cells, _ = _find_header(_numbered(rows), is_header)
    return Peek(unique_header(header_cells), header_row, max(last_row - header_row, 0))
