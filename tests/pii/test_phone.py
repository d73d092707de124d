from __future__ import annotations

import pytest

from fanzha.core.pii import phone
from fanzha.core.pii.phone import normalize_phone, phone_info


def test_it_finds_carrier_and_location_of_a_real_mobile_prefix() -> None:
    info = phone_info("13800138000")

    assert info.valid
    assert info.errors == ()
    assert info.kind == "mobile"
    assert info.carrier == "中国移动"
    assert info.province == "北京市"
    assert info.city == "北京市"


def test_it_splits_province_and_city() -> None:
    info = phone_info("15692012345")

    assert (info.carrier, info.province, info.city) == ("中国联通", "广东省", "广州市")


@pytest.mark.parametrize(
    "text",
    [
        "+86 138 0013 8000",
        "+8613800138000",
        "0086-138-0013-8000",
        "86 13800138000",
        "138-0013-8000",
        " 138 0013 8000 ",
        "１３８００１３８０００",
        "＋８６ １３８００１３８０００",
    ],
)
def test_it_normalizes_international_spaced_and_full_width_forms(text: str) -> None:
    assert normalize_phone(text) == "13800138000"
    assert phone_info(text).carrier == "中国移动"


def test_it_describes_landlines_with_trunk_zero() -> None:
    info = phone_info("(0571) 8888-8888")

    assert info.normalized == "057188888888"
    assert info.valid
    assert info.kind == "landline"
    assert (info.province, info.city) == ("浙江省", "杭州市")


def test_it_restores_the_trunk_zero_of_a_landline_written_with_86() -> None:
    assert normalize_phone("+86 10 6234 5678") == "01062345678"
    assert phone_info("+86 10 6234 5678").province == "北京市"


@pytest.mark.parametrize("text", ["95588", "96110", "400-812-3123", "800 810 1818", "10086", "110"])
def test_it_classifies_service_numbers(text: str) -> None:
    info = phone_info(text)

    assert info.valid
    assert info.kind == "service"


def test_it_knows_the_carrier_of_carrier_hotlines() -> None:
    assert phone_info("10086").carrier == "中国移动"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("12345678901", "号段未分配"),
        ("14012345678", "号段未分配"),
        ("1380013800", "11位"),
        ("88888888", "缺少区号"),
        ("", "为空"),
        ("无号码", "为空"),
    ],
)
def test_it_rejects_numbers_that_cannot_exist_in_chinese(text: str, message: str) -> None:
    info = phone_info(text)

    assert not info.valid
    assert info.kind == "unknown"
    assert any(message in error for error in info.errors)


def test_it_keeps_foreign_numbers_in_international_form() -> None:
    info = phone_info("+1 650 253 0000")

    assert info.normalized == "+16502530000"
    assert info.valid
    assert info.province == ""


def test_it_caches_mobile_lookups_by_seven_digit_prefix() -> None:
    phone._mobile_prefix_info.cache_clear()

    for suffix in range(50):
        phone_info(f"1380013{suffix:04d}")

    stats = phone._mobile_prefix_info.cache_info()
    assert stats.misses == 1
    assert stats.hits == 49
