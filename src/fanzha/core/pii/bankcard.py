"""Bank card numbers: Luhn check, length and issuing bank from a reviewed BIN file.

``bank_bins.csv`` (same package) maps issuer identification prefixes to the bank and card type;
lines starting with ``#`` are comments. The longest matching prefix wins. Only prefixes of the
major national banks that were checked by hand are listed; anything else has an empty bank name.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources

__all__ = ["BankCardInfo", "bank_card_info", "luhn_valid", "normalize_bank_card"]

MIN_LENGTH = 12
MAX_LENGTH = 19


@dataclass(frozen=True, slots=True)
class BankCardInfo:
    """What can be told offline about one card number; ``errors`` empty means plausible."""

    normalized: str
    valid_luhn: bool
    bank_name: str
    card_type: str
    errors: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Bin:
    bank_name: str
    card_type: str


def normalize_bank_card(text: str) -> str:
    """Full-width to ASCII and separators (spaces, dashes) removed; other characters are kept."""
    folded = unicodedata.normalize("NFKC", text or "")
    return re.sub(r"[\s\-]", "", folded)


def luhn_valid(digits: str) -> bool:
    """The Luhn (mod 10) check used by UnionPay, Visa and Mastercard numbers."""
    if not digits.isascii() or not digits.isdigit():
        return False
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


@cache
def _bins() -> dict[str, _Bin]:
    text = resources.files(__package__).joinpath("bank_bins.csv").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    return {
        row["bin"].strip(): _Bin(row["bank_name"].strip(), row["card_type"].strip())
        for row in csv.DictReader(lines)
    }


@cache
def _prefix_lengths() -> tuple[int, ...]:
    return tuple(sorted({len(prefix) for prefix in _bins()}, reverse=True))


def _issuer(digits: str) -> _Bin | None:
    table = _bins()
    for length in _prefix_lengths():
        found = table.get(digits[:length])
        if found is not None and len(digits) > length:
            return found
    return None


def _errors(digits: str, luhn: bool) -> tuple[str, ...]:
    if not digits:
        return ("银行卡号为空",)
    if not digits.isascii() or not digits.isdigit():
        return ("银行卡号只能包含数字",)
    errors = []
    if not MIN_LENGTH <= len(digits) <= MAX_LENGTH:
        errors.append(f"银行卡号应为{MIN_LENGTH}–{MAX_LENGTH}位数字")
    if not luhn:
        errors.append("银行卡号未通过校验（Luhn），可能录入有误")
    return tuple(errors)


def bank_card_info(text: str) -> BankCardInfo:
    """Validate a card number and name its issuing bank when the BIN is known."""
    digits = normalize_bank_card(text)
    luhn = luhn_valid(digits)
    issuer = _issuer(digits) if digits.isascii() and digits.isdigit() else None
    return BankCardInfo(
        normalized=digits,
        valid_luhn=luhn,
        bank_name=issuer.bank_name if issuer else "",
        card_type=issuer.card_type if issuer else "",
        errors=_errors(digits, luhn),
    )
