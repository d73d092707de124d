"""Safe exports: UTF-8 CSV with BOM (opens in Excel), cells that would run as formulas neutralised
(and, where asked, digit strings Excel would change kept as text)."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from typing import Any, TypeVar
from urllib.parse import quote

from django.http import HttpResponse, StreamingHttpResponse

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "|", "%")


def safe_cell(value: Any) -> str:
    """A cell a spreadsheet shows as text, never evaluates (OWASP CSV injection)."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_PREFIXES) and not _is_plain_number(text):
        return "'" + text
    return text


def _is_plain_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return not text.startswith(("=", "@", "\t", "\r", "|", "%"))


class _Echo:
    def write(self, value: str) -> str:
        return value


# Digits Excel changes when it opens a CSV: a leading zero dropped (0012 → 12), 12 digits or more shown
# as 2.02611E+19 and, past 15, rounded (what is saved again has lost them).
_EXCEL_CHANGES = re.compile(r"0[0-9]+|[0-9]{12,}")


def excel_text(value: Any) -> str:
    """:func:`safe_cell`, a digit string Excel would change written as its text formula ``="0012"``
    (Excel and WPS show the text inside; the importers unwrap it)."""
    text = safe_cell(value)
    return f'="{text}"' if _EXCEL_CHANGES.fullmatch(text) else text


def csv_lines(
    header: list[str], rows: Iterable[Iterable[Any]], *, digits_as_text: bool = False
) -> Iterator[str]:
    """The CSV's lines, the first with the UTF-8 mark; ``digits_as_text``: cells as :func:`excel_text`."""
    writer, cell = csv.writer(_Echo()), excel_text if digits_as_text else safe_cell
    yield "\ufeff" + writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        yield writer.writerow([cell(value) for value in row])


def csv_response(
    filename: str, header: list[str], rows: Iterable[Iterable[Any]], *, digits_as_text: bool = False
) -> StreamingHttpResponse:
    lines = csv_lines(header, rows, digits_as_text=digits_as_text)
    return as_attachment(StreamingHttpResponse(lines, content_type=CSV_TYPE), filename)


CSV_TYPE = "text/csv; charset=utf-8"


Response = TypeVar("Response", HttpResponse, StreamingHttpResponse)


def as_attachment(response: Response, filename: str) -> Response:
    """``response`` as a download named ``filename`` (any characters: RFC 5987), never cached."""
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    response["Cache-Control"] = "no-store"
    return response
