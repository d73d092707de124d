"""Normaliser: each evasion the issue lists, the placeholder text, and ordinary text left alone."""

from __future__ import annotations

import pytest

from fanzha.screening.normalise import model_text, normalise, normalise_many
from fanzha.screening.types import (
    PH_CARD,
    PH_DIGITS,
    PH_MOBILE,
    PH_NAME,
    PH_PHONE,
    PH_PLACE,
    PH_QQ,
    PH_URL,
    PH_WECHAT,
)


def text(s: str) -> str:
    return normalise(s).text


def test_it_folds_full_width_and_circled_digits():
    assert text("ＡＢＣ１２３，你好") == "ABC123,你好"
    assert text("①②③") == "123"


def test_it_converts_traditional_to_simplified():
    assert text("時間詳情請點擊") == "时间详情请点击"


def test_it_removes_zero_width_and_decorative_characters():
    assert text("加\u200b微\u200d信") == "加微信"
    assert text("〓免费★领取╇红包❤") == "免费领取红包"


@pytest.mark.parametrize("raw", ["加 微 信", "加.微.信", "加-微-信", "加 * 微 * 信", "〓加★微★信〓"])
def test_it_joins_words_spaced_apart(raw):
    assert text(raw) == "加微信"


def test_it_keeps_ordinary_punctuation_and_two_word_phrases():
    assert text("你好，今天天气不错。") == "你好,今天天气不错。"
    assert text("金、银、铜") == "金、银、铜"
    assert text("中国 北京") == "中国 北京"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("薇信abc12345", "微信abc12345"),
        ("徽信:abc12345", "微信:abc12345"),
        ("V信 abc12345", "微信 abc12345"),
        ("vx:abc12345", "微信:abc12345"),
        ("wx abc12345", "微信 abc12345"),
        ("VX号abc12345", "微信号abc12345"),
        ("加威:abc12345", "加微信:abc12345"),
        ("加V abc12345", "加微信 abc12345"),
        ("威信:abc12345", "微信:abc12345"),
        ("微 信 abc12345", "微信 abc12345"),
        ("扣扣12345678", "QQ12345678"),
        ("企鹅:12345678", "QQ:12345678"),
        ("球球号 12345678", "QQ号 12345678"),
        ("蔻蔻12345678", "QQ12345678"),
        ("口口 12345678", "QQ 12345678"),
    ],
)
def test_it_canonicalises_contact_channel_variants(raw, expected):
    assert text(raw) == expected


def test_it_leaves_channel_look_alikes_out_of_context():
    assert text("树立威信") == "树立威信"
    assert text("口口声声") == "口口声声"
    assert text("添加微笑") == "添加微笑"
    assert text("企鹅很可爱") == "企鹅很可爱"
    assert text("VIP会员") == "VIP会员"


def test_it_reads_chinese_numerals_and_circled_digits_inside_numbers():
    assert text("电话1三8①2三4五6七8") == "电话13812345678"
    assert text("幺三八一二三四五六七八") == "13812345678"


def test_it_keeps_short_numeral_words_and_dates():
    assert text("二〇一五年三三两两") == "二〇一五年三三两两"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("www点abc点com", "www.abc.com"),
        ("abc dot top", "abc.top"),
        ("abc。com", "abc.com"),
        ("abc[.]cn", "abc.cn"),
        ("hxxps://evil.cn/a", "https://evil.cn/a"),
    ],
)
def test_it_restores_written_out_url_dots(raw, expected):
    assert text(raw) == expected


def test_it_leaves_dian_in_ordinary_words():
    assert text("请点击URL查看一点点") == "请点击URL查看一点点"


def test_it_folds_look_alike_letters():
    assert text("раураl.com") == "paypal.com"  # Cyrillic р а у
    assert text("Αpple") == "Apple"  # Greek capital alpha


def test_it_collapses_whitespace():
    assert text("  你好 \n\t 世界  ") == "你好 世界"


def test_it_bounds_long_input_and_flags_it():
    n = normalise("好" * 50, max_chars=10)
    assert n.truncated is True
    assert n.original == "好" * 10
    short = normalise("好好")
    assert short.truncated is False and short.original == "好好"


def test_it_handles_empty_and_binary_junk():
    assert normalise("").text == "" and normalise("").model_text == ""
    assert normalise("   ").text == ""
    junk = normalise("\x00\x01\ufffd\U0010ffff")
    assert isinstance(junk.text, str)


def test_it_replaces_entities_by_placeholders_in_model_text():
    n = normalise("加微信:abc12345,电话13812345678,卡号6222021234567890128,客服95588,QQ:12345678 访问abc.top")
    assert n.model_text == (f"加微信{PH_WECHAT}电话{PH_MOBILE}卡号{PH_CARD}客服{PH_PHONE}{PH_QQ}访问{PH_URL}")


def test_it_maps_fbs_corpus_placeholders():
    n = normalise(
        "DIGIT您好QQDIGIT详情点击URLdfgePLACEvip NAMENAME CELLPHONE HOTLINE PHONE BANK WECHAT DIGITm"
    )
    assert n.model_text == (
        f"{PH_DIGITS}您好{PH_QQ}详情点击{PH_URL}{PH_PLACE}vip{PH_NAME}{PH_NAME}"
        f"{PH_MOBILE}{PH_PHONE}{PH_PHONE}银行{PH_WECHAT}{PH_DIGITS}m"
    )


def test_it_strips_punctuation_lowercases_and_masks_other_numbers():
    assert (
        model_text("Hello, World! 2023年5月1日 那xx元")
        == f"helloworld{PH_DIGITS}年{PH_DIGITS}月{PH_DIGITS}日那{PH_DIGITS}元"
    )


def test_it_normalises_batches():
    out = normalise_many(["時間", "加 微 信"])
    assert [n.text for n in out] == ["时间", "加微信"]


def test_it_leaves_ordinary_text_unchanged():
    s = "小偷行窃时被附近市民李先生撞个正着"
    n = normalise(s)
    assert n.text == s and n.model_text == s


def test_it_joins_spaced_characters_only_around_a_single_inner_character():
    # the cheap hint (spacer, one character, spacer) must not hide any joinable run
    assert text("加.微.信好友") == "加微信好友"
    assert text("扫 一 扫") == "扫一扫"
    assert text("你好 世界") == "你好 世界"
    assert text("请加 微信") == "请加 微信"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("abc点com", "abc.com"), ("abc丶com", "abc.com"), ("abc dot com", "abc.com"), ("abc[.]com", "abc.com")],
)
def test_it_restores_every_dot_word_behind_the_cheap_hint(raw, expected):
    assert text(raw) == expected


def test_it_reads_fbs_placeholders_only_in_upper_case():
    assert model_text("详情DIGIT元") == "详情" + PH_DIGITS + "元"
    assert model_text("详情digit元") == "详情digit元"
    assert model_text("加QQ号DIGIT") == "加" + PH_QQ
