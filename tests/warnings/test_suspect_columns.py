"""Warning lists whose suspect's numbers come under a group label (嫌疑人信息 over 电话 / 账号) or in
numbered columns (嫌疑号码1 … 3): imported as the warning's suspects, never as the number the person to
warn is called on; numbered phone columns (手机号1 / 手机号2) are the phone and its second column."""

from __future__ import annotations

from typing import Any

from fanzha.imports.pipeline import import_run
from fanzha.warnings.models import Warning
from tests.imports.files import sheet_bytes as _xlsx
from tests.warnings.files import row

SUSPECT_NUMBER = "17012345678"
SUSPECT_ACCOUNT = "6222020000000000001"


def _imported(data: bytes, file_name: str) -> Any:
    result = import_run(actor=None, importer="warnings", file_name=file_name, data=data)
    assert result.ok, (result.batch.message, result.batch.errors)
    return result.batch


def test_a_suspects_phone_under_the_suspects_label_is_never_the_persons(world) -> None:  # type: ignore[no-untyped-def]
    """The second row has no 手机号 of its own: before, it was called on the suspect's number."""
    first, second = row(1), row(2)
    upper = ["预警编号", "姓名", "身份证号", "手机号", "现住址", "嫌疑人信息", None]
    lower = [None, None, None, None, None, "电话", "账号"]
    rows = [
        upper,
        lower,
        [*first[:5], SUSPECT_NUMBER, SUSPECT_ACCOUNT],
        [*second[:3], "", second[4], "17099999999", ""],
    ]
    for data, name in ((_xlsx(rows, ("F1:G1",)), "merged.xlsx"), (_xlsx(rows), "list.xlsx")):
        Warning.objects.all().delete()
        batch = _imported(data, name)
        assert (batch.rows_new, batch.rows_rejected) == (2, 0), name
        one, two = Warning.objects.select_related("person").order_by("source_id")
        assert one.person.phone == first[3], name
        assert (one.suspect_numbers, one.suspect_accounts) == (SUSPECT_NUMBER, SUSPECT_ACCOUNT), name
        assert two.person.phone == "", name  # the person has no phone in the list: none is made up
        assert two.suspect_numbers == "17099999999", name
        assert ["嫌疑人信息（电话）", "suspect_numbers"] in batch.columns, name


def test_numbered_phone_and_suspect_columns_in_one_row_are_read(world) -> None:  # type: ignore[no-untyped-def]
    header = ["预警编号", "姓名", "身份证号", "手机号1", "手机号2", "现住址"]
    header += ["嫌疑号码1", "嫌疑号码2", "嫌疑号码3", "嫌疑账号1", "嫌疑账号2"]
    first, second = row(1), row(2)
    rows = [
        header,
        [
            *first[:4],
            "13900000001",
            first[4],
            "17000000001",
            "+86 170-0000-0002",
            "17000000001",
            "6222001",
            "",
        ],
        [*second[:3], "", "13900000002", second[4], "", "", "", "", "6222002"],
    ]
    batch = _imported(_xlsx(rows), "numbered.xlsx")
    assert (batch.rows_new, batch.rows_rejected) == (2, 0)
    assert batch.unknown_columns == []
    one, two = Warning.objects.select_related("person").order_by("source_id")
    assert (one.person.phone, two.person.phone) == (first[3], "13900000002")
    assert one.suspect_numbers == "17000000001\n17000000002"  # each number once
    assert (one.suspect_accounts, two.suspect_accounts) == ("6222001", "6222002")
    assert two.suspect_numbers == ""


def test_a_numbered_sub_name_with_a_note_is_read(world) -> None:  # type: ignore[no-untyped-def]
    first = row(1)
    upper = ["预警编号", "姓名", "身份证号", "联系电话", None, "现住址"]
    lower = [None, None, None, "电话1（必填）", "电话2", None]
    batch = _imported(_xlsx([upper, lower, [*first[:3], "", "13900000002", first[4]]]), "note.xlsx")
    assert (batch.rows_new, batch.rows_rejected) == (1, 0)
    assert Warning.objects.select_related("person").get().person.phone == "13900000002"
