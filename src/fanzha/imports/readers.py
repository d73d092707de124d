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
import operator
import re
import unicodedata
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings

from fanzha.imports.parties import is_suspects_label

CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
DELIMITERS = (",", "\t", ";")
HEADER_SCAN_ROWS = 10
SAVE_AS = "请用 Excel 打开后“另存为” Excel 工作簿（.xlsx）或 CSV 文件，再上传"

# Zip-bomb guard for XLSX: generous for real workbooks, far below what a bomb needs.
XLSX_MAX_MEMBERS = 1000
XLSX_MAX_RATIO = 200
XLSX_RATIO_MIN_SIZE = 1024 * 1024


# Whether a row is the importer's header: 0 (or False) when not, else how many of its fields it names.
HeaderTest = Callable[[list[str]], int]
# The header texts of the columns an importer reads, given the file's header.
ColumnsRead = Callable[[list[str]], list[str]]


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
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (row, why): footers, repeated headers
    notes: list[str] = field(default_factory=list)  # about the file: which sheet was read, which not
    # header → the rows below it whose cell is a formula with no computed value (XLSX): read as empty
    uncomputed: dict[str, list[int]] = field(default_factory=dict)
    # row → the headers of its cells that hold a value merged down from a row above, not their own
    merged_in: dict[int, set[str]] = field(default_factory=dict)
    # column (index from 0) with no name in the header → how many data rows have something in it
    unnamed: dict[int, int] = field(default_factory=dict)
    # row → how many cells more than the header it has, for a text file's row wider than the header and
    # than most rows: a delimiter inside a cell, not quoted, split it and shifted the cells after it
    misaligned: dict[int, int] = field(default_factory=dict)
    # data rows by their number of cells, and the unnamed columns each wider row filled (text files)
    widths: Counter[int] = field(default_factory=Counter)
    wider: dict[int, tuple[int, list[int]]] = field(default_factory=dict)


# ── cells ────────────────────────────────────────────────────────────────────

# Characters nobody sees that come along with text copied from a web page or a joined file: zero-width
# space, word joiner, byte order mark (the second list's, when two UTF-8 files are joined), direction marks.
_INVISIBLE = re.compile("[\u200b\u200e\u200f\u2060\ufeff]")


def visible(text: str) -> str:
    """The text without invisible characters, stripped."""
    if not text.isascii() and _INVISIBLE.search(text):
        text = _INVISIBLE.sub("", text)
    return text.strip()


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
    return visible(str(value))


# ── format detection ─────────────────────────────────────────────────────────


def detect_format(data: bytes) -> str:
    """``xlsx``, ``xls`` or ``csv`` by content (the file name's extension is not trusted)."""
    if data.startswith(UTF16_BOMS):  # Excel's "Unicode 文本": UTF-16, tab-separated
        return "csv"
    if data.startswith(ZIP_MAGIC):
        return "xlsx"
    if data.startswith(CFB_MAGIC):
        if "EncryptionInfo".encode("utf-16-le") in data:
            raise ImportFileError("文件已加密（设置了打开密码），请取消密码后重新导出")
        return "xls"
    head = data[:65536]
    if b"\x00" in head and not utf16_without_bom(head):
        raise ImportFileError("不是可识别的表格文件，请上传 CSV、XLSX 或 XLS 文件")
    return "csv"


def check_size(data: bytes) -> None:
    if len(data) > settings.IMPORT_MAX_BYTES:
        limit = settings.IMPORT_MAX_BYTES // (1024 * 1024)
        raise ImportFileError(f"文件超过 {limit} MB 的大小限制，请拆分后分批导入")
    if not data.strip():
        raise ImportFileError("文件是空的")


# ── CSV ──────────────────────────────────────────────────────────────────────


def utf16_without_bom(head: bytes) -> str:
    """``utf-16-le`` or ``utf-16-be`` for text written in UTF-16 without its BOM (some systems' "Unicode"
    export), else ``""``: NUL bytes — the high byte of the digits, tabs and line ends — on one side of
    each pair of bytes only, and often (a fifth of that side at least)."""
    even, odd = head[0::2], head[1::2]
    if len(head) < 8 or len(head) % 2:
        return ""
    for encoding, nuls, other in (("utf-16-le", odd, even), ("utf-16-be", even, odd)):
        if 0 not in other and nuls.count(0) * 5 >= len(nuls):
            return encoding
    return ""


def decode_text(data: bytes) -> str:
    """UTF-16 with a BOM (or plainly without one), else UTF-8 (with or without BOM), then GB18030 (covers
    GBK), then detection. A file none of them reads is refused naming the line where it stops reading."""
    if data.startswith(UTF16_BOMS):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise ImportFileError("文件的 UTF-16（Unicode 文本）编码有误，" + SAVE_AS) from exc
    bare_utf16 = utf16_without_bom(data[:65536])
    if bare_utf16:
        try:
            return data.decode(bare_utf16)
        except UnicodeDecodeError as exc:
            raise ImportFileError("文件的 UTF-16（Unicode 文本）编码有误，" + SAVE_AS) from exc
    failures: list[UnicodeDecodeError] = []
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError as exc:
            failures.append(exc)
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        furthest = max(failures, key=lambda exc: exc.start)
        line = data.count(b"\n", 0, furthest.start) + 1
        raise ImportFileError(
            f"无法识别文件的文字编码：第 {line} 行有既不是 UTF-8 也不是 GBK 的字符（文件可能已损坏，"
            "或由两种编码的文件拼接而成）；请用 Excel 打开后另存为 UTF-8 编码的 CSV 再上传"
        )
    return str(best)


def sniff_delimiter(text: str) -> str:
    """Comma, tab or semicolon: the one that splits the most of the first few non-empty lines into the
    same number of cells (the header's and the rows' width, not a title's above them), the wider on a
    tie. Counted per cell, not per character: the commas inside one tab-separated cell (嫌疑号码
    1671…,1672…, a 备注) outnumber the tabs of a line but split no other line alike."""
    lines = list(itertools.islice((line for line in text.splitlines() if line.strip()), HEADER_SCAN_ROWS))
    best, best_score = ",", (0, 0)
    for delimiter in DELIMITERS:
        widths = [len(cells) for cells in csv.reader(lines, delimiter=delimiter) if len(cells) > 1]
        if not widths:
            continue
        width, lines_alike = Counter(widths).most_common(1)[0]
        if (lines_alike, width) > best_score:
            best, best_score = delimiter, (lines_alike, width)
    return best


def check_markup(text: str) -> None:
    """Refuse a web page or an XML Spreadsheet 2003 saved under a spreadsheet's name, saying what it is."""
    head = text[:4096].lstrip("\ufeff \t\r\n").lower()
    if not head.startswith("<"):
        return
    if "urn:schemas-microsoft-com:office:spreadsheet" in head or "<workbook" in head:
        raise ImportFileError("这是“XML 表格 2003”格式的文件，无法直接导入；" + SAVE_AS)
    if any(tag in head for tag in ("<html", "<table", "<!doctype html", "<meta")):
        raise ImportFileError(
            "这是网页（HTML）格式的伪 Excel 文件（常见于系统的“导出Excel”），无法直接导入；" + SAVE_AS
        )


# A cell a system wrote as a formula to keep Excel from reading it as a number (="0012345",
# ="13812345678", ="2026-11-28 09:30"): Excel shows the text inside, and so it is read.
_TEXT_FORMULA = re.compile(r'="([^"]*)"')


def _unwrapped(clean: Callable[[str], str]) -> Callable[[str], str]:
    def read(cell: str) -> str:
        text = clean(cell)
        wrapped = _TEXT_FORMULA.fullmatch(text) if text.startswith('="') else None
        return clean(wrapped[1]) if wrapped else text

    return read


def _text_mark_dropped(clean: Callable[[str], str]) -> Callable[[str], str]:
    """A cell's leading apostrophe left out: the mark that tells Excel to keep what follows as text
    ('13812345678, 'YJ000001), which a system exporting for Excel writes into the file itself."""

    def read(cell: str) -> str:
        text = clean(cell)
        return clean(text[1:]) if text.startswith("'") else text

    return read


def csv_rows(data: bytes) -> Iterator[list[str]]:
    text = decode_text(data)
    check_markup(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text))
    # one search of the text, not one a cell
    clean: Callable[[str], str] = visible if _INVISIBLE.search(text) else str.strip
    if '="' in text:
        clean = _unwrapped(clean)
    if "'" in text:
        clean = _text_mark_dropped(clean)
    try:
        for row in reader:
            yield [clean(cell) for cell in row]
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


# A sheet not read is named when its header names this many columns: a note's one is no list.
MIN_OTHER_HEADER = 2

BAD_WORKBOOK = "无法读取表格文件：文件已损坏、已加密或不是有效的 Excel 文件"


def _sheets(data: bytes) -> tuple[list[Any], list[str]]:
    """The visible worksheets that have data, in the workbook's order, and the names of the hidden
    ones that have data (an old list or a lookup table hidden in front is never read in place of the
    list shown; when every sheet with data is hidden, those are read)."""
    from python_calamine import CalamineError, CalamineWorkbook, PasswordError, SheetVisibleEnum

    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets = [workbook.get_sheet_by_index(index) for index in range(len(workbook.sheet_names))]
        shown = [meta.visible == SheetVisibleEnum.Visible for meta in workbook.sheets_metadata]
    except PasswordError as exc:
        raise ImportFileError("文件已加密（设置了打开密码），请取消密码后重新导出") from exc
    except (CalamineError, ValueError, OSError, TypeError) as exc:
        raise ImportFileError(BAD_WORKBOOK) from exc
    visible = [sheet for sheet, seen in zip(sheets, shown, strict=False) if seen and sheet.height]
    hidden = [sheet.name for sheet, seen in zip(sheets, shown, strict=False) if not seen and sheet.height]
    if not visible:
        return [sheet for sheet in sheets if sheet.height], []
    return visible, hidden


@dataclass(frozen=True)
class SheetHeader:
    """A worksheet's header row as :func:`choose_sheet` weighs it."""

    sheet: Any
    cells: list[str]
    score: int  # how many columns it names
    has_rows: bool  # whether a data row follows it


def _header_in(sheet: Any, is_header: HeaderTest) -> SheetHeader | None:
    """The first of a sheet's first few non-empty rows that ``is_header`` accepts, with its score and
    whether a data row follows it, or None."""
    rows = ([cell_text(value) for value in row] for row in sheet.iter_rows())
    filled = (cells for cells in rows if not _is_blank(cells))
    for cells in itertools.islice(filled, HEADER_SCAN_ROWS):
        score = int(is_header(cells))
        if score:
            return SheetHeader(sheet, cells, score, _has_data_row(filled, _row_key(cells), is_header))
    return None


def _has_data_row(rows: Iterator[list[str]], header_key: tuple[str, ...], is_header: HeaderTest) -> bool:
    """Whether any of the non-empty ``rows`` below a header is a data row: not a template's hint,
    example or pre-numbered line, a footer, a group heading, a sign-off or a header row (a template's
    sheet in front of the list has none)."""
    for cells in rows:
        if not (
            template_reason(cells)
            or skip_reason(cells, header_key)
            or is_bare_count(cells)
            or is_heading(cells)
            or is_sign_off(cells)
            or is_header(cells)
        ):
            return True
    return False


def choose_sheet(data: bytes, is_header: HeaderTest | None) -> tuple[Any, list[str]]:
    """The worksheet to read (None: no sheet has data) and notes about the others.

    The first sheet with data whose first rows hold a header that ``is_header`` accepts, so a 填表说明
    or 汇总 sheet in front is passed over; a sheet with data rows below its header before one without
    (the sender's template in front of the list: its header alone, an example, hints); of several, the
    one whose header names the most columns (a 填表说明 line "1. 姓名、身份证号、手机号必填" or a 字段/说明
    table's 姓名 | 必填 reads as a header of one column), the first on a tie. Any other sheet with data
    rows under a header of two columns or more is named in the notes (it is not imported, never
    silently dropped). Without a header anywhere: the first sheet with data.
    """
    from python_calamine import CalamineError

    sheets, hidden = _sheets(data)
    notes = [f"隐藏的工作表“{name}”未读取" for name in hidden]
    if not sheets or is_header is None or len(sheets) == 1:
        return (sheets[0] if sheets else None), notes
    try:
        found = [header for sheet in sheets if (header := _header_in(sheet, is_header)) is not None]
    except (CalamineError, ValueError, OSError, TypeError) as exc:
        raise ImportFileError(BAD_WORKBOOK) from exc
    if not found:
        names = "、".join(f"“{sheet.name}”" for sheet in sheets)
        return sheets[0], [*notes, f"工作表{names}中都没有找到表头"]
    chosen = max(found, key=lambda item: (item.has_rows, item.score))  # the first of the best
    if chosen.sheet is not sheets[0]:
        notes.append(_passed_over_note(chosen, found, sheets))
    for other in found:
        if other is chosen or other.score < MIN_OTHER_HEADER or (chosen.has_rows and not other.has_rows):
            continue
        same = "表头相同" if _row_key(other.cells) == _row_key(chosen.cells) else "表头不同"
        notes.append(f"工作表“{other.sheet.name}”也有数据（{same}），未导入，请另存为单独的文件后再导入")
    return chosen.sheet, notes


def _passed_over_note(chosen: SheetHeader, found: list[SheetHeader], sheets: list[Any]) -> str:
    """The note naming the sheet read when it is not the first: those in front have no header (a
    填表说明's line naming one column is none), or a header with no data row under it (a template)."""
    front = sheets[: sheets.index(chosen.sheet)]
    empty = [
        item.sheet.name
        for item in found
        if item.sheet in front and not item.has_rows and item.score >= MIN_OTHER_HEADER
    ]
    if not empty:
        return f"已读取工作表“{chosen.sheet.name}”（它前面的工作表中没有表头）"
    names = "、".join(f"“{name}”" for name in empty)
    return f"已读取工作表“{chosen.sheet.name}”（它前面的工作表{names}中没有数据行）"


def sheet_rows(
    sheet: Any,
    units: dict[tuple[int, int], str] | None = None,
    merged_in: set[tuple[int, int]] | None = None,
    spanned: dict[tuple[int, int], int] | None = None,
) -> SheetRows:
    """Rows of a worksheet from spreadsheet row 1, as text. A value merged down several rows (one
    batch's 预警来源, 预警时间) is repeated in each row of the range (in its first column). A number
    whose cell's format shows a unit of magnitude (``units``: 2.5 shown 2.50万元) is read with it,
    ``2.5万``, as shown. The cells that took a merged value are added to ``merged_in``, and the
    cells a value merged across covers to ``spanned`` (row number, column → the column of the value)."""
    from python_calamine import CalamineError

    try:
        rows = sheet.to_python(skip_empty_area=False)
        merged = sheet.merged_cell_ranges or []
    except (CalamineError, ValueError, OSError, TypeError) as exc:
        raise ImportFileError(BAD_WORKBOOK) from exc
    ranges = [
        (top, bottom, column)
        for (top, column), (bottom, _) in merged
        if top < bottom and top < len(rows) and column < len(rows[top])
    ]
    if spanned is not None:
        for (top, column), (_, right) in merged:
            spanned.update({(top + 1, other): column for other in range(column + 1, right + 1)})
    takers = _rows_taking_merged_values(rows, ranges)
    for top, bottom, column in ranges:
        value = rows[top][column]
        for index in range(top + 1, min(bottom + 1, len(rows))):
            row = rows[index]
            if index in takers and column < len(row) and row[column] in ("", None):
                row[column] = value
                if merged_in is not None:
                    merged_in.add((index + 1, column))
    for (number, column), unit in (units or {}).items():
        cells = rows[number - 1] if 0 < number <= len(rows) else []
        value = cells[column] if column < len(cells) else None
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            cells[column] = NumericText(cell_text(value) + unit)
    return SheetRows(rows)


# Below the last row with a value in a column the importer reads, a worksheet's rows are read as any
# others (a 合计 line, a 落款, a pre-numbered template's unfilled lines, each named) up to this many;
# beyond it they are not read at all, and named together in one note.
TAIL_READ_MAX = 1000


@dataclass(frozen=True)
class Tail:
    """The rows not read at the bottom of a worksheet (spreadsheet numbers) and the columns (index from
    0) that have something in them there."""

    first: int
    last: int
    columns: list[int]


class SheetRows:
    """The rows of a worksheet as text, lazily, from spreadsheet row 1 — converted only as they are
    read, so a sheet whose 序号 formula was dragged down to its last row (1,048,576) can be cut short
    (:meth:`cut_after_last_value`) without a million rows made into text."""

    def __init__(self, rows: list[list[Any]]) -> None:
        self._rows = rows
        self._next = 0
        self._end = len(rows)
        while self._end and _raw_blank(rows[self._end - 1]):  # a formula's "" dragged to the bottom
            self._end -= 1

    def __iter__(self) -> SheetRows:
        return self

    def __next__(self) -> list[str]:
        if self._next >= self._end:
            raise StopIteration
        row = self._rows[self._next]
        self._next += 1
        return [cell_text(value) for value in row]

    def cut_after_last_value(self, columns: list[int]) -> Tail | None:
        """Stop after the last row with a value in one of ``columns`` (the ones the importer reads)
        when more than ``TAIL_READ_MAX`` rows follow it; the rows cut and what they have (None: not
        cut). Rows already read (the header's) are never cut."""
        if not columns:
            return None
        columns = sorted(columns)
        last = self._end
        read = _values_in(columns)
        while last > self._next and not _has_value(self._rows[last - 1], columns, read):
            last -= 1
        if self._end - last <= TAIL_READ_MAX:
            return None
        tail = self._rows[last : self._end]
        unread = range(max(len(row) for row in tail))
        filled = [i for i in unread if i not in columns and any(_has_value(row, (i,)) for row in tail)]
        first, end = last + 1, self._end
        self._end = last
        return Tail(first, end, filled)


def _raw_blank(row: list[Any]) -> bool:
    """Whether a calamine row holds nothing at all (counted in C: a million of them take no time)."""
    return row.count(None) + row.count("") == len(row)


def _values_in(columns: list[int]) -> Callable[[list[Any]], tuple[Any, ...]]:
    """The values of a row in ``columns``, as a tuple (picked in C)."""
    pick = operator.itemgetter(*columns)
    return (lambda row: (pick(row),)) if len(columns) == 1 else pick


def _has_value(
    row: list[Any],
    columns: list[int] | tuple[int, ...],
    read: Callable[[list[Any]], tuple[Any, ...]] | None = None,
) -> bool:
    """Whether a calamine row has a value in one of ``columns`` (a blank or empty string is none);
    ``read``: :func:`_values_in` of them, the quick way out for a row with nothing there."""
    if read is not None and len(row) > columns[-1]:
        values = read(row)
        if values.count(None) + values.count("") == len(values):
            return False
    for column in columns:
        value = row[column] if column < len(row) else None
        if value is not None and value != "" and (not isinstance(value, str) or visible(value)):
            return True
    return False


@dataclass
class SheetMarks:
    """What an XLSX worksheet's XML says of its cells that calamine does not: the rows it hides, and
    the cells holding a formula with no computed value (row number, column index from 0)."""

    hidden: set[int] = field(default_factory=set)
    uncomputed: set[tuple[int, int]] = field(default_factory=set)
    # number cells whose format shows a unit of magnitude after the figure (2.5 shown 2.50万元): the unit
    units: dict[tuple[int, int], str] = field(default_factory=dict)
    # cells that took the value of a range merged down from above (row number, column index from 0)
    merged_in: set[tuple[int, int]] = field(default_factory=set)
    # cells covered by a value merged across from their left (row number, column → the value's column)
    spanned: dict[tuple[int, int], int] = field(default_factory=dict)


def _rows_taking_merged_values(rows: list[list[Any]], ranges: list[tuple[int, int, int]]) -> set[int]:
    """The rows (index from 0) under the top of a merged range that take its value: those with data
    of their own. A row empty but for the merged cell (a 预警来源 merged over a template's empty rows)
    stays empty, and a 合计 or 制表人 line the range runs into stays a footer — each would otherwise be
    read as a data row naming nobody, and refuse the file."""
    below = {index for top, bottom, _ in ranges for index in range(top + 1, min(bottom + 1, len(rows)))}
    takers = set()
    for index in below:
        cells = [cell_text(value) for value in rows[index]]
        if not _is_blank(cells) and not footer_word(cells):
            takers.add(index)
    return takers


def workbook_rows(
    data: bytes, is_header: HeaderTest | None = None
) -> tuple[Iterator[list[str]], list[str], SheetMarks]:
    """Rows of the worksheet :func:`choose_sheet` picks, its notes and its marks (XLSX)."""
    sheet, notes = choose_sheet(data, is_header)
    if sheet is None:
        return iter(()), notes, SheetMarks()
    marks = sheet_marks(data, sheet.name) if data.startswith(ZIP_MAGIC) else SheetMarks()
    return sheet_rows(sheet, marks.units, marks.merged_in, marks.spanned), notes, marks


_RELATIONSHIPS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_ROW_TAG = re.compile(rb"<(?:\w+:)?row\b[^>]*>")
_ROW_NUMBER = re.compile(rb"""\br=["'](\d+)["']""")
_HIDDEN_ROW = re.compile(rb"""\bhidden=["'](?:1|true)["']""")
_FORMULA = re.compile(rb"<(?:\w+:)?f\b")
_CELL_REF = re.compile(rb"""\br=["']([A-Z]{1,3})(\d+)["']""")
_STRING_RESULT = re.compile(rb"""\bt=["']str["']""")


def sheet_marks(data: bytes, sheet_name: str) -> SheetMarks:
    """The marks of the XLSX worksheet named ``sheet_name`` (none when its XML cannot be had: calamine
    read the sheet, only the marks are then missing)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            part = _sheet_part(archive, sheet_name)
            xml = archive.read(part) if part else b""
            styles = magnitude_styles(archive)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, SyntaxError):
        return SheetMarks()
    return SheetMarks(
        hidden=hidden_rows(xml), uncomputed=uncomputed_cells(xml), units=unit_cells(xml, styles)
    )


def hidden_rows(xml: bytes) -> set[int]:
    """The spreadsheet numbers of the rows a worksheet's XML hides (by an auto-filter or by hand):
    calamine reads them like the others, without saying."""
    if b"hidden" not in xml:
        return set()
    found: set[int] = set()
    number = 0
    for tag in _ROW_TAG.finditer(xml):
        written = _ROW_NUMBER.search(tag.group(0))
        number = int(written.group(1)) if written else number + 1
        if _HIDDEN_ROW.search(tag.group(0)):
            found.add(number)
    return found


def uncomputed_cells(xml: bytes) -> set[tuple[int, int]]:
    """The cells (row number, column index from 0) of a worksheet's XML that hold a formula and no
    value computed from it. Excel and WPS store each formula's result with it; a program that writes
    a workbook (openpyxl, some systems' exports) may store the formula alone, and calamine then reads
    the cell as empty — a 预警编号, a name or an amount silently missing. An empty text result
    (``t="str"`` with an empty value: ``=IF(…,"",…)``) is a result. Only the formulas the cell ends
    after are looked at: a 序号 formula Excel saved down a million rows, each with its result, is
    passed over by the pattern, not one cell at a time in Python."""
    if not _FORMULA.search(xml):
        return set()
    found: set[tuple[int, int]] = set()
    for cell in _FORMULA_WITHOUT_RESULT.finditer(xml):
        at = _cell_position(cell.group(1) or cell.group(2) or b"")
        if at is not None:
            found.add(at)
    return found


# A cell holding a formula and then no value (its attributes: group 1), or an empty value when the cell
# is not text (group 2; ``t="str"`` with an empty value is the empty text a formula gave).
_CELL_FORMULA = rb"\s*<(?:\w+:)?f\b[^>]*(?:/>|>[^<]*</(?:\w+:)?f>)\s*"
_EMPTY_VALUE = rb"(?:<(?:\w+:)?v\s*/>|<(?:\w+:)?v></(?:\w+:)?v>)\s*"
_FORMULA_WITHOUT_RESULT = re.compile(
    rb"<(?:\w+:)?c\b(?:([^>]*)>" + _CELL_FORMULA + rb"</(?:\w+:)?c>"
    rb"|(?![^>]*\bt=[\"']str[\"'])([^>]*)>" + _CELL_FORMULA + _EMPTY_VALUE + rb"</(?:\w+:)?c>)"
)


# A number format's literal text: quoted ("万元"), escaped (\万, !.) or characters no format code uses.
_FORMAT_LITERAL = re.compile(r'"([^"]*)"|[\\!](.)|([^"\\0#?.,;%Ee+\-/ ()$!_*@\[\]0-9:]+)')
_FORMAT_BRACKETS = re.compile(r"\[[^\]]*\]")  # [$¥-804], [Red], [DBNum1]: no literal text
_FORMAT_GENERAL = re.compile(r"G/通用格式|General", re.IGNORECASE)  # the number as typed
_SCALING_COMMA = re.compile(r"[0#?],+(?:$|[^0#?])")  # 0.00,, shows the number in millions
_MAGNITUDES = ("亿", "万")


def format_magnitude(code: str) -> str:
    """The unit of magnitude (万, 亿) a number format shows after the figure of a number typed in it
    (``0.00"万元"``, ``G/通用格式"万元"``: 2.5 shown 2.50万元), else ``""``. Not when the format divides
    the number itself for show: a literal dot (``0!.0000"万元"`` shows 25000 as 2.5000万元) or a
    comma that scales (``0.00,,"百万"``) — the number is then in yuan already."""
    section = _FORMAT_GENERAL.sub("0", _FORMAT_BRACKETS.sub("", code.split(";")[0]))
    literals = list(_FORMAT_LITERAL.finditer(section))
    texts = [quoted or escaped or bare for quoted, escaped, bare in (m.groups() for m in literals)]
    codes = _FORMAT_LITERAL.sub(lambda m: " " * len(m.group(0)), section)  # the codes, literals blanked
    if any("." in text for text in texts) or _SCALING_COMMA.search(codes.replace(" ", "")):
        return ""
    last_figure = max(codes.rfind(placeholder) for placeholder in "0#?")
    after = [text for m, text in zip(literals, texts, strict=True) if m.start() > last_figure]
    after = [text for text in after if text.strip()]
    unit = after[0].strip()[:1] if after else ""
    return unit if last_figure >= 0 and unit in _MAGNITUDES else ""


_STYLES = "xl/styles.xml"


def magnitude_styles(archive: zipfile.ZipFile) -> dict[str, str]:
    """Cell style index (a cell's ``s``) → the unit of magnitude its number format shows."""
    from defusedxml.ElementTree import fromstring

    if _STYLES not in archive.namelist():
        return {}
    styles = archive.read(_STYLES)
    if "万".encode() not in styles and "亿".encode() not in styles:
        return {}
    root = fromstring(styles)
    units = {
        element.get("numFmtId", ""): format_magnitude(element.get("formatCode", ""))
        for element in root.iter()
        if element.tag.endswith("}numFmt")
    }
    cell_formats = next((element for element in root if element.tag.endswith("}cellXfs")), None)
    if cell_formats is None:
        return {}
    found = {}
    for index, style in enumerate(cell_formats):
        unit = units.get(style.get("numFmtId", ""), "")
        if unit:
            found[str(index)] = unit
    return found


# A cell with a value (after its formula, if any); a styled empty cell (a column formatted to its end) never
# matches.
_VALUED_CELL = re.compile(
    rb"<(?:\w+:)?c\b([^>]*)>(?:<(?:\w+:)?f\b[^>]*(?:/>|>[^<]*</(?:\w+:)?f>))?<(?:\w+:)?v>"
)
_CELL_STYLE = re.compile(rb"""\bs=["'](\d+)["']""")
_CELL_TYPE = re.compile(rb"""\bt=["'](\w+)["']""")


def unit_cells(xml: bytes, styles: dict[str, str]) -> dict[tuple[int, int], str]:
    """The number cells of a worksheet's XML whose style's format shows a unit of magnitude."""
    found: dict[tuple[int, int], str] = {}
    if not styles:
        return found
    for cell in _VALUED_CELL.finditer(xml):
        attributes = cell.group(1)
        style = _CELL_STYLE.search(attributes)
        unit = styles.get(style.group(1).decode()) if style else None
        kind = _CELL_TYPE.search(attributes)
        if not unit or (kind and kind.group(1) != b"n"):
            continue
        at = _cell_position(attributes)
        if at is not None:
            found[at] = unit
    return found


def _cell_position(attributes: bytes) -> tuple[int, int] | None:
    """A cell's (row number, column index from 0) from its ``r="B7"`` attribute (None without one)."""
    ref = _CELL_REF.search(attributes)
    return (int(ref.group(2)), _column_index(ref.group(1).decode())) if ref else None


def _column_index(letters: str) -> int:
    """``A`` → 0, ``Z`` → 25, ``AA`` → 26."""
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - ord("A") + 1
    return index - 1


def _sheet_part(archive: zipfile.ZipFile, sheet_name: str) -> str:
    """The archive member of the worksheet named ``sheet_name`` (``""``: not found)."""
    from defusedxml.ElementTree import fromstring

    workbook = fromstring(archive.read("xl/workbook.xml"))
    relation = next(
        (
            sheet.get(_RELATIONSHIPS, "")
            for sheet in workbook.iter()
            if sheet.tag.endswith("}sheet") and sheet.get("name") == sheet_name
        ),
        "",
    )
    links = fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    target = next((link.get("Target", "") for link in links if link.get("Id") == relation), "")
    if not relation or not target:
        return ""
    return target.lstrip("/") if target.startswith("/") else "xl/" + target


# ── tables ───────────────────────────────────────────────────────────────────


def raw_rows(
    data: bytes, is_header: HeaderTest | None = None
) -> tuple[Iterator[list[str]], list[str], SheetMarks]:
    """The rows of the file (of the chosen worksheet), notes about the file and what the worksheet
    marks (the rows it hides, its formulas without a result)."""
    check_size(data)
    kind = detect_format(data)
    if kind == "xlsx":
        check_xlsx_archive(data)
    if kind == "csv":
        return csv_rows(data), [], SheetMarks()
    return workbook_rows(data, is_header)


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


_REPEAT = re.compile(r"(.+) \(([0-9]+)\)")


def header_as_written(header: list[str]) -> list[str]:
    """:func:`unique_header`'s texts as the file wrote them: a repeated one's `` (2)`` taken off again."""
    seen: set[str] = set()
    written = []
    for text in header:
        repeat = _REPEAT.fullmatch(text)
        written.append(repeat[1] if repeat and int(repeat[2]) > 1 and repeat[1] in seen else text)
        seen.add(written[-1])
    return written


def _record(header: list[str], cells: list[str]) -> dict[str, str]:
    return {name: (cells[i] if i < len(cells) else "") for i, name in enumerate(header) if name}


# ── footers and repeated headers ─────────────────────────────────────────────

# 合计 / 小计 / 总计 with a few words in front (石门镇小计, 本页合计) and a colon, number or nothing after;
# and what Excel writes itself: a table's total row (汇总), 分类汇总's lines (运营商 汇总, 银行 计数, 总计数).
_TOTAL = re.compile(r"^\D{0,12}?(合计|小计|总计|共计|累计|汇总|计数)(?::|\d|共|$)")
# 制表人：张三 审核人：李四, 填报单位：…, 负责人签字, 经办民警：…, a system's 导出时间：… / 打印日期：…,
# 联系电话：… (the row's first cell)
_SIGNED = re.compile(
    r"^(?:(制表|填表|审核|审批|复核|填报|报送|统计|经办|负责|打印|导出|数据截止|截止|查询)"
    r"(?:人|单位|日期|时间|部门|民警|:)"
    r"|(单位负责人|联系人|联系电话|签字|签名|盖章|领导签字|总数(?=:)))"
)
# 备注：…, 说明：…, 注：… (the row's first cell)
_NOTE = re.compile(r"^(备注|说明|注|附注|填表说明|数据来源)[:]")
# A form's 以下空白, a system export's page or record count: 第1页 共1页, 共 3 条记录 (the row's first cell)
_END = re.compile(r"^(以下(?:空白|无数据|无内容|无正文)|第\d+页|共\d+页|共\d+条记录)")
# A count or an amount: 3, 6000, 13,200.50, ¥6000, 3人, 共3人, 6000元, a total written 约3万 or 8万余元,
# a case list's 3起 (cases are counted in 起 or 宗)
_COUNT = re.compile(
    r"^(?:共计?|约|大约)?¥?[-+]?\d[\d,]*(?:\.\d+)?[千万亿]?[余多]?(?:元|人|条|户|笔|件|次|个|名|行|起|宗)?$"
)
_PLACEHOLDERS = frozenset({"-", "--", "—", "——", "/", "\\", "无"})


def _compact(cell: str) -> str:
    """Full-width → half-width (NFKC), without any whitespace."""
    text = str(cell)
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    return "".join(text.split())


def _row_key(cells: list[str]) -> tuple[str, ...]:
    key = [_compact(cell) for cell in cells]
    while key and not key[-1]:
        key.pop()
    return tuple(key)


def _texts(cells: list[str]) -> Iterator[str]:
    """The row's non-empty cells, compacted, lazily (most rows are decided by their first cells)."""
    return (text for text in (_compact(cell) for cell in cells if cell) if text)


def footer_word(cells: list[str]) -> str:
    """The word that makes a row a footer line (合计, 小计, 制表人, 备注 …), or ``""``.

    A row is a footer when its first non-empty cell is a signature or note line (制表人：…, 填报单位：…,
    备注：…, 导出时间：…), a form's 以下空白 or an export's page count (第1页 共1页), or when one cell
    is a 合计/小计/总计 label and every other non-empty cell is a count, an amount or another such
    label. A row with anything else in it (a name, an ID number) is data.
    """
    first = next(_texts(cells), "")
    signed = _SIGNED.match(first) or _NOTE.match(first) or _END.match(first)
    if signed:
        return signed.group(0).rstrip(":")
    if not any("计" in cell or "汇总" in cell for cell in cells):  # the quick way out for data rows
        return ""
    label = ""
    for text in _texts(cells):
        total = _TOTAL.match(text)
        if total:
            label = label or total.group(1)
        elif not (_is_count(text) or text in _PLACEHOLDERS):
            return ""
    return label


def _is_count(text: str) -> bool:
    """A count or an amount; a long bare digit string (phone, ID, account number) is not one."""
    return bool(_COUNT.match(text)) and not (text.isdigit() and len(text) > 6)


def is_bare_count(cells: list[str]) -> bool:
    """A row of counts or amounts only (an unlabelled 合计 line): ``6000``, ``13,200.50``.

    Long digit strings (phones, ID numbers, account numbers) never count: such a row is data.
    """
    found = False
    for text in _texts(cells):
        if not _is_count(text):
            return False
        found = True
    return found


# What a row's first non-empty cell may start with when the row is a footer or the header again: the
# signature and note words, a count or an amount, a placeholder (a 合计 label elsewhere in the row then
# has a count or placeholder in front of it, or is the first cell itself).
_FOOTER_LEADS = frozenset("制填审复报统经负单联签盖领备说注附数打导截查以第总0123456789¥共+-.—/\\无")


def could_be_skipped(cells: list[str], header_lead: str) -> bool:
    """Cheap test that most data rows fail: whether :func:`skip_reason` or :func:`is_bare_count` may
    apply (``header_lead``: the first character of the header's compacted first cell)."""
    for cell in cells:
        if cell:
            break
    else:
        return False
    first = cell.lstrip()
    lead = first[:1]
    if not lead.isascii():
        lead = unicodedata.normalize("NFKC", lead)
    return lead in _FOOTER_LEADS or lead == header_lead or "计" in first or "汇总" in first


def skip_reason(cells: list[str], header_key: tuple[str, ...]) -> str:
    """Why the reader leaves out this row below the header (``""``: it is data)."""
    first = cells[0] if cells else ""
    if header_key and _compact(first) == header_key[0] and _row_key(cells) == header_key:
        return "与表头相同（重复的表头），已跳过"
    word = footer_word(cells)
    if word:
        return f"是表尾的“{word}”行，已跳过"
    return ""


# A template's rows between its header and the data: the hints (必填 / 选填 / 格式：…) and the example
# (示例, 例1 in the first cell). Only rows before the first data row are taken for them.
_REQUIRED = re.compile(r"^\(?(必填|选填|非必填|可选|可空|可不填|必选)")
_EXAMPLE = re.compile(r"^(示例|样例|范例|举例|例|填写示例|填表示例)(\d{0,2}|:.*)$")
_DIGITS = re.compile(r"\d{7}")
# A form's 栏次 row: its columns numbered 1, 2, 3 … ((1), ①), after 栏次 or 甲 乙 in the first cells.
_COLUMN_NUMBER = re.compile(r"^\(?(\d{1,3})\)?$")
_COLUMN_LABEL = frozenset({"栏次", "甲", "乙", "丙", "丁"})
MIN_COLUMN_NUMBERS = 3


def template_reason(cells: list[str]) -> str:
    """Why a row just below the header is a template's hint or example row (``""``: it is not)."""
    texts = list(_texts(cells))
    if not texts:
        return ""
    if _EXAMPLE.match(texts[0]):
        return "是填写示例，已跳过"
    if any(_REQUIRED.match(text) for text in texts) and not any(_DIGITS.search(text) for text in texts):
        return "是填写说明（必填/选填），已跳过"
    if _numbers_the_columns(texts):
        return "是栏次行（各列的编号 1、2、3…），已跳过"
    return ""


def _numbers_the_columns(texts: list[str]) -> bool:
    """Whether a row's cells number the columns 1, 2, 3 … in order (a 栏次 row; 甲 乙 or 栏次 may come
    first): read as data, it was a warning for a person named "2" living at "5"."""
    while texts and texts[0] in _COLUMN_LABEL:
        texts = texts[1:]
    numbers = [_COLUMN_NUMBER.match(text) for text in texts]
    if len(numbers) < MIN_COLUMN_NUMBERS or not all(numbers):
        return False
    return [int(number[1]) for number in numbers if number] == list(range(1, len(numbers) + 1))


def _find_header(
    rows: Iterator[tuple[int, list[str]]], is_header: HeaderTest | None
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
    above = head[index - 1] if index else None
    if is_header is not None and above and _tops(*above, header_row, header_cells, is_header):
        return above[0], _combined_named(above[1], header_cells, is_header), head[index + 1 :]
    below = head[index + 1 : index + 2]
    if is_header is not None and below and _continues(header_row, header_cells, *below[0], is_header):
        return header_row, _combined_named(header_cells, below[0][1], is_header), head[index + 2 :]
    return header_row, header_cells, head[index + 1 :]


def _combined(upper: list[str], lower: list[str]) -> list[str]:
    """A header of two rows as one: the lower row's name of each column, else the upper's — under a
    group label for the suspect's side, the name with the label (嫌疑人信息 over 电话: 嫌疑人信息（电话）,
    read as the suspect's number, never as the phone of the person to warn)."""
    width = max(len(upper), len(lower))
    upper, lower = [*upper, *[""] * (width - len(upper))], [*lower, *[""] * (width - len(lower))]
    combined = [low or up for up, low in zip(upper, lower, strict=True)]
    for start, end in _suspects_spans(upper):
        for i in range(start, min(end, width)):
            if lower[i] and lower[i] != upper[start]:
                combined[i] = f"{upper[start]}（{lower[i]}）"
    return combined


def _suspects_spans(upper: list[str]) -> list[tuple[int, int]]:
    """The spans of a header row's group labels for the suspect's side (嫌疑人信息, 对方信息)."""
    return [(start, end) for start, end in _group_spans(upper) if is_suspects_label(upper[start])]


def _combined_named(upper: list[str], lower: list[str], is_header: HeaderTest) -> list[str]:
    """:func:`_combined`, and where a group label names a field its names under it do not (联系方式 over
    本人 and 家属, for a list whose phone is 联系方式), its first column read as that field, named with
    both (联系方式（本人）); the others keep their own names (read as another field, or not read) — but
    for the names numbered in the same series as the first (联系电话 over 电话1 and 电话2: 联系电话（电话2）,
    the same field's second column, read or named as not read; never a column without a name). A
    series' names read as the label's field without it (电话1 is a phone) are named with it all the same."""
    combined = _combined(upper, lower)
    score = int(is_header(combined))
    for start, end in _group_spans(upper):
        if start >= len(lower) or not lower[start] or not any(lower[start:end]):
            continue
        if is_suspects_label(upper[start]):  # named with the label already, every column under it
            continue
        named = [*combined]
        for i in [start, *_same_series(lower, start, end)]:
            named[i] = f"{upper[start]}（{lower[i]}）"
        named_score = int(is_header(named))
        if named_score > score or (named_score == score > 0 and numbered_name(lower[start]) is not None):
            combined, score = named, named_score
    return combined


def _same_series(lower: list[str], start: int, end: int) -> list[int]:
    """The columns after ``start`` up to ``end`` whose names are numbered in the series of ``start``'s
    (电话2 after 电话1: the same word, another number)."""
    first = _SERIES_NAME.fullmatch(_compact(lower[start]))
    if first is None:
        return []
    found = []
    for i in range(start + 1, min(end, len(lower))):
        other = _SERIES_NAME.fullmatch(_compact(lower[i]))
        if other is not None and other[1] == first[1] and other[2] != first[2]:
            found.append(i)
    return found


def _tops(number: int, upper: list[str], next_number: int, lower: list[str], is_header: HeaderTest) -> bool:
    """Whether the row above the header is its first row: group labels over the names the header row
    gives (当事人信息 over 姓名, 身份证号, 手机号; 预警信息 over 诈骗类型 …) beside names with nothing under
    them (预警编号, 现住址, 涉案金额), merged across and not down — the header row alone names a required
    column, the row above none. Taken for a title, its names were lost without a word: 预警编号 (each
    row given a derived id), 现住址, 涉案金额. Only when the two rows together name more fields than the
    lower one alone, so a title or a 填报单位 line above the header is never combined with it."""
    if next_number != number + 1 or sum(1 for cell in upper if cell) < MIN_OTHER_HEADER:
        return False
    return _under_groups(upper, lower) and int(is_header(_combined(upper, lower))) > int(is_header(lower))


def _continues(
    number: int, cells: list[str], next_number: int, below: list[str], is_header: HeaderTest
) -> bool:
    """Whether the row below the header is its second row: a header too, sharing the cells merged
    down both rows (序号, 姓名 …) and naming the columns under a group label merged across (预警信息 →
    诈骗类型, 预警时间, 预警来源) — or, as a CSV or an unmerged sheet writes the same header, only the
    names under the group labels, the cells below the other names left empty."""
    if next_number != number + 1 or _row_key(below) == _row_key(cells):
        return False
    shared = any(up and up == low for up, low in zip(cells, below, strict=False))
    if shared:
        return bool(is_header(below))
    return _under_groups(cells, below) and bool(is_header(_combined(cells, below)))


def _under_groups(upper: list[str], lower: list[str]) -> bool:
    """Whether ``lower`` fills only the columns under ``upper``'s group labels (a label followed by
    the empty cells it spans: 预警信息,, above 诈骗类型,预警时间,预警来源), at least two under each
    label it fills, and is empty below every other name; its cells are names, not values: no digits
    but a numbered name's (电话1, 号码2 — never a phone, an ID number, a date or an amount)."""
    spans = _group_spans(upper)
    filled = [i for i, cell in enumerate(lower) if cell]
    if not filled or not all(_is_sub_name(lower[i]) for i in filled):
        return False
    under: dict[int, int] = {}
    for i in filled:
        label = next((start for start, end in spans if start <= i < end), None)
        if label is None:
            return False
        under[label] = under.get(label, 0) + 1
    return all(count >= 2 for count in under.values())


# A note in brackets without digits after a numbered name (电话1（必填）, 号码2（选填）).
_NAME_NOTE = r"(?:\([^()\d]*\))*"

# A name numbered in a series under a group label (电话1, 电话2, 号码（1）, 账号 2, 电话1（必填）): a word,
# then one or two digits and nothing but a closing bracket and a note without digits after them. A value
# is never so: a phone, an ID number, a date or an amount starts with its digits or has more of them, an
# address goes on after its number.
_NUMBERED_NAME = re.compile(r"(\D*[^\W\d_])\(?(\d{1,2})\)?" + _NAME_NOTE)


# A numbered name of a series, in figures or in Chinese numerals (电话1, 电话二): the word, the number.
_SERIES_NAME = re.compile(r"(\D*[^\W\d_])\(?(\d{1,2}|[一二三四五六七八九十])\)?" + _NAME_NOTE)


def numbered_name(text: str) -> tuple[str, str] | None:
    """(the word, the number) of a name numbered in a series (手机号1, 电话（2）, 号码二, 电话1（必填）),
    else None."""
    found = _SERIES_NAME.fullmatch(_compact(text))
    return (found[1], found[2]) if found else None


def _is_sub_name(cell: str) -> bool:
    """Whether a cell of a header's second row may be a name: no digits, or a numbered name's."""
    if not any(char.isdigit() for char in cell):
        return True
    return bool(_NUMBERED_NAME.fullmatch(_compact(cell)))


def _group_spans(upper: list[str]) -> list[tuple[int, int]]:
    """(first, past last) column of each group label of a header row: a label followed by empty
    cells — or by itself again, typed over each of its columns instead of merged (联系电话, 联系电话
    over 电话1, 电话2) —, to the next name (or without end, when the label is the row's last name)."""
    named = [i for i, cell in enumerate(upper) if cell and not _repeats_left(upper, i)]
    spans = []
    for at, i in enumerate(named):
        end = named[at + 1] if at + 1 < len(named) else 1 << 30
        if end - i >= 2:
            spans.append((i, end))
    return spans


def _repeats_left(cells: list[str], i: int) -> bool:
    """Whether a header cell repeats the name on its left (a group label typed over each column)."""
    return i > 0 and _compact(cells[i]) == _compact(cells[i - 1])


def _numbered(rows: Iterator[list[str]]) -> Iterator[tuple[int, list[str]]]:
    return ((number, cells) for number, cells in enumerate(rows, start=1) if not _is_blank(cells))


def read_table(data: bytes, is_header: HeaderTest | None = None, reads: ColumnsRead | None = None) -> Table:
    """The table in ``data``. The header is the first of the first few non-empty rows that
    ``is_header`` accepts (else the first non-empty row), so a title row above it is skipped.

    Below the header, a template's hint and example rows before the data (必填/选填, 示例), footer
    lines (合计, 小计, 制表人, 备注：…) and the header repeated (two lists pasted one under the other)
    are left out and listed in ``skipped``, never silently dropped. ``reads`` (the header → the
    columns the importer reads): a worksheet is read down to the last row with a value in one of them
    and a little further (``TAIL_READ_MAX``), the rest named in one note.
    """
    source, notes, marks = raw_rows(data, is_header)
    rows = _numbered(source)
    header_row, header_cells, after = _find_header(rows, is_header)
    header_rows = _header_rows(header_row, after)
    header_key = _row_key(header_cells)
    header_cells, after, units_row = with_units(header_cells, max(header_rows), after)
    spans = spanned_columns(header_cells, header_rows, marks.spanned)
    header_cells = [spans[i].name if i in spans else cell for i, cell in enumerate(header_cells)]
    header_cells += [spans[i].name for i in sorted(spans) if i >= len(header_cells)]
    table = Table(header=unique_header(header_cells), header_row=header_row, notes=notes)
    if units_row:
        table.skipped.append((units_row, UNITS_ROW))
    if reads is not None and isinstance(source, SheetRows):
        read = set(reads(table.header))
        tail = source.cut_after_last_value([i for i, name in enumerate(table.header) if name in read])
        if tail is not None and tail.columns:
            table.notes.append(tail_note(tail, table.header))
    header_lead = header_key[0][:1] if header_key else ""
    trailing: list[tuple[int, list[str]]] = []  # bare numbers, a sign-off: footers if nothing follows
    max_rows = settings.IMPORT_MAX_ROWS
    for number, cells in itertools.chain(after, rows):
        leading = "" if table.rows or trailing else template_reason(cells)
        if leading:
            table.skipped.append((number, leading))
            continue
        maybe = could_be_skipped(cells, header_lead)
        why = skip_reason(cells, header_key) if maybe else ""
        if why:
            table.skipped.append((number, why))
        elif (maybe and is_bare_count(cells)) or is_sign_off(cells):
            trailing.append((number, cells))
        elif is_heading(cells):
            table.skipped.append((number, HEADING))
        else:
            for held_number, held in trailing:  # not footers after all: data follows them
                _add_row(table, held_number, held, max_rows)
            trailing.clear()
            _add_row(table, number, cells, max_rows)
    table.skipped.extend((number, _trailing_reason(table.header, cells)) for number, cells in trailing)
    table.skipped.sort()
    if marks.hidden:
        table.notes.extend(hidden_note([number for number, _ in table.rows if number in marks.hidden]))
    if not isinstance(source, SheetRows):  # a worksheet's rows all have its width
        _settle_misaligned(table)
    table.uncomputed = _uncomputed_by_column(table, marks.uncomputed)
    table.merged_in = _merged_in_by_row(table, marks.merged_in)
    _settle_spanned(table, list(spans.values()))
    table.notes.extend(unnamed_notes(table.unnamed))
    return table


def _header_rows(header_row: int, after: list[tuple[int, list[str]]]) -> set[int]:
    """The header's rows: its second too when it took one (that row is then not among those after)."""
    below = {header_row + 1} - {number for number, _ in after} if after else set()
    return {header_row, *below}


UNITS_ROW = "是表头的单位行（各列的计量单位），已并入表头"

# A unit of measure under a header name, in brackets or after 单位: （元）, (万元), 单位：人, （单位：次）.
_UNIT_CELL = re.compile(r"\((?:单位:?)?([^()\d]{1,3})\)|单位:?([^()\d]{1,3})")
_UNITS = frozenset(("元", "万元", "亿元", "千元", "万", "%", "岁", "天", "人次", *"人户次笔个张条件"))


def units_row(cells: list[str]) -> dict[int, str]:
    """Column → unit, when every filled cell of the row is a unit of measure (（元） under 涉案金额,
    单位：次 under 被叫次数); else empty. A value is never one: a unit written with its figure (3万元),
    or alone without brackets or 单位 (元), is a cell of a data row."""
    found: dict[int, str] = {}
    for i, cell in enumerate(cells):
        if not cell:
            continue
        unit = _UNIT_CELL.fullmatch(_compact(cell))
        name = (unit[1] or unit[2]) if unit else ""
        if name not in _UNITS:
            return {}
        found[i] = name
    return found


def with_units(
    header: list[str], last_header_row: int, after: list[tuple[int, list[str]]]
) -> tuple[list[str], list[tuple[int, list[str]]], int]:
    """The header with the units of the row directly below it, when that row is a units row under
    named columns (涉案金额 over （万元）: 涉案金额（万元）, the amount in 万元 — read as a data row, it
    named nobody and refused the list, and 3 would have been 3 yuan), the rows after it, and the
    units row's number (0: none)."""
    if not after or after[0][0] != last_header_row + 1:
        return header, after, 0
    number, cells = after[0]
    units = units_row(cells)
    if not units or any(i >= len(header) or not header[i] for i in units):
        return header, after, 0
    named = [f"{cell}（{units[i]}）" if i in units else cell for i, cell in enumerate(header)]
    return named, after[1:], number


def unnamed_notes(unnamed: dict[int, int]) -> list[str]:
    """The notes naming the columns with no name in the header that hold something in data rows
    (by letter and count, never a cell's content): not read, and said so."""
    return [
        f"{_column_letters(i)} 列没有列名，有 {count} 行有内容，未读取（如需导入，请为该列写上列名）"
        for i, count in sorted(unnamed.items())
    ]


@dataclass(frozen=True)
class Spanned:
    """A column under a header label merged across from its left (联系电话 over C and D: D)."""

    column: int  # index from 0
    label_column: int
    label: str

    @property
    def name(self) -> str:
        return f"{self.label}{SPANNED_MARK.format(number=self.column - self.label_column + 1)}"


# The name the reader gives a column under a label merged across, after the first: never read as a
# field (columns.match_header), named among the columns not read.
SPANNED_MARK = "（合并单元格的第 {number} 列）"
_SPANNED = re.compile(r"（合并单元格的第 \d+ 列）$")


def is_spanned(name: str) -> bool:
    """Whether a header text is the name :class:`Spanned` gives a column (read as no field)."""
    return name.endswith("列）") and bool(_SPANNED.search(name))


def spanned_columns(
    cells: list[str], header_rows: set[int], spanned: dict[tuple[int, int], int]
) -> dict[int, Spanned]:
    """The columns with no name of their own in the header, under a header label merged across
    (联系电话 merged over C and D, nothing under it): index → the column. A label over a row of names
    (联系方式 over 手机 and 固话) gives its columns those names instead, and none is here."""
    found: dict[int, Spanned] = {}
    for (row, column), label_column in spanned.items():
        if row not in header_rows or (column < len(cells) and cells[column]):
            continue
        label = cells[label_column] if label_column < len(cells) else ""
        if label and not is_spanned(label):
            found[column] = Spanned(column, label_column, label)
    return found


def _settle_spanned(table: Table, spans: list[Spanned]) -> None:
    """A column under a merged label with something in it is named in a note, not read (the label's
    value is its first column's); one empty in every row (the label only made wide) is left out, as
    a column with no name is."""
    for span in spans:
        name = span.name
        filled = [number for number, record in table.rows if record.get(name)]
        if filled:
            first, other = _column_letters(span.label_column), _column_letters(span.column)
            table.notes.append(
                f"表头“{span.label[:MAX_NOTE_NAME]}”是合并了 {first}–{other} 列的单元格，按 {first} 列读取；"
                f"{other} 列有 {len(filled)} 行有内容，未读取（如需导入，请为该列另写列名）"
            )
            continue
        table.header = [text if text != name else "" for text in table.header]
        for _, record in table.rows:
            record.pop(name, None)


def tail_note(tail: Tail, header: list[str]) -> str:
    """The note naming the rows cut at the bottom of a worksheet and the columns that have something
    there (their header, else their letter): column names only, never a cell's content."""
    names = "、".join(f"“{_column_name(header, i)}”" for i in tail.columns)
    return (
        f"第 {tail.first}–{tail.last} 行（共 {tail.last - tail.first + 1} 行）只在{names}列有内容"
        "（如下拉填充到表格底部的序号或公式），导入的各列都是空的，不是数据行，未读取"
    )


def _column_name(header: list[str], index: int) -> str:
    name = header[index] if index < len(header) else ""
    return name[:MAX_NOTE_NAME] if name else f"{_column_letters(index)} 列"


MAX_NOTE_NAME = 40


def _column_letters(index: int) -> str:
    """0 → ``A``, 25 → ``Z``, 26 → ``AA``."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _merged_in_by_row(table: Table, cells: set[tuple[int, int]]) -> dict[int, set[str]]:
    """The named columns of each row whose cell took a value merged down from above."""
    found: dict[int, set[str]] = {}
    for number, column in cells:
        name = table.header[column] if column < len(table.header) else ""
        if name and number > table.header_row:
            found.setdefault(number, set()).add(name)
    return found


def _uncomputed_by_column(table: Table, cells: set[tuple[int, int]]) -> dict[str, list[int]]:
    """The data rows of each named column whose cell is a formula without a result."""
    found: dict[str, list[int]] = {}
    if not cells:
        return found
    rows = {number for number, _ in table.rows}
    for number, column in sorted(cells):
        name = table.header[column] if column < len(table.header) else ""
        if name and number in rows:
            found.setdefault(name, []).append(number)
    return found


HEADING = "是分组标题行，已跳过"

# A heading over a group of rows, alone in its row (merged across the table): 一、溪口街道（2人）,
# （二）龙泉乡, 第1组, 城东派出所：3人, 杨柳乡 — an enumeration in front, a count of people after, or a
# township or village alone (of two characters and more before 乡/镇/村: 李村 and 王镇 are names).
_HEADING = re.compile(
    r"^(?:[一二三四五六七八九十]+[、.]|\([一二三四五六七八九十\d]+\)|第[一二三四五六七八九十\d]+[组批部分类])\D*$"
    r"|^\D{1,20}?(?:\(?:?共?\d{1,4}(?:人|名|条)\)?)$"
    r"|^\D{2,12}(?:街道|乡|镇|村|社区)$"  # two characters at least: 李村, 王镇 are people's names
)


def is_heading(cells: list[str]) -> bool:
    """A row of one cell that heads a group of rows (一、溪口街道（2人）): no data, wherever it stands."""
    if len(cells) > 1 and cells[0] and cells[1]:  # most data rows: two cells filled
        return False
    texts = list(itertools.islice(_texts(cells), 2))
    return len(texts) == 1 and bool(_HEADING.match(texts[0]))


MAX_LISTED_HIDDEN = 20


def hidden_note(numbers: list[int]) -> list[str]:
    """The note naming the data rows a spreadsheet hides (none: no note). They are read: a filter is
    a way of looking at a list, not of shortening it, and a row left out would be a person not
    warned; whoever imports is told, and may delete them and import again."""
    if not numbers:
        return []
    listed = "、".join(str(number) for number in numbers[:MAX_LISTED_HIDDEN])
    more = f"等 {len(numbers)} 行" if len(numbers) > MAX_LISTED_HIDDEN else "行"
    return [f"第 {listed} {more}在表格中是隐藏的（被筛选或隐藏），已照常读取，请核实是否属于这份名单"]


# 落款: the sender's name or the day, alone on a line below the list.
_SIGN_OFF_NAME = re.compile(r"(中心|公安局|分局|派出所|大队|支队|公司|分行|支行|银行|\(盖章\)|\(章\))$")
_SIGN_OFF_DAY = re.compile(r"^\d{4}(?:年\d{1,2}月\d{1,2}日|[-/.]\d{1,2}[-/.]\d{1,2})$")


def is_sign_off(cells: list[str]) -> bool:
    """A row of one cell naming a sender (…反诈中心（盖章）) or a day (2026年11月28日): a sign-off
    when nothing follows it (a data row has more than one cell: most are ruled out at the second)."""
    if len(cells) > 1 and cells[0] and cells[1]:  # most data rows: two cells filled
        return False
    found = ""
    for cell in cells:
        if cell:
            if found:
                return False
            found = cell
    text = _compact(found)
    return bool(_SIGN_OFF_DAY.match(text) or _SIGN_OFF_NAME.search(text))


# The column a pre-numbered template fills in ahead of the data (1, 2, 3 … down to its last line).
_NUMBERING_HEADERS = frozenset({"序号", "序", "编号", "行号", "no", "no.", "#"})
UNFILLED_NUMBERED_LINE = "只有序号，是模板中预先编号但没有填写的行，已跳过"


def _trailing_reason(header: list[str], cells: list[str]) -> str:
    if is_bare_count(cells):
        if _numbering_only(header, cells):
            return UNFILLED_NUMBERED_LINE
        return "只有数字，是表尾的合计行，已跳过"
    return "是表尾的落款（单位或日期），已跳过"


def _numbering_only(header: list[str], cells: list[str]) -> bool:
    """Whether the row's one filled cell is a whole number under the header's 序号 column."""
    filled = [i for i, cell in enumerate(cells) if _compact(cell)]
    if len(filled) != 1 or filled[0] >= len(header):
        return False
    (i,) = filled
    return _compact(header[i]).lower() in _NUMBERING_HEADERS and _compact(cells[i]).isdigit()


def _add_row(table: Table, number: int, cells: list[str], max_rows: int) -> None:
    if len(table.rows) >= max_rows:
        raise ImportFileError(f"文件超过 {max_rows} 行的行数限制，请拆分后分批导入")
    header = table.header
    table.rows.append((number, _record(header, cells)))
    table.widths[len(cells)] += 1
    if len(cells) > len(header) or "" in header:  # cells under no name: counted for a note
        filled = [i for i, cell in enumerate(cells) if cell and (i >= len(header) or not header[i])]
        for i in filled:
            table.unnamed[i] = table.unnamed.get(i, 0) + 1
        if len(cells) > len(header):
            table.wider[number] = (len(cells), filled)


def _settle_misaligned(table: Table) -> None:
    """Name in ``table.misaligned`` the rows of a text file wider than its header and than most of its
    rows (the narrower width on a tie): a comma (or tab) inside a cell that no quotes kept there split
    it, and every cell after it moved one column on — 3单元 of an address read as the fraud type, an
    amount as a suspect's number. Their cells are no column's, so they are not counted as unnamed
    columns. A width most rows share (every row ending with one more comma) is the file's own."""
    if not table.wider:
        return
    usual = max(len(table.header), min(table.widths, key=lambda width: (-table.widths[width], width)))
    for number, (width, filled) in table.wider.items():
        if width > usual:
            table.misaligned[number] = width - len(table.header)
            for i in filled:
                table.unnamed[i] -= 1
    table.unnamed = {i: count for i, count in table.unnamed.items() if count}


@dataclass(frozen=True)
class Peek:
    """The header of a file and how many rows follow it, found without reading every row."""

    header: list[str]
    header_row: int
    rows_estimate: int  # lines (CSV) or sheet rows (XLSX, XLS) below the header; blank ones included


def _peek_rows(data: bytes, is_header: HeaderTest | None) -> tuple[Iterator[list[str]], int]:
    """The rows, lazily, and the spreadsheet number of the last row (an upper bound for CSV)."""
    check_size(data)
    kind = detect_format(data)
    if kind == "csv":
        return csv_rows(data), data.count(b"\n") + 1
    if kind == "xlsx":
        check_xlsx_archive(data)
    sheet, _ = choose_sheet(data, is_header)
    if sheet is None or not sheet.height:
        return iter(()), 0
    rows = ([cell_text(value) for value in row] for row in sheet.iter_rows())
    return rows, int(sheet.end[0]) + 1


def peek_table(data: bytes, is_header: HeaderTest | None = None) -> Peek:
    """The quick look the upload page takes: size, format, archive safety and the header row."""
    rows, last_row = _peek_rows(data, is_header)
    header_row, header_cells, after = _find_header(_numbered(rows), is_header)
    header_cells, _, _ = with_units(header_cells, max(_header_rows(header_row, after)), after)
    return Peek(unique_header(header_cells), header_row, max(last_row - header_row, 0))
