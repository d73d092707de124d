"""Marking evidence safely and masking extracted values."""

from __future__ import annotations

from fanzha.core.pii.masking import scrub_text
from fanzha.screen.present import highlighted, masked_value, result_out
from fanzha.screening.entities import find_entities
from fanzha.screening.types import Entity, Hit, Normalised, Result, Span


def _result(text: str, *hits: Hit) -> Result:
    return Result(0.9, "high", "gambling", hits, (), Normalised(text, text, text))


def test_it_merges_overlapping_spans_and_keeps_both_reasons() -> None:
    text = "加微信领彩金"
    hits = (Hit("A", 1, "", "联系方式", (Span(0, 3),)), Hit("B", 1, "", "彩金", (Span(2, 6),)))
    assert str(highlighted(_result(text, *hits))) == '<mark title="联系方式；彩金">加微信领彩金</mark>'


def test_it_clips_spans_outside_the_text_and_ignores_empty_ones() -> None:
    hits = (Hit("A", 1, "", "x", (Span(4, 99), Span(1, 1), Span(-3, 1))),)
    assert (
        str(highlighted(_result("abcdef", *hits))) == '<mark title="x">a</mark>bcd<mark title="x">ef</mark>'
    )


def test_it_escapes_text_and_explanations() -> None:
    hits = (Hit("A", 1, "", '"><script>', (Span(0, 3),)),)
    marked = str(highlighted(_result("<b>&x", *hits)))
    assert marked == '<mark title="&quot;&gt;&lt;script&gt;">&lt;b&gt;</mark>&amp;x'


def test_it_returns_plain_escaped_text_without_a_normal_form() -> None:
    result = Result(0.0, "none", "normal", (), (), None, error="空文本")
    assert str(highlighted(result)) == ""
    assert result_out(result)["error"] == "空文本"


def test_it_masks_numbers_and_accounts_but_not_links() -> None:
    def entity(kind: str, value: str) -> Entity:
        return Entity(kind, value, Span(0, 1))

    assert masked_value(entity("mobile", "13905711234")) == "139****1234"
    assert masked_value(entity("service_number", "95588")) == "95588"
    assert masked_value(entity("bank_card", "6222021234567891234")) == "6222 **** **** 1234"
    assert masked_value(entity("wechat", "scam_wx_8888")) == "sc********88"
    assert masked_value(entity("alipay", "zhangsan@163.com")) == "zh************om"
    assert masked_value(entity("url", "http://icbc-jf.cc")) == "http://icbc-jf.cc"


def test_a_short_qq_or_wechat_id_keeps_one_character_at_each_end() -> None:
    """A 5-digit QQ number showed 4 of its 5 digits (``10*01``); ids of fewer than 8 characters keep
    1 + 1, as everywhere else on the platform."""
    assert masked_value(Entity("qq", "10001", Span(0, 5))) == "1***1"
    assert masked_value(Entity("qq", "1234567", Span(0, 7))) == "1*****7"
    assert masked_value(Entity("wechat", "abc_12", Span(0, 6))) == "a****2"


def test_an_id_reads_the_same_as_in_free_text_masked_elsewhere() -> None:
    """The screening result and a note or log line quoting the same id (scrub_text) show one mask."""
    for kind, label, value in [
        ("qq", "QQ号：", "10001"),
        ("qq", "QQ号：", "3344556677"),
        ("wechat", "微信号：", "scam_wx_8888"),
        ("wechat", "微信号：", "wxid_abcdefgh12345678"),
    ]:
        entity = Entity(kind, value, Span(0, len(value)))
        assert scrub_text(label + value) == label + masked_value(entity), (kind, value)


def test_no_id_the_engine_extracts_shows_more_than_two_characters_at_each_end() -> None:
    text = "加QQ 10001 或 QQ号：3344556677，微信号：scam_wx_8888，支付宝账号：zhangsan@163.com 转账"
    found = [e for e in find_entities(text) if e.kind in ("qq", "wechat", "alipay")]
    assert {e.kind for e in found} == {"qq", "wechat", "alipay"}
    for e in found:
        shown = masked_value(e)
        assert len(shown) == len(e.value) and shown != e.value
        assert len(shown.replace("*", "")) <= (4 if len(e.value) >= 8 else 2), (e.value, shown)
