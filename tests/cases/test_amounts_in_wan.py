"""The case list's amounts as a centre's spreadsheet shows them: a cell formatted 0.00"万元" holding
2.5 is 25,000 yuan (as the warnings list reads it), and so is 2.5万 typed as text."""

from __future__ import annotations

import io

import openpyxl

from fanzha.cases.models import Case, Payment
from fanzha.imports.pipeline import import_run
from tests.cases.test_importer import HEADER, ROWS

LOSS, AMOUNT = HEADER.index("损失金额"), HEADER.index("转账金额")


def _book(loss: object, amount: object, number_format: str = "") -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    row = list(ROWS[0])
    row[LOSS], row[AMOUNT] = loss, amount
    sheet.append(HEADER)
    sheet.append(row)
    if number_format:
        for column in (LOSS, AMOUNT):
            sheet.cell(row=2, column=column + 1).number_format = number_format
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _import(world, data: bytes):  # type: ignore[no-untyped-def]
    return import_run(actor=world.users["analyst"], importer="cases", file_name="案件.xlsx", data=data)


def _amounts() -> tuple[int, list[int]]:
    case = Case.objects.get(source_ref=ROWS[0][0])
    return case.loss_fen, list(Payment.objects.filter(case=case).values_list("amount_fen", flat=True))


def test_a_number_shown_in_wan_is_read_as_shown(world) -> None:  # type: ignore[no-untyped-def]
    result = _import(world, _book(2.5, 1.2, '0.00"万元"'))
    assert result.ok, result.errors
    assert _amounts() == (2_500_000, [1_200_000])


def test_a_number_shown_in_yi_is_read_as_shown(world) -> None:  # type: ignore[no-untyped-def]
    result = _import(world, _book(0.12, 0.05, '0.00"亿元"'))
    assert result.ok, result.errors
    assert _amounts() == (1_200_000_000, [500_000_000])


def test_an_amount_typed_in_wan_is_read_in_yuan(world) -> None:  # type: ignore[no-untyped-def]
    result = _import(world, _book("2.5万", "1.2万元"))
    assert result.ok, result.errors
    assert _amounts() == (2_500_000, [1_200_000])


def test_a_number_in_yuan_is_read_as_before(world) -> None:  # type: ignore[no-untyped-def]
    result = _import(world, _book(25000, 12000, "#,##0.00"))
    assert result.ok, result.errors
    assert _amounts() == (2_500_000, [1_200_000])


def test_an_amount_in_wan_that_is_no_amount_is_still_refused(world) -> None:  # type: ignore[no-untyped-def]
    result = _import(world, _book("两三万", "1.2万元"))
    assert not result.ok
    assert {e["column"] for e in result.errors} == {"损失金额"}


def test_the_refusal_never_quotes_the_cell_in_its_message(world) -> None:  # type: ignore[no-untyped-def]
    result = _import(world, _book("约3万", "3万 13905710031"))
    assert not result.ok
    messages = {e["column"]: e["message"] for e in result.errors}
    assert set(messages) == {"损失金额", "转账金额"}
    assert not any("13905710031" in message or "约3万" in message for message in messages.values())


def test_a_column_headed_in_wan_is_read_in_wan(world) -> None:  # type: ignore[no-untyped-def]
    header = [
        {"损失金额": "损失金额（万元）", "转账金额": "转账金额(万元)"}.get(text, text) for text in HEADER
    ]
    book = openpyxl.Workbook()
    row = list(ROWS[0])
    row[LOSS], row[AMOUNT] = 2.5, "1.2"
    book.active.append(header)
    book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    result = _import(world, buffer.getvalue())
    assert result.ok, result.errors
    assert _amounts() == (2_500_000, [1_200_000])
