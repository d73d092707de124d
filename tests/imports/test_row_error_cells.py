"""A row error quotes its cell (stored with the batch and shown): a column that is not personal may still
hold an ID, phone or account number when a file's columns are misaligned, so the quoted value is masked
like a case list's; errors stored before are masked by a data migration."""

from __future__ import annotations

import importlib

from django.apps import apps

from fanzha.imports.columns import Field
from fanzha.imports.models import ImportBatch

ACCOUNT = "6228480012345678901"
PHONE = "13812345678"
ID_NUMBER = "11010519491231002X"


def test_a_plain_columns_quoted_cell_hides_personal_numbers() -> None:
    when = Field("warned_at", "预警时间", ())
    assert when.masked(f"张三 {PHONE}") == "张三 138****5678"
    assert ID_NUMBER not in when.masked(ID_NUMBER) and ACCOUNT not in when.masked(ACCOUNT)
    assert when.masked("昨天下午") == "昨天下午" and when.masked("2026-11-29 08:05") == "2026-11-29 08:05"
    assert len(when.masked("很" * 300)) == 101  # cut, with an ellipsis


def test_the_errors_stored_before_are_masked(world) -> None:  # type: ignore[no-untyped-def]
    migration = importlib.import_module("fanzha.imports.migrations.0006_mask_row_error_cells")
    old = [
        {"row": 2, "column": "预警时间", "value": ID_NUMBER, "message": "时间无法识别"},
        {"row": 3, "column": "", "value": "", "message": "无法识别或联系当事人"},
        {"row": 4, "column": "层级", "value": "乡级", "message": "层级应为…"},
    ]
    batch = ImportBatch.objects.create(
        importer="warnings", file_name="预警.xlsx", sha256="0" * 64, errors=old
    )
    migration.mask_row_error_cells(apps, None)
    errors = ImportBatch.objects.get(pk=batch.pk).errors
    assert ID_NUMBER not in errors[0]["value"] and errors[0]["value"].startswith("1101")
    assert errors[1:] == old[1:] and [e["message"] for e in errors] == [e["message"] for e in old]
