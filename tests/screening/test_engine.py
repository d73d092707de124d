"""The engine end to end with the committed models: one Result per item, in order, errors per item."""

from fanzha.screening import reasons_text, result_dict, screen_texts, screen_url, screen_urls
from fanzha.screening.engine import Engine, decide_category, model_windows
from fanzha.screening.indicators import Indicators

SCAM = "【公安局】您的身份证涉嫌洗钱，请立即将资金转入安全账户配合调查，否则将被冻结"
PLAIN = "妈，我周末回家吃饭，帮我留点饺子"


def test_it_returns_one_result_per_item_in_order_with_errors_on_bad_items():
    results = screen_texts([SCAM, "", None, 42, PLAIN, "   "])
    assert [r.error for r in results] == ["", "文本为空", "文本为空", "不是文本", "", "文本为空"]
    assert results[0].level == "high" and results[0].category == "impersonate_authority"
    assert results[4].level in ("none", "low") and results[4].category in ("normal", "advertising")
    assert all(r.score == 0.0 and r.level == "none" for r in results[1:4])


def test_it_explains_every_risky_result_with_named_hits():
    (result,) = screen_texts([SCAM])
    names = [h.symbol for h in result.reasons]
    assert "SAFE_ACCOUNT" in names
    assert all(h.explanation for h in result.reasons)
    assert result.reasons[0].weight >= result.reasons[-1].weight
    assert "安全账户" in reasons_text(result)
    data = result_dict(result)
    assert data["category_name"] == "冒充公检法及政府机关"
    assert data["level"] == "high"


def test_it_screens_evasive_spellings_like_plain_ones():
    evasive = "兼职刷单，日结佣金300元，加 薇 信 ａｂｃ１２３４５６ 领取任务"
    (result,) = screen_texts([evasive])
    assert result.level in ("medium", "high")
    assert result.category == "fake_order_rebate"
    assert any(e.kind == "wechat" for e in result.entities)


def test_it_reads_a_long_text_in_windows_and_flags_the_prefix():
    page = "本站介绍我们的公司历史和产品。" * 300 + SCAM + "联系我们。" * 3000
    (result,) = screen_texts([page])
    assert result.normalised is not None and result.normalised.truncated
    assert result.level in ("medium", "high")
    assert any(h.symbol == "TRUNCATED" for h in result.reasons)
    windows = model_windows("x" * 1000)
    assert windows[0] == "x" * 200 and len(windows) > 4


def test_an_indicator_list_hit_makes_an_item_high_risk():
    default = Engine.default()
    engine = Engine(
        default.rules,
        default.text_model,
        default.url_model,
        default.blender,
        indicators=Indicators.of(numbers=["13912345678"]),
    )
    plain, listed = engine.screen_texts(["有空回个电话 13800000000", "有空回个电话 13912345678"])
    assert plain.level in ("none", "low")
    assert listed.level == "high"
    assert any(h.symbol == "INDICATOR_LISTED" for h in listed.reasons)


def test_it_screens_links_and_keeps_order():
    bad, good, empty = screen_urls(["http://icbc-jifen.top/login.php", "https://www.gov.cn/", ""])
    assert bad.level in ("medium", "high") and bad.score > good.score
    assert good.level in ("none", "low")
    assert empty.error == "链接为空"
    assert screen_url("http://www.baidu.com/").level in ("none", "low")


def test_the_category_follows_the_level():
    classes = ("advertising", "normal", "gambling")
    probs = [0.1, 0.2, 0.7]
    import numpy as np

    assert decide_category(0.99, np.array(probs), classes, {}) == "gambling"
    assert decide_category(0.01, np.array(probs), classes, {}) == "normal"
    assert decide_category(0.99, np.array(probs), classes, {"escort": 9.0}) == "escort"


def test_a_lone_surrogate_does_not_fail_the_batch():
    # JSON may carry "\ud800" (half of a surrogate pair): such a string cannot be encoded, and one
    # item like that used to fail the whole batch in the text model's vectoriser
    texts = [SCAM, "加微信 abc123 \ud800", PLAIN]
    results = screen_texts(texts)
    assert len(results) == 3 and not any(r.error for r in results)
    assert results[0].level == "high" and results[2].level in ("none", "low")
    assert len(screen_urls(["http://a\udfffb.com/x", "https://www.gov.cn/"])) == 2
