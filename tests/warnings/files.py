"""Warning lists as real files, written in the tests (CSV via the csv module, XLSX via openpyxl)."""

from __future__ import annotations

from typing import Any

from tests.imports.files import csv_bytes, xlsx_bytes
from tests.personas import id_number

HEADER = [
    "预警编号",
    "姓名",
    "身份证号",
    "手机号",
    "现住址",
    "诈骗类型",
    "预警来源",
    "预警时间",
    "涉案金额",
    "嫌疑号码",
    "备注",
]
ENGLISH = [
    "warning id",
    "name",
    "id number",
    "phone",
    "address",
    "fraud type",
    "source",
    "warning time",
    "amount",
    "suspect number",
    "notes",
]


def row(n: int, **overrides: Any) -> list[Any]:
    """Warning ``n`` for a distinct person living in 城东社区 (medium by default: aged 60-69)."""
    values = {
        "source_id": f"YJ{n:06d}",
        "name": f"预警{n}号",
        "id_number": id_number("331102", f"{1956 + n % 10}0101", f"{n % 1000:03d}"),
        "phone": f"137{n:08d}",
        "address": f"江州市青溪县城关镇城东社区幸福路{n}号",
        "fraud_type": "刷单返利",
        "source": "上级推送",
        "warned_at": "2026-11-28 09:30:00",
        "amount": "",
        "suspect": "",
        "notes": "",
    }
    values.update(overrides)
    return list(values.values())


def warning_csv(rows: list[list[Any]], header: list[str] | None = None) -> bytes:
    return csv_bytes(header or HEADER, rows)


def warning_xlsx(rows: list[list[Any]], header: list[str] | None = None) -> bytes:
    return xlsx_bytes(header or HEADER, rows, title="青溪县反诈中心预警推送清单")
