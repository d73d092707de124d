"""Real files for the import tests, written in the test: CSV in UTF-8 or GBK, XLSX via openpyxl."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from tests.personas import id_number

DATA = Path(__file__).parent / "data"
PEOPLE_HEADER = ["姓名", "身份证号", "手机号", "现住址", "区划代码", "重点人群"]


def person_row(n: int, area_code: str = "331199100001001", **overrides: str) -> list[str]:
    """A valid row for person ``n`` (distinct ID number and phone for each n < 60000)."""
    year, seq = 1940 + n % 60, (n // 60) % 1000
    row = {
        "name": f"测试{n}号",
        "id_number": id_number("331102", f"{year}0101", f"{seq:03d}"),
        "phone": f"139{n:08d}",
        "address": f"青溪县城关镇幸福路{n}号",
        "area": area_code,
        "groups": "",
    }
    row.update(overrides)
    return [row["name"], row["id_number"], row["phone"], row["address"], row["area"], row["groups"]]


def csv_bytes(
    header: list[str], rows: list[list[Any]], encoding: str = "utf-8", delimiter: str = ","
) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(header: list[Any], rows: list[list[Any]], title: str | None = None) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    if title:
        sheet.append([title])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def sheet_bytes(rows: list[list[Any]], merges: tuple[str, ...] | list[str] = ()) -> bytes:
    """An XLSX of ``rows`` as they are (a header of two rows, a title), with cell ranges merged."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    for cells in rows:
        sheet.append(cells)
    for cells in merges:
        sheet.merge_cells(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def grid_csv(rows: list[list[Any]], encoding: str = "utf-8") -> bytes:
    """A CSV of ``rows`` as they are, a None cell written empty."""
    buffer = io.StringIO()
    csv.writer(buffer).writerows([["" if cell is None else cell for cell in cells] for cells in rows])
    return buffer.getvalue().encode(encoding)


def unique_people(start: int, count: int) -> list[list[str]]:
    """``count`` rows with distinct ID numbers (n ranges over distinct (year, seq) pairs)."""
    return [person_row(n) for n in range(start, start + count)]
