"""Free text (notes, logs) also hides passport and travel-permit numbers, QQ numbers and WeChat ids:
labelled ones always, unlabelled ones where their shape says what they are."""

from __future__ import annotations

import logging

import pytest

from fanzha.core.logging import PiiScrubFilter
from fanzha.core.pii.masking import mask_identifier, scrub_text


@pytest.mark.parametrize(
    ("text", "scrubbed"),
    [
        ("持护照 E12345678 出境", "持护照 E1*****78 出境"),
        ("护照号E12345678", "护照号E1*****78"),
        ("护照号码：EA1234567。", "护照号码：EA*****67。"),
        ("旧护照G12345678已注销", "旧护照G1*****78已注销"),
        ("护照号为 P1234567", "护照号为 P1****67"),
        ("passport no. E12345678", "passport no. E1*****78"),
    ],
)
def test_it_masks_passport_numbers(text: str, scrubbed: str) -> None:
    assert scrub_text(text) == scrubbed


@pytest.mark.parametrize(
    ("text", "scrubbed"),
    [
        ("港澳通行证 C12345678", "港澳通行证 C1*****78"),
        ("往来港澳通行证号：CA1234567", "往来港澳通行证号：CA*****67"),
        ("证件C12345678已过期", "证件C1*****78已过期"),
        ("回乡证 H1234567801", "回乡证 H1*******01"),
        ("台胞证号 12345678", "台胞证号 12****78"),
        ("往来台湾通行证 L12345678", "往来台湾通行证 L1*****78"),
    ],
)
def test_it_masks_travel_permit_numbers(text: str, scrubbed: str) -> None:
    assert scrub_text(text) == scrubbed


@pytest.mark.parametrize(
    ("text", "scrubbed"),
    [
        ("对方QQ: 12345678，已拉黑", "对方QQ: 12****78，已拉黑"),
        ("QQ号 123456789", "QQ号 12*****89"),
        ("qq号码：10001", "qq号码：1***1"),
        ("嫌疑人QQ是2345678901", "嫌疑人QQ是23******01"),
    ],
)
def test_it_masks_labelled_qq_numbers(text: str, scrubbed: str) -> None:
    assert scrub_text(text) == scrubbed


@pytest.mark.parametrize(
    ("text", "scrubbed"),
    [
        ("微信号 wxid_abc123", "微信号 wx*******23"),
        ("微信：zhangsan_88", "微信：zh*******88"),
        ("加了对方微信 zhangsan_88 后被骗", "加了对方微信 zh*******88 后被骗"),
        ("微信号是lisi2024", "微信号是li****24"),
        ("WeChat ID: wang-99x", "WeChat ID: wa****9x"),
        ("vx: abc_12345", "vx: ab*****45"),
        ("对方 wxid_k2j3h4g5f6 拉群", "对方 wx***********f6 拉群"),
    ],
)
def test_it_masks_labelled_wechat_ids(text: str, scrubbed: str) -> None:
    assert scrub_text(text) == scrubbed


def test_a_wechat_id_that_is_a_mobile_gets_the_phone_mask() -> None:
    assert scrub_text("微信号 13812345678") == "微信号 138****5678"
    assert scrub_text("QQ 13812345678") == "QQ 138****5678"


@pytest.mark.parametrize(
    "text",
    [
        "案件编号AJ2024000123，于2024-05-03 14:30 被骗5000元",
        "通过微信转账 8000 元，QQ群里有人推荐",
        "用微信 payment 付款，微信已删除，QQ已注销",
        "对方用QQ音乐和微信读书联系",
        "护照已过期，通行证在派出所，回乡证无",
        "护照20240501到期，通行证 2025-03-01 前换发，QQ 2024年注册",
        "乘坐G1234次列车，航班CA1234，车牌浙A12345",
        "Error E1234 in module; request 3f9e12345678ab; build e12345678",
        "warning_detail took 1500ms at 20240503",
        "预警编号 20261128001，金额12,345.67元",
    ],
)
def test_it_leaves_ordinary_words_and_numbers_alone(text: str) -> None:
    assert scrub_text(text) == text


def test_the_log_filter_masks_them_too() -> None:
    record = logging.LogRecord(
        "fanzha", logging.INFO, __file__, 1, "护照 %s QQ: %s", ("E12345678", "12345678"), None
    )

    PiiScrubFilter().filter(record)

    assert record.getMessage() == "护照 E1*****78 QQ: 12****78"


def test_mask_identifier_keeps_two_characters_at_each_end() -> None:
    assert mask_identifier("E12345678") == "E1*****78"
    assert mask_identifier(" wxid_abc123 ") == "wx*******23"
    assert mask_identifier("10001") == "1***1"
    assert mask_identifier("") == ""
    assert mask_identifier(None) == ""


@pytest.mark.parametrize(
    ("text", "scrubbed"),
    [
        ("对方邮箱12345678@qq.com已注销", "对方邮箱12****78@qq.com已注销"),
        ("13812345678@163.com", "13*******78@163.com"),
        ("zhangsan.li@example.com.cn 联系", "zh*******li@example.com.cn 联系"),
        ("邮箱 abc@qq.com", "邮箱 a*c@qq.com"),
    ],
)
def test_it_masks_the_local_part_of_e_mail_addresses(text: str, scrubbed: str) -> None:
    assert scrub_text(text) == scrubbed


@pytest.mark.parametrize("text", ["@某人 请回复", "user@localhost", "版本 v1.2 发布", "a@b"])
def test_what_is_no_e_mail_address_is_left_alone(text: str) -> None:
    assert scrub_text(text) == text
