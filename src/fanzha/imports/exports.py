"""Area export (CSV, XLSX) in exactly the shape the area importer reads back."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from fanzha.core.exports import csv_lines, safe_cell
from fanzha.core.models import Area

AREA_HEADER = ["区划代码", "名称", "层级", "上级代码", "常住人口", "户数", "状态"]
ACTIVE, RETIRED = "有效", "已撤销"  # the 状态 words the area import reads back


def area_rows() -> Iterator[list[Any]]:
    areas = Area.objects.select_related("parent").order_by("path")
    for area in areas.iterator(chunk_size=2000):
        yield [
            area.code,
            area.name,
            area.get_level_display(),
            area.parent.code if area.parent else "",
            "" if area.residents is None else area.residents,
            "" if area.households is None else area.households,
            ACTIVE if area.is_active else RETIRED,
        ]


def areas_xlsx() -> bytes:
    """An XLSX workbook; every text cell is written as text and neutralised against formulas."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("行政区划")
    sheet.append(AREA_HEADER)
    for row in area_rows():
        sheet.append([cell if isinstance(cell, int) else safe_cell(cell) for cell in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def areas_csv_text() -> str:
    """The CSV export; codes as text Excel keeps (a 12-digit code opened plainly shows 3.31102E+11,
    saved so, and the import refuses it)."""
    return "".join(csv_lines(AREA_HEADER, area_rows(), digits_as_text=True))


def write_areas(path: Path) -> int:
    """Write the export to ``path`` (.csv or .xlsx by suffix); returns the number of areas."""
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        path.write_bytes(areas_xlsx())
    elif suffix == ".csv":
        path.write_text(areas_csv_text(), encoding="utf-8", newline="")
    else:
        raise ValueError("导出文件名应以 .csv 或 .xlsx 结尾")
    return Area.objects.count()
