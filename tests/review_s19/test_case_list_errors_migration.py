"""Case-list row errors stored before row errors were masked (session 19) quoted the raw cell — a phone,
an ID or card number in a misaligned 报案时间/损失金额/转账金额/案件状态 column; a data migration masks
them as the import now does, and leaves the other importers' batches and masked values alone."""

from __future__ import annotations

import importlib

from django.apps import apps

from fanzha.imports.models import ImportBatch

ACCOUNT = "6228480012345678901"
PHONE = "13812345678"


def _batch(importer: str, errors: list[dict[str, object]]) -> ImportBatch:
    return ImportBatch.objects.create(
        importer=importer, file_name="案件.xlsx", sha256="0" * 64, errors=errors
    )


def test_the_case_list_errors_stored_before_are_masked(world) -> None:  # type: ignore[no-untyped-def]
    migration = importlib.import_module("fanzha.imports.migrations.0005_mask_case_list_errors")
    old = [
        {"row": 2, "column": "报案时间", "value": f"张三 {PHONE}", "message": "时间无法识别"},
        {"row": 3, "column": "转账金额", "value": ACCOUNT, "message": "金额无法识别"},
        {"row": 4, "column": "身份证号", "value": "1101**********002X", "message": "校验位错误"},
        {"row": 5, "column": "案件状态", "value": "已结", "message": "未知的案件状态"},
    ]
    cases = _batch("cases", old)
    people = _batch("people", [{"row": 2, "column": "备注", "value": PHONE, "message": "过长"}])
    migration.mask_case_list_errors(apps, None)
    values = [e["value"] for e in ImportBatch.objects.get(pk=cases.pk).errors]
    assert values == ["张三 138****5678", "6228 **** **** 8901", "1101**********002X", "已结"]
    assert [e["message"] for e in ImportBatch.objects.get(pk=cases.pk).errors] == [e["message"] for e in old]
    assert ImportBatch.objects.get(pk=people.pk).errors[0]["value"] == PHONE
