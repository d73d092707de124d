from __future__ import annotations

import pytest

from fanzha.core.pii.bankcard import luhn_valid
from fanzha.core.pii.masking import (
    mask,
    mask_address,
    mask_bank_card,
    mask_id_number,
    mask_name,
    mask_phone,
    scrub_text,
)

ICBC_CARD = next(f"622202123456789123{d}" for d in "0123456789" if luhn_valid(f"622202123456789123{d}"))


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("13812345678", "138****5678"),
        ("+86 138 1234 5678", "138****5678"),
        ("0571-88888888", "057*****8888"),
        ("88888888", "88****88"),
        ("95588", "95588"),
    ],
)
def test_it_masks_phone_numbers(value: str, masked: str) -> None:
    assert mask_phone(value) == masked


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("330102199001011234", "3301**********1234"),
        ("33010219900101123x", "3301**********123X"),
        ("330102900101123", "3301*******1123"),
    ],
)
def test_it_masks_id_numbers(value: str, masked: str) -> None:
    assert mask_id_number(value) == masked


def test_it_masks_bank_cards() -> None:
    assert mask_bank_card("6222021234567891234") == "6222 **** **** 1234"
    assert mask_bank_card("6222 0212 3456 7891 234") == "6222 **** **** 1234"


@pytest.mark.parametrize(
    ("value", "masked"),
    [("张三", "张*"), ("张小三", "张*三"), ("欧阳小明", "欧**明"), ("王", "*"), (" 李四 ", "李*")],
)
def test_it_masks_names(value: str, masked: str) -> None:
    assert mask_name(value) == masked


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("浙江省杭州市西湖区北山街道曙光路12号3幢", "浙江省杭州市西湖区北山街道****"),
        ("北京市朝阳区建国路88号", "北京市朝阳区****"),
        ("浙江省金华市义乌市佛堂镇某某村5组", "浙江省金华市义乌市佛堂镇****"),
        ("内蒙古自治区呼和浩特市新城区海拉尔东街道1号", "内蒙古自治区呼和浩特市新城区海拉尔东街道****"),
        ("广东省 深圳市 南山区 粤海街道 科技园", "广东省深圳市南山区粤海街道****"),
        ("杭州市幸福小区3幢", "杭州市****"),
        ("解放路100号", "****"),
        ("浙江省杭州市西湖区", "浙江省杭州市西湖区"),
    ],
)
def test_it_masks_addresses_below_township_level(value: str, masked: str) -> None:
    assert mask_address(value) == masked


@pytest.mark.parametrize("kind", ["name", "id_number", "phone", "bank_account", "address"])
def test_it_returns_empty_for_missing_values(kind: str) -> None:
    assert mask(kind, None) == ""
    assert mask(kind, "") == ""


def test_it_dispatches_by_kind() -> None:
    assert mask("name", "张小三") == "张*三"
    assert mask("phone", "13812345678") == "138****5678"
    assert mask("bank_account", "6222021234567891234") == "6222 **** **** 1234"


def test_it_refuses_unknown_kinds() -> None:
    with pytest.raises(ValueError, match="未知"):
        mask("salary", "1000")


def test_it_scrubs_id_and_phone_numbers_from_a_sentence() -> None:
    text = "受害人身份证号330102199001011234，手机13812345678，于5月3日被骗5000元。"

    scrubbed = scrub_text(text)

    assert scrubbed == "受害人身份证号3301**********1234，手机138****5678，于5月3日被骗5000元。"


@pytest.mark.parametrize(
    "phone", ["+86 138 1234 5678", "+86-138-1234-5678", "0086 13812345678", "138 1234 5678"]
)
def test_it_scrubs_international_and_spaced_mobile_numbers(phone: str) -> None:
    assert scrub_text(f"回拨 {phone} 无人接听") == "回拨 138****5678 无人接听"


def test_it_scrubs_luhn_valid_bank_cards_plain_or_grouped() -> None:
    grouped = " ".join(ICBC_CARD[i : i + 4] for i in range(0, len(ICBC_CARD), 4))
    masked = f"{ICBC_CARD[:4]} **** **** {ICBC_CARD[-4:]}"

    assert scrub_text(f"转入账户{ICBC_CARD}。") == f"转入账户{masked}。"
    assert scrub_text(f"卡号 {grouped} 已止付") == f"卡号 {masked} 已止付"


def test_it_leaves_other_numbers_alone() -> None:
    text = "案件编号20240501，金额12345.67元，请求耗时1500ms，时间戳1732950000000，订单号41111111111111120001"

    assert scrub_text(text) == text


def test_it_scrubs_an_account_of_a_cards_length_whatever_its_check_digit() -> None:
    """A company account, a mistyped card, a bank without Luhn: 16–19 digits are masked all the same
    (a grid worker's note “转到6222020000000000017” was saved and shown in clear)."""
    assert scrub_text("转到6222020000000000017") == "转到6222 **** **** 0017"
    assert scrub_text("对公账户 1202 0210 0900 1234 567") == "对公账户 1202 **** **** 4567"
    assert scrub_text("订单号4111111111111112") == "订单号4111 **** **** 1112"


def test_it_scrubs_full_width_digits() -> None:
    assert scrub_text("电话：１３８１２３４５６７８。") == "电话：138****5678。"


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("家里电话 0571-88889999", "家里电话 057*****9999"),
        ("座机：(0571)8888 9999，晚上在家", "座机：057*****9999，晚上在家"),
        ("010 62345678转8001", "010****5678转8001"),
        ("宅电88889999", "宅电88****99"),
        ("固话：6234567", "固话：62***67"),
    ],
)
def test_scrub_text_masks_landlines(text: str, masked: str) -> None:
    """An elderly person's home phone in a note: with its area code, or after a label saying it is one."""
    assert scrub_text(text) == masked


@pytest.mark.parametrize(
    "text",
    ["金额 88889999 元", "2026-11-03 09:30", "订单 0755-1234", "编号 00123456789", "邮编 310000", "95588"],
)
def test_scrub_text_leaves_numbers_that_are_no_landline(text: str) -> None:
    assert scrub_text(text) == text
