"""Warning intake leftovers (session 20): suspect numbers kept as one number however they were written
(+86, 0086, spaces, dashes), also when two reports are merged; a debit a bank writes in brackets;
amounts written in capital numerals (贰万元整)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from fanzha.imports.pipeline import import_run
from fanzha.warnings import intake
from fanzha.warnings.intake import WarningInput, clean_warning, parse_amount, suspect_numbers_text
from fanzha.warnings.models import Warning
from tests.warnings.files import row, warning_csv
from tests.warnings.helpers import make_warning

NOW = timezone.make_aware(dt.datetime(2026, 11, 28, 12, 0))
PERSON = {"name": "王秀英", "phone": "13905710001"}


# ── suspect numbers ──────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("written", "kept"),
    [
        ("+8617012345679", "17012345679"),
        ("0086 170-1234-5679", "17012345679"),
        ("170 1234 5679", "17012345679"),
        ("+86 170 1234 5679", "17012345679"),
        ("0571-12345678", "057112345678"),
        ("(0571) 8888-8888", "057188888888"),
        ("+86 571 8888 8888", "057188888888"),
        ("+852 1234 5678", "+85212345678"),
        ("１７０１２３４５６７９", "17012345679"),
    ],
)
def test_a_suspect_number_is_kept_in_one_form_however_written(written: str, kept: str) -> None:
    assert suspect_numbers_text(written) == kept
    clean = clean_warning(WarningInput(**PERSON, suspect_numbers=written), now=NOW)
    assert clean.suspect_numbers == kept


def test_several_suspect_numbers_keep_their_separators_and_lose_their_repeats() -> None:
    assert suspect_numbers_text("+8617012345679、170 1234 5679") == "17012345679"
    assert suspect_numbers_text("17012345679,0571-12345678，+8617012345679") == "17012345679,057112345678"
    assert suspect_numbers_text("17012345679/17012345678/17012345679") == "17012345679/17012345678"
    assert suspect_numbers_text("17012345679\n0086 170 1234 5679\n95588") == "17012345679\n95588"
    # numbers apart by spaces only: each one, the space kept between them
    assert suspect_numbers_text("13857100046 138-5710-0046 13957100046") == "13857100046 13957100046"
    # a repeat dropped with its comma keeps the line break after it
    assert (
        suspect_numbers_text("17012345679,17012345678,17012345679\n95588") == "17012345679,17012345678\n95588"
    )


@pytest.mark.parametrize(
    "written",
    [
        "17012345679",
        "17012345679,17012345678",
        "张三 13857100046（微信同号）",
        "QQ 123456789",
        "+86",
        "6222 0212 3456 7890 123",  # a card number in the numbers column: no phone number, as written
        "1.70123E+10",
        "1" * 6000,
    ],
)
def test_what_is_no_number_or_already_plain_is_kept_as_written(written: str) -> None:
    assert suspect_numbers_text(written) == written


def test_a_part_that_is_no_number_stays_beside_the_numbers() -> None:
    assert suspect_numbers_text("+86 170 1234 5679、微信 abc123") == "17012345679、微信 abc123"


def test_the_derived_id_of_a_row_without_time_is_what_it_was_before_the_numbers_were_normalised() -> None:
    """A list without times imported before this change and again after it is still the same list:
    the derived 预警编号 reads the suspect numbers as written."""
    written = WarningInput(**PERSON, suspect_numbers="+86 170 1234 5679")
    plain = WarningInput(**PERSON, suspect_numbers="17012345679")
    assert clean_warning(written, now=NOW).suspect_numbers == clean_warning(plain, now=NOW).suspect_numbers
    assert clean_warning(written, now=NOW).source_id != clean_warning(plain, now=NOW).source_id
    assert clean_warning(written, now=NOW).source_id == clean_warning(written, now=NOW).source_id


def test_two_reports_of_one_person_merged_keep_each_suspect_number_once(world) -> None:  # type: ignore[no-untyped-def]
    first = make_warning(1, suspect_numbers="+8617012345679")
    merged = make_warning(1, source_id="M00001", suspect_numbers="0086 170-1234-5679、0571-12345678")
    assert merged.pk == first.pk and merged.merged_count == 1
    assert merged.suspect_numbers == "17012345679\n057112345678"


def test_a_merge_reads_the_numbers_stored_before_in_their_written_form(world) -> None:  # type: ignore[no-untyped-def]
    """A warning received before the numbers were normalised still holds them as written."""
    first = make_warning(1, suspect_numbers="17012345678")
    Warning.objects.filter(pk=first.pk).update(suspect_numbers="+86 170 1234 5679")
    merged = make_warning(1, source_id="M00001", suspect_numbers="17012345679")
    assert merged.suspect_numbers == "17012345679"


def test_a_file_merging_two_rows_of_one_person_keeps_each_suspect_number_once(world) -> None:  # type: ignore[no-untyped-def]
    rows = [row(1, suspect="+86 170 1234 5679"), row(1, source_id="YJ900001", suspect="170-1234-5679")]
    result = import_run(actor=None, importer="warnings", file_name="list.csv", data=warning_csv(rows))
    assert result.ok, (result.batch.message, result.batch.errors)
    warning = Warning.objects.get()
    assert warning.merged_count == 1 and warning.suspect_numbers == "17012345679"


# ── amounts ──────────────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("written", "amount"),
    [
        ("(20,000.00)", "20000.00"),  # a debit as accounting writes it: the sum that left the account
        ("（20,000.00）", "20000.00"),
        ("(¥20,000.00)", "20000.00"),
        ("(5000)", "5000.00"),
        ("-50,000.00", "50000.00"),  # as before
    ],
)
def test_it_reads_a_debit_written_in_brackets_as_the_minus_sign_is_read(written: str, amount: str) -> None:
    assert parse_amount(written) == Decimal(amount)
    clean = clean_warning(WarningInput(**PERSON, amount=written), now=NOW)
    assert clean.amount == Decimal(amount) and "amount_invalid" not in clean.flags


@pytest.mark.parametrize("written", ["$1,000", "($1,000)", "USD 1000", "(已止付)", "（已止付）", "(约)"])
def test_foreign_currency_and_a_note_alone_stay_unreadable(written: str) -> None:
    with pytest.raises(ValueError):
        parse_amount(written)
    flagged = clean_warning(WarningInput(**PERSON, amount=written), now=NOW)
    assert flagged.amount is None and flagged.flags == ["amount_invalid"]


def test_a_row_without_suspects_or_with_one_plain_number_is_not_taken_apart(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The normalising runs on every row: an empty cell (most rows) went through the splitting and the
    number reading (≈ 2 µs a row, 40 ms on 20,000 rows) for nothing."""

    def taken_apart(part: str) -> list[tuple[str, str]]:
        raise AssertionError(part)

    monkeypatch.setattr(intake, "_numbers_of", taken_apart)
    assert clean_warning(WarningInput(**PERSON), now=NOW).suspect_numbers == ""
    assert clean_warning(WarningInput(**PERSON, suspect_numbers="17012345679"), now=NOW).suspect_numbers


@pytest.mark.parametrize(
    ("written", "amount"),
    [
        ("贰万元整", "20000.00"),
        ("壹万伍仟元", "15000.00"),
        ("伍佰元", "500.00"),
        ("人民币壹拾万元整", "100000.00"),
        ("人民币伍仟", "5000.00"),
        ("拾万元", "100000.00"),
        ("壹万零伍佰元", "10500.00"),
        ("贰万零伍元", "20005.00"),
        ("壹拾伍元", "15.00"),
        ("叁仟圆整", "3000.00"),
        ("壹佰元伍角叁分", "100.53"),
        ("壹佰元零叁分", "100.03"),
        ("伍角", "0.50"),
        ("壹亿贰仟万元", "120000000.00"),
        ("约贰万元", "20000.00"),
        ("贰万余元", "20000.00"),
        ("伍仟多元", "5000.00"),
    ],
)
def test_it_reads_amounts_written_in_capital_numerals(written: str, amount: str) -> None:
    assert parse_amount(written) == Decimal(amount)
    clean = clean_warning(WarningInput(**PERSON, amount=written), now=NOW)
    assert clean.amount == Decimal(amount) and "amount_invalid" not in clean.flags


@pytest.mark.parametrize("written", ["贰万伍", "壹佰伍", "壹贰", "佰元", "万元", "万亿元", "贰万伍$"])
def test_capitals_that_say_no_one_sum_stay_unreadable(written: str) -> None:
    """贰万伍: 20,005 or 25,000? A cheque writes 贰万零伍 or 贰万伍仟."""
    with pytest.raises(ValueError):
        parse_amount(written)
