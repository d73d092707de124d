from __future__ import annotations

import datetime as dt

import pytest

from fanzha.core.pii.idcard import check_id_number, normalize_id_number, upgrade_15_to_18

TODAY = dt.date(2026, 6, 1)
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"


def with_check_digit(body17: str) -> str:
    """GB 11643-1999: sum of digit × weight, mod 11, mapped through 1 0 X 9 8 7 6 5 4 3 2."""
    total = sum(int(digit) * weight for digit, weight in zip(body17, WEIGHTS, strict=True))
    return body17 + CHECK_CHARS[total % 11]


def wrong_check_digit(number: str) -> str:
    return number[:-1] + ("1" if number[-1] != "1" else "2")


def test_it_accepts_a_valid_number_and_describes_it() -> None:
    number = with_check_digit("11010119900307451")

    check = check_id_number(number, today=TODAY)

    assert check.valid
    assert check.errors == ()
    assert check.warnings == ()
    assert check.normalized == number
    assert check.birth_date == dt.date(1990, 3, 7)
    assert check.sex == "男"
    assert check.region_code == "110101"
    assert check.region_name == "北京市东城区"


def test_it_reads_sex_from_the_17th_digit() -> None:
    assert check_id_number(with_check_digit("33010219851231002"), today=TODAY).sex == "女"
    assert check_id_number(with_check_digit("33010219851231003"), today=TODAY).sex == "男"


def test_it_gives_the_full_region_name_with_prefecture() -> None:
    check = check_id_number(with_check_digit("33010219900101123"), today=TODAY)

    assert check.region_name == "浙江省杭州市上城区"


def test_it_rejects_a_wrong_check_digit() -> None:
    number = wrong_check_digit(with_check_digit("11010119900307451"))

    check = check_id_number(number, today=TODAY)

    assert not check.valid
    assert any("校验码" in error for error in check.errors)


def test_it_accepts_lowercase_x_spaces_and_full_width_characters() -> None:
    number = next(
        with_check_digit(f"1101011990030745{n}")
        for n in range(10)
        if with_check_digit(f"1101011990030745{n}").endswith("X")
    )
    full_width = "".join(chr(ord(char) + 0xFEE0) for char in number)
    spaced = f" {number[:6]} {number[6:14]} {number[14:].lower()} "

    for text in (number.lower(), spaced, full_width):
        check = check_id_number(text, today=TODAY)
        assert check.valid, text
        assert check.normalized == number


@pytest.mark.parametrize(
    ("body17", "message"),
    [
        ("11010119900230123", "不是有效日期"),  # 30 February
        ("11010119901301123", "不是有效日期"),  # month 13
        ("11010120300101123", "晚于今天"),
        ("11010118990101123", "早于1900年"),
    ],
)
def test_it_rejects_impossible_birth_dates(body17: str, message: str) -> None:
    check = check_id_number(with_check_digit(body17), today=TODAY)

    assert not check.valid
    assert check.birth_date is None
    assert any(message in error for error in check.errors)


def test_it_only_warns_when_the_region_code_was_retired_before_birth() -> None:
    # 330121 was 萧山县 until 1987 (then 萧山市 330181, now 萧山区 330109).
    check = check_id_number(with_check_digit("33012119950101123"), today=TODAY)

    assert check.valid
    assert check.errors == ()
    assert check.region_name == "浙江省杭州市萧山县"
    assert len(check.warnings) == 1
    assert "1987年撤销" in check.warnings[0]


def test_it_does_not_warn_when_the_code_was_in_force_at_birth() -> None:
    check = check_id_number(with_check_digit("33012119800101123"), today=TODAY)

    assert check.valid
    assert check.warnings == ()


def test_it_picks_the_name_in_force_for_the_birth_year() -> None:
    # 120110 was 东郊区 until 1991 and is 东丽区 since 1992.
    older = check_id_number(with_check_digit("12011019880101123"), today=TODAY)
    younger = check_id_number(with_check_digit("12011019990101123"), today=TODAY)

    assert older.region_name == "天津市东郊区"
    assert younger.region_name == "天津市东丽区"


def test_it_only_warns_for_an_unknown_region_code() -> None:
    check = check_id_number(with_check_digit("99999919900101123"), today=TODAY)

    assert check.valid
    assert check.region_name == ""
    assert any("不在行政区划代码表中" in warning for warning in check.warnings)


def test_it_upgrades_15_digit_numbers_to_18_digits() -> None:
    legacy = "110101900307451"  # 1990-03-07, sequence 451
    expected = with_check_digit("11010119900307451")

    check = check_id_number(legacy, today=TODAY)

    assert upgrade_15_to_18(legacy) == expected
    assert normalize_id_number(legacy) == expected
    assert check.valid
    assert check.normalized == expected
    assert check.birth_date == dt.date(1990, 3, 7)
    assert any("15位" in warning for warning in check.warnings)


@pytest.mark.parametrize("text", ["", "   ", "1101011990", "11010119900307451A", "身份证"])
def test_it_rejects_malformed_numbers(text: str) -> None:
    check = check_id_number(text, today=TODAY)

    assert not check.valid
    assert check.errors
    assert check.birth_date is None
