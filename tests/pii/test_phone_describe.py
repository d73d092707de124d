"""The 号段 description (validity, kind, carrier, province, city) is what the library's public calls give."""

from __future__ import annotations

import random

import phonenumbers
from phonenumbers import carrier, geocoder

from fanzha.core.pii import phone


def _by_public_calls(number: phonenumbers.PhoneNumber) -> tuple[bool, str, str, str, str]:
    valid = phonenumbers.is_valid_number(number)
    kind = phone._KINDS.get(phonenumbers.number_type(number), "unknown") if valid else "unknown"
    name = carrier.name_for_number(number, "zh") if valid else ""
    description = geocoder.description_for_number(number, "zh") if valid else ""
    province, city = phone._split_location(description) if valid else ("", "")
    return valid, kind, name, province, city


def test_every_kind_of_prefix_is_described_as_the_library_describes_it() -> None:
    rng = random.Random(7)
    prefixes = {f"1{rng.randrange(30, 100):02d}{rng.randrange(10**4):04d}" for _ in range(3000)}
    prefixes |= {"1390571", "1400000", "1440000", "1540000", "1700001", "1920000", "1990000", "1000000"}
    for prefix in sorted(prefixes):
        number = phonenumbers.parse(prefix + "0000", "CN")
        assert phone._describe(number) == _by_public_calls(number), prefix
    for text in ["057188880000", "01012345678", "02812345678", "+85291234567", "+12025550123", "075512345"]:
        number = phonenumbers.parse(text, None if text.startswith("+") else "CN")
        assert phone._describe(number) == _by_public_calls(number), text


def test_a_mobile_number_is_described_by_its_prefix() -> None:
    info = phone.phone_info("13905710000")
    number = phonenumbers.parse("13905710000", "CN")
    assert (info.valid, info.kind, info.carrier, info.province, info.city) == _by_public_calls(number)
