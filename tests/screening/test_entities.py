"""Entity extraction: every kind, with the negatives that must not match."""

from __future__ import annotations

import pytest

from fanzha.screening.entities import extract, find_entities, parse_chinese_number, url_detail
from fanzha.screening.normalise import normalise
from fanzha.screening.types import Entity, Normalised


def ents(s: str, kind: str | None = None) -> list[Entity]:
    found = extract(normalise(s))
    return [e for e in found if kind is None or e.kind == kind]


def values(s: str, kind: str) -> list[str]:
    return [e.value for e in ents(s, kind)]


@pytest.mark.parametrize(
    "raw",
    [
        "13812345678",
        "138 1234 5678",
        "138-1234-5678",
        "+86 138 1234 5678",
        "008613812345678",
        "+8613812345678",
    ],
)
def test_it_finds_mobile_numbers_in_any_spacing(raw):
    assert values(f"联系{raw}", "mobile") == ["13812345678"]


def test_it_finds_obfuscated_mobile_numbers():
    assert values("电话1三8①2三4五6七8", "mobile") == ["13812345678"]
    assert values("幺三八一二三四五六七八", "mobile") == ["13812345678"]


def test_it_spans_point_into_normalised_text():
    n = normalise("请联系 13812345678 办理")
    (mobile,) = [e for e in extract(n) if e.kind == "mobile"]
    assert n.text[mobile.span.start : mobile.span.end] == "13812345678"


def test_it_splits_two_numbers_side_by_side():
    assert values("13812345678 13912345678", "mobile") == ["13812345678", "13912345678"]


def test_it_finds_landlines_service_and_international_numbers():
    assert values("固话0755-12345678", "landline") == ["075512345678"]
    assert values("客服95588 热线400-123-4567 端口10690000123", "service_number") == [
        "95588",
        "4001234567",
        "10690000123",
    ]
    assert values("call +1 415 555 2671", "international") == ["+14155552671"]


def test_it_does_not_take_order_numbers_or_dates_for_phones():
    assert ents("订单号13812345678", "mobile") == []
    assert ents("快递单号 0755123456789012") == []
    assert ents("2023-05-12 开会") == []
    assert values("一共95588元", "service_number") == []


def test_it_finds_bank_cards_only_when_luhn_passes():
    assert values("卡号6222021234567890128", "bank_card") == ["6222021234567890128"]
    assert values("卡号 6222 0212 3456 7890 128", "bank_card") == ["6222021234567890128"]
    assert ents("卡号6222021234567890127", "bank_card") == []  # Luhn fails
    assert ents("编号2023051212345678", "bank_card") == []  # not a card prefix


def test_it_reports_card_scheme():
    (card,) = ents("4111111111111111", "bank_card")
    assert card.detail == {"scheme": "visa"}


def test_it_finds_urls_with_registrable_domain_offline():
    (url,) = ents("点击 https://a.b.example.co.uk:8080/x?y=1 领取", "url")
    assert url.value == "https://a.b.example.co.uk:8080/x?y=1"
    assert url.detail == {
        "host": "a.b.example.co.uk",
        "domain": "example.co.uk",
        "tld": "co.uk",
        "is_ip": "false",
        "is_shortener": "false",
    }


def test_it_finds_bare_domains_and_written_out_dots():
    assert values("访问abc.top领取", "url") == ["abc.top"]
    assert values("登录 www点icbc-safe点cn", "url") == ["www.icbc-safe.cn"]
    assert values("hxxp://evil.cn/a", "url") == ["http://evil.cn/a"]


def test_it_flags_ip_hosts_and_shorteners():
    (ip,) = ents("http://1.2.3.4/login", "url")
    assert ip.detail["is_ip"] == "true"
    (short,) = ents("详情 http://t.cn/A6abc", "url")
    assert short.detail["is_shortener"] == "true" and short.detail["domain"] == "t.cn"


def test_it_does_not_take_decimals_files_or_emails_for_urls():
    assert ents("利率3.5%，版本v1.2", "url") == []
    assert ents("见附件readme.txt") == []
    assert ents("邮箱 user@abc.com", "url") == []


def test_it_finds_qq_wechat_and_alipay_ids():
    assert values("扣扣：12345678", "qq") == ["12345678"]
    assert values("加QQ群 87654321", "qq") == ["87654321"]
    assert values("加V：wxid_888888", "wechat") == ["wxid_888888"]
    assert values("薇信 abc_123456", "wechat") == ["abc_123456"]
    assert values("微信13812345678", "wechat") == ["13812345678"]
    assert values("电话13812345678微信同号", "wechat") == ["13812345678"]
    assert values("支付宝账号：13812345678", "alipay") == ["13812345678"]


def test_it_does_not_take_short_words_for_wechat_ids():
    assert ents("微信支付成功", "wechat") == []
    assert ents("QQ音乐", "qq") == []


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("5万", "50000"), ("3.5万元", "35000"), ("¥1,000", "1000"), ("一万元", "10000"), ("500元", "500")],
)
def test_it_reads_amounts_in_yuan(raw, expected):
    assert values(f"转账{raw}到安全账户", "amount") == [expected]


def test_it_does_not_take_dates_or_counts_for_amounts():
    assert ents("2023年5月1日开会", "amount") == []
    assert ents("千万不要相信", "amount") == []
    assert ents("来了5万人", "amount") == []


def test_it_parses_chinese_numbers():
    assert parse_chinese_number("三千五百") == 3500
    assert parse_chinese_number("十二") == 12
    assert parse_chinese_number("两亿三千万") == 230_000_000
    assert parse_chinese_number("一万零五百") == 10_500
    assert parse_chinese_number("万达") is None


def test_it_finds_apps_and_download_links():
    found = {(e.value, e.detail.get("category")) for e in ents("下载腾讯会议和ToDesk，再用钉钉", "app")}
    assert found == {("腾讯会议", "meeting"), ("todesk", "screen_share"), ("钉钉", "meeting")}
    assert values("下载“安全防护”APP", "app") == ["安全防护"]
    assert values("安装 http://dl.x.cn/app.apk", "download") == ["http://dl.x.cn/app.apk"]
    assert values("打开 update.apk 安装", "download") == ["update.apk"]


def test_it_needs_context_for_ambiguous_app_names():
    assert ents("坐飞机去北京", "app") == []
    assert values("下载飞机聊天", "app") == ["飞机"]
    assert ents("Online shop", "app") == []


def test_it_finds_requests_for_verification_codes():
    assert values("请把验证码发给我", "code_request") == ["验证码"]
    assert values("告诉我你收到的动态码", "code_request") == ["动态码"]


def test_it_does_not_flag_ordinary_verification_code_messages():
    assert ents("您的验证码为123456，切勿告诉他人", "code_request") == []
    assert ents("验证码5分钟内有效，请勿泄露", "code_request") == []


def test_it_finds_screen_share_requests():
    assert values("请你共享屏幕给我看", "screen_share") == ["共享屏幕"]
    assert values("开启会议后共享屏幕", "screen_share") == ["开启会议", "共享屏幕"]


def test_it_finds_nothing_in_ordinary_text():
    assert ents("小偷行窃时被附近市民李先生撞个正着") == []


def test_it_extracts_from_a_hand_built_normalised():
    n = Normalised(original="x", text="联系13812345678", model_text="")
    assert [e.kind for e in extract(n)] == ["mobile"]
    assert find_entities("") == []


def test_it_keeps_detail_values_strings():
    for e in ents("访问 http://t.cn/x 卡号6222021234567890128 QQ群12345678 下载ToDesk"):
        assert all(isinstance(v, str) for v in e.detail.values())


def test_it_computes_url_detail_without_scheme():
    assert url_detail("www.icbc.com.cn")["domain"] == "icbc.com.cn"


def test_it_finds_keywords_in_text_with_lone_surrogates():
    found = find_entities("\ud800请下载安装向日葵远程")
    assert any(e.kind == "app" for e in found)


def test_it_reads_amounts_only_with_a_unit():
    assert [e.value for e in find_entities("转账5000元") if e.kind == "amount"] == ["5000"]
    assert [e.value for e in find_entities("共5000件") if e.kind == "amount"] == []
