"""Reading the tables the CLI screens (CSV, JSONL, XLSX) and writing the result CSV.

Rows stream: a file of millions of messages is never held in memory as a whole (JSONL keeps only
the column names of a first pass; XLSX is read by the spreadsheet library as a whole). Every input
row gives exactly one output row; a row that cannot be read gets an `error` instead of vanishing.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import json
import re
import sys
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

ZIP_MAGIC = b"PK\x03\x04"
CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
SAMPLE_BYTES = 1 << 16
NON_ASCII = re.compile(rb"[\x80-\xff]")
LONE_SURROGATE = re.compile("[\ud800-\udfff]")  # only a JSON escape makes one; UTF-8 cannot hold it
HEADER_SEARCH_ROWS = 10  # a sheet's header is looked for in its first rows (titles above it)
OUTPUT_COLUMNS = ("score", "level", "category", "reasons", "error")

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


class TableError(Exception):
    """The file as a whole cannot be read (the message is for the person who ran the command)."""


@dataclass
class Row:
    cells: dict[str, str]
    error: str = ""


@dataclass
class Table:
    columns: list[str]
    rows: Iterator[Row]
    approx_rows: int | None  # for the progress bar


def open_table(path: Path, wanted: str | None = None, guesses: Sequence[str] = ()) -> Table:
    """The table in `path`; of a workbook, the first sheet whose header has the `wanted` column
    (else the first sheet with anything in it). A .txt file is a list of texts unless its first line
    names the `wanted` column or, without one, one of the `guesses`."""
    try:
        with path.open("rb") as f:
            head = f.read(SAMPLE_BYTES)
            sample = _encoding_sample(head, f)
    except OSError as exc:
        raise TableError(f"无法打开文件 {path}：{exc.strerror}") from exc
    if head.startswith(ZIP_MAGIC) or head.startswith(CFB_MAGIC):
        return _workbook_table(path, wanted)
    encoding = detect_encoding(sample)
    text = head.decode(encoding, errors="replace")
    if _looks_like_jsonl(text, path):
        return _jsonl_table(path, encoding)
    if _is_list_of_texts(text, path, [wanted] if wanted else guesses):
        return _lines_table(path, encoding, wanted or "text")
    return _csv_table(path, encoding)


# ── encodings ────────────────────────────────────────────────────────────────


def detect_encoding(sample: bytes) -> str:
    """utf-8 (BOM or not), else GB18030 (a superset of GBK), else what charset detection says."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    for encoding in ("utf-8", "gb18030"):
        try:
            codecs.getincrementaldecoder(encoding)().decode(sample, final=False)
            return encoding
        except UnicodeDecodeError:
            continue
    from charset_normalizer import from_bytes

    best = from_bytes(sample).best()
    return best.encoding if best is not None else "utf-8"


def _encoding_sample(head: bytes, f: IO[bytes]) -> bytes:
    """The bytes to tell the encoding by: the head of the file, or when it is all ASCII (say ids and
    links), the stretch from the first byte that is not (a GBK note in row 3,000 is still GBK)."""
    if not head.isascii():
        return head
    while chunk := f.read(SAMPLE_BYTES):
        if found := NON_ASCII.search(chunk):
            return (chunk[found.start() :] + f.read(SAMPLE_BYTES))[:SAMPLE_BYTES]
    return head


def _count_lines(path: Path) -> int:
    count = 0
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            count += chunk.count(b"\n")
    return count


# ── CSV ──────────────────────────────────────────────────────────────────────


def _csv_table(path: Path, encoding: str) -> Table:
    with path.open("r", encoding=encoding, errors="replace", newline="") as f:
        dialect = _dialect(f.read(SAMPLE_BYTES))
        f.seek(0)
        header = next(csv.reader(_Lines(f), dialect=dialect), None)
    if header is None:
        return Table([], iter(()), 0)
    columns = unique_columns(header)
    rows = _csv_rows(path, encoding, dialect, columns)
    return Table(columns, rows, max(_count_lines(path) - 1, 0))


class _Lines:
    """The lines of a text file without NUL characters, numbered, remembering those of the current
    record; lines can be put back to be read again."""

    def __init__(self, f: IO[str]) -> None:
        self.lines = iter(f)
        self.pending: list[str] = []  # put back, the next one last
        self.taken: list[str] = []
        self.number = 0

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        line = self.pending.pop() if self.pending else next(self.lines).replace("\x00", "")
        self.number += 1
        self.taken.append(line)
        return line

    def start_record(self) -> int:
        """Forget the lines taken so far; the number of the line the next record starts on."""
        self.taken = []
        return self.number + 1

    def put_back(self, lines: list[str]) -> None:
        self.pending.extend(reversed(lines))
        self.number -= len(lines)


def _dialect(sample: str) -> type[csv.Dialect]:
    """Excel's CSV with the delimiter of the header line (comma, tab, semicolon or bar).

    Only the delimiter is sniffed: from a header without quotes the sniffer also concludes that a
    doubled quote is no escape: a cell 他说"你好" came out with a quote too many.
    """
    try:
        delimiter = csv.Sniffer().sniff(sample.split("\n", 1)[0], delimiters=",\t;|").delimiter
    except csv.Error:
        return csv.excel
    return type("HeaderDialect", (csv.excel,), {"delimiter": delimiter})


def _csv_rows(path: Path, encoding: str, dialect: type[csv.Dialect], columns: list[str]) -> Iterator[Row]:
    """The data rows (the file is opened when the first row is wanted and closed after the last).

    Records are read strictly, so that a quote opened and never closed on its line is noticed: read
    leniently it takes in the lines after it, up to the next quote, and their rows vanish into one
    cell. Such a line is read as it is, with an error, and the lines after it are read again.
    """
    with path.open("r", encoding=encoding, errors="replace", newline="") as f:
        lines = _Lines(f)
        next(csv.reader(lines, dialect=dialect), None)  # the header
        reader = csv.reader(lines, dialect=dialect, strict=True)
        while True:
            first = lines.start_record()
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error:
                taken = lines.taken
                if len(taken) > 1:
                    lines.put_back(taken[1:])
                    yield _unclosed_quote_row(columns, taken[0], dialect, first)
                else:
                    yield _lenient_row(columns, taken, dialect, first)
                continue
            if cells:  # a blank line is no row; a row of empty cells is one (its text is empty)
                yield _csv_row(columns, cells)


def _unclosed_quote_row(columns: list[str], line: str, dialect: type[csv.Dialect], number: int) -> Row:
    cells = next(csv.reader([line], dialect=dialect, quoting=csv.QUOTE_NONE), [])
    row = _csv_row(columns, cells)
    row.error = "；".join(e for e in (f"第 {number} 行的引号没有闭合，本行按原样读取", row.error) if e)
    return row


def _lenient_row(columns: list[str], lines: list[str], dialect: type[csv.Dialect], number: int) -> Row:
    """A line with text after a closing quote (`"你好"吗`), read as Excel would."""
    try:
        return _csv_row(columns, next(csv.reader(lines, dialect=dialect), []))
    except csv.Error as exc:
        return Row(dict.fromkeys(columns, ""), f"第 {number} 行无法解析：{exc}")


def _csv_row(columns: list[str], cells: list[str]) -> Row:
    row = Row(dict(zip(columns, cells, strict=False)))
    if len(cells) != len(columns):
        for name in columns[len(cells) :]:
            row.cells[name] = ""
        row.error = f"本行有 {len(cells)} 列，表头有 {len(columns)} 列"
    return row


def column_key(name: str) -> str:
    """A column name as it is compared with the one asked for: full-width letters and brackets as
    half-width, case and spaces ignored (`短信 内容`, `短信内容（原文）`, `ＵＲＬ`)."""
    return "".join(unicodedata.normalize("NFKC", name).casefold().split())


def unique_columns(header: list[str]) -> list[str]:
    """The header's names, an empty one as `column_<n>`, a repeated one as `<name>_2`, `<name>_3`…
    (never a name another column already has)."""
    taken: set[str] = set()
    columns = []
    for i, raw in enumerate(header):
        base = raw.strip().lstrip("\ufeff") or f"column_{i + 1}"
        name, n = base, 1
        while name in taken:
            n += 1
            name = f"{base}_{n}"
        taken.add(name)
        columns.append(name)
    return columns


# ── TXT: one text a line ─────────────────────────────────────────────────────


def _is_list_of_texts(sample: str, path: Path, names: Sequence[str]) -> bool:
    """A .txt file is a list of texts, one a line, unless its first line is a header: it has a tab
    (Excel's "Unicode text") or one of the column `names`. Read as a CSV, its first text would be the
    header and its commas would split the texts into columns."""
    if path.suffix.lower() != ".txt":
        return False
    first = sample.lstrip("\ufeff").split("\n", 1)[0].rstrip("\r")
    if "\t" in first:
        return False
    header = next(csv.reader([first], dialect=_dialect(first)), [])
    return not {column_key(name) for name in header} & {column_key(name) for name in names}


def _lines_table(path: Path, encoding: str, column: str) -> Table:
    """The texts of a .txt file, one a line, in one column named as asked (else `text`); an empty line
    is no row, a line of spaces is one (its text is empty)."""

    def rows() -> Iterator[Row]:
        with path.open("r", encoding=encoding, errors="replace", newline="") as f:
            for line in f:
                text = line.rstrip("\r\n").lstrip("\ufeff").replace("\x00", "")
                if text:
                    yield Row({column: text})

    return Table([column], rows(), _count_lines(path))


# ── JSONL ────────────────────────────────────────────────────────────────────


def _looks_like_jsonl(sample: str, path: Path) -> bool:
    if path.suffix.lower() in (".jsonl", ".ndjson", ".json"):
        return True
    return sample.lstrip().startswith("{")


def _jsonl_table(path: Path, encoding: str) -> Table:
    columns: list[str] = []
    seen: set[str] = set()
    lines = 0
    with path.open("r", encoding=encoding, errors="replace") as f:
        for line in f:
            lines += 1
            record = _json_record(line)
            if isinstance(record, dict):
                for key in map(_json_key, record):
                    if key not in seen:
                        seen.add(key)
                        columns.append(key)
    return Table(columns, _jsonl_rows(path, encoding, columns), lines)


class _Written:
    """A JSON number that remembers how the line writes it (``100.00``, ``1.38e10``, ``-0``); a float or
    an int still (below), so a nested object or list dumps as JSON as before."""

    written: str

    def __new__(cls, text: str) -> Any:
        number = super().__new__(cls, text)  # type: ignore[call-arg]
        number.written = text
        return number


class _WrittenFloat(_Written, float):
    pass


class _WrittenInt(_Written, int):
    pass


def _json_record(line: str) -> object:
    """The line's JSON; its numbers keep their text, so a cell is the number as written (``100.00``
    stays ``100.00``, not ``100.0``), while a nested object or list is JSON as before."""
    try:
        return json.loads(
            line, parse_float=_WrittenFloat, parse_int=_WrittenInt, parse_constant=_WrittenFloat
        )
    except ValueError:
        return None


def _jsonl_rows(path: Path, encoding: str, columns: list[str]) -> Iterator[Row]:
    with path.open("r", encoding=encoding, errors="replace") as f:
        for number, line in enumerate(f, start=1):
            if not line.strip():
                continue
            record = _json_record(line)
            if not isinstance(record, dict):
                yield Row(dict.fromkeys(columns, ""), f"第 {number} 行不是 JSON 对象")
                continue
            cells = {_json_key(key): _json_text(value) for key, value in record.items()}
            yield Row({name: cells.get(name, "") for name in columns})


def _json_key(key: str) -> str:
    return LONE_SURROGATE.sub("\ufffd", key)


def _json_text(value: object) -> str:
    """A value as text: a string as it is (a lone surrogate as U+FFFD), an object or list as JSON."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, _Written):
        return value.written
    if isinstance(value, (int, float)):
        return str(value)
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return LONE_SURROGATE.sub("\ufffd", text)


# ── XLSX / XLS ───────────────────────────────────────────────────────────────


def _workbook_table(path: Path, wanted: str | None) -> Table:
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
        texts = _sheet_texts(book, wanted)
    except (CalamineError, ValueError, OSError, TypeError) as exc:
        raise TableError("无法读取表格文件：文件已损坏、已加密或不是有效的 Excel 文件") from exc
    if not texts:
        return Table([], iter(()), 0)
    columns = unique_columns(texts[0])
    return Table(columns, (_csv_row(columns, _trim(row, columns)) for row in texts[1:]), len(texts) - 1)


def _sheet_texts(book: Any, wanted: str | None) -> list[list[str]]:
    """The header and rows to screen, as text, without the rows that have nothing in them: of the
    first sheet with a header that has the wanted column (a title above the header is passed
    over), else of the first sheet with anything in it."""
    first: list[list[str]] = []
    for name in book.sheet_names:
        rows = book.get_sheet_by_name(name).to_python(skip_empty_area=True)
        texts = [[cell_text(v) for v in row] for row in rows]
        texts = [row for row in texts if any(row)]
        if not texts:
            continue
        if wanted is None:
            return texts
        key = column_key(wanted)
        for i, row in enumerate(texts[:HEADER_SEARCH_ROWS]):
            if any(column_key(name) == key for name in unique_columns(row)):
                return texts[i:]
        first = first or texts
    return first


def _trim(row: list[str], columns: list[str]) -> list[str]:
    """Spreadsheet rows are padded to the sheet's width: drop empty cells past the header."""
    while len(row) > len(columns) and not row[-1].strip():
        row = row[:-1]
    return row


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value)


# ── output ───────────────────────────────────────────────────────────────────


# The platform's exports' rules (fanzha.core.exports, which the engine may not import): a cell starting
# like a formula is shown with a leading ' and never run; digits Excel would change — a leading zero
# dropped (007 → 7), 12 digits or more shown as 1.38E+10 and, past 15, rounded — are written as the
# text formula ="007", which Excel and WPS show as the text inside.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "|", "%")
_EXCEL_CHANGES = re.compile(r"0[0-9]+|[0-9]{12,}")


def excel_cell(text: str) -> str:
    """A cell of a CSV for a person to open in Excel: shown as written, never evaluated."""
    if _EXCEL_CHANGES.fullmatch(text):
        return f'="{text}"'
    if text.startswith(FORMULA_PREFIXES) and not _plain_number(text):
        return "'" + text
    return text


def _plain_number(text: str) -> bool:
    """``-1.5``, ``+3``: a number Excel shows as itself (not ``=1``, ``@1``, a tab or ``%1``)."""
    try:
        float(text)
    except ValueError:
        return False
    return not text.startswith(("=", "@", "\t", "\r", "|", "%"))


def output_columns(columns: list[str]) -> tuple[list[str], list[str]]:
    """(header of the output file, its input part): clashing input names become `input_<name>`."""
    taken = set(OUTPUT_COLUMNS)
    renamed = []
    for name in columns:
        new = name
        while new in taken:
            new = f"input_{new}"
        taken.add(new)
        renamed.append(new)
    return [*renamed, *OUTPUT_COLUMNS], renamed
