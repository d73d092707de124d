"""Marking evidence safely and masking extracted values."""

from __future__ import annotations

from fanzha.screen.present import highlighted, masked_value, result_out
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
    assert masked_value(entity("wechat", "scam_wx_8888")) == "sc******88"
    assert masked_value(entity("qq", "123")) == "1**"
    assert masked_value(entity("url", "http://icbc-jf.cc")) == "http://icbc-jf.cc"
