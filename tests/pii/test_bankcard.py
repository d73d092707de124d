from __future__ import annotations

import csv
from importlib import resources

import pytest

from fanzha.core.pii.bankcard import bank_card_info, luhn_valid


def with_luhn_digit(body: str) -> str:
    return next(body + digit for digit in "0123456789" if luhn_valid(body + digit))


@pytest.mark.parametrize("number", ["4111111111111111", "79927398713", "6222021234567891233"])
def test_it_accepts_luhn_valid_numbers(number: str) -> None:
    assert luhn_valid(number)


@pytest.mark.parametrize("number", ["4111111111111112", "79927398710", "", "6222a"])
def test_it_rejects_luhn_invalid_numbers(number: str) -> None:
    assert not luhn_valid(number)


def test_it_recognises_an_icbc_debit_card() -> None:
    number = with_luhn_digit("622202123456789123")

    info = bank_card_info(number)

    assert info.valid_luhn
    assert info.errors == ()
    assert info.bank_name == "中国工商银行"
    assert info.card_type == "借记卡"


@pytest.mark.parametrize(
    ("body", "bank"),
    [
        ("622848012345678901", "中国农业银行"),
        ("621700123456789012", "中国建设银行"),
        ("601382123456789012", "中国银行"),
        ("622588123456789", "招商银行"),
        ("621799123456789012", "中国邮政储蓄银行"),
    ],
)
def test_it_recognises_other_major_banks(body: str, bank: str) -> None:
    assert bank_card_info(with_luhn_digit(body)).bank_name == bank


def test_it_accepts_spaces_dashes_and_full_width_digits() -> None:
    number = with_luhn_digit("622202123456789123")
    spaced = " ".join(number[i : i + 4] for i in range(0, len(number), 4))
    full_width = "".join(chr(ord(char) + 0xFEE0) for char in number)

    for text in (spaced, number[:6] + "-" + number[6:], full_width):
        info = bank_card_info(text)
        assert info.normalized == number
        assert info.bank_name == "中国工商银行"


def test_it_reports_a_failed_luhn_check_but_still_names_the_bank() -> None:
    number = with_luhn_digit("622202123456789123")
    typo = number[:-1] + str((int(number[-1]) + 1) % 10)

    info = bank_card_info(typo)

    assert not info.valid_luhn
    assert info.bank_name == "中国工商银行"
    assert any("Luhn" in error for error in info.errors)


def test_it_leaves_the_bank_empty_for_unknown_bins() -> None:
    info = bank_card_info("4111111111111111")

    assert info.valid_luhn
    assert info.bank_name == ""
    assert info.card_type == ""


@pytest.mark.parametrize(
    ("text", "message"), [("42", "12–19位"), ("6222 02x1", "只能包含数字"), ("", "为空")]
)
def test_it_rejects_bad_lengths_and_characters(text: str, message: str) -> None:
    info = bank_card_info(text)

    assert any(message in error for error in info.errors)


def test_it_ships_a_clean_bin_file() -> None:
    text = resources.files("fanzha.core.pii").joinpath("bank_bins.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(line for line in text.splitlines() if not line.startswith("#")))
    bins = [row["bin"] for row in rows]

    assert len(rows) > 100
    assert len(bins) == len(set(bins))
    assert all(b.isdigit() and 3 <= len(b) <= 10 for b in bins)
    assert all(row["bank_name"] for row in rows)
    assert {row["card_type"] for row in rows} <= {"借记卡", "信用卡", "准贷记卡", ""}
