"""The rule engine: weighted named symbols from a reviewed data file."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from fanzha.screening.rules import RulesError, category_votes, load_rules, points
from fanzha.screening.types import Entity, Hit, Normalised, Span
from fanzha.screening.typology import load_typology

try:
    from fanzha.screening.entities import extract
    from fanzha.screening.normalise import normalise
except ImportError:  # pragma: no cover - the normaliser is optional for these tests

    def normalise(text: str, *, max_chars: int = 10_000) -> Normalised:
        return Normalised(original=text, text=text, model_text=text)

    def extract(n: Normalised) -> list[Entity]:
        return []


RULES = load_rules()
MEDIUM = RULES.thresholds.medium

LAWFUL = [
    "【京东】618大促开启，家电满2000减300，详情见京东App，回TD退订。",
    "【中国移动】尊敬的客户，您本月流量已使用80%，可发送KTLL开通流量加油包。",
    "唯品会做最美的圣诞女王，美妆今日3折起特卖，最高满199减100，回td退订",
    "万科城市花园二期盛大开盘，均价15800元每平米，首付3成，欢迎莅临售楼处参观，电话0571-88888888",
    "您的验证码为386512，5分钟内有效，请勿泄露给他人。如非本人操作，请忽略本短信。",
    "妈，我今天加班，晚饭不用等我了。",
    "明天有雨，气温12到18度，出门记得带伞。",
    "警方提醒：近期有不法分子冒充银行发送积分兑换现金的诈骗短信，请提高警惕。",
    "会议改到下午三点，在三楼会议室，记得带上季度报表。",
    "这家店的牛肉面很好吃，周末一起去吧。",
    "小偷行窃时被附近市民李先生撞个正着",
    "您的快递已放在小区门口的快递柜，取件码为3652。",
]


def hits(text: str) -> list[Hit]:
    n = normalise(text)
    return RULES.match(n, extract(n))


def names(text: str) -> set[str]:
    return {h.symbol for h in hits(text)}


def best_risky(found: Sequence[Hit]) -> str:
    typology = load_typology()
    votes = {c: v for c, v in category_votes(found).items() if typology.get(c).risky}
    return max(votes, key=lambda c: votes[c]) if votes else ""


@pytest.mark.parametrize("fraud_type", [t for t in load_typology().all() if t.risky], ids=lambda t: t.code)
def test_it_scores_every_risky_typology_script_as_risky_with_the_right_top_category(fraud_type) -> None:  # type: ignore[no-untyped-def]
    typology = load_typology()
    for script in fraud_type.scripts:
        found = hits(script)
        assert points(found) >= MEDIUM, (script, [h.symbol for h in found])
        best = best_risky(found)
        assert best and typology.get(best).top_category == fraud_type.top_category, (script, best)


def test_it_names_the_exact_type_for_most_scripts() -> None:
    typology = load_typology()
    scripts = [(t.code, s) for t in typology.all() if t.risky for s in t.scripts]
    right = sum(best_risky(hits(s)) == code for code, s in scripts)
    assert right / len(scripts) >= 0.8


@pytest.mark.parametrize("text", LAWFUL)
def test_it_keeps_lawful_ads_and_ordinary_text_below_medium(text: str) -> None:
    assert points(hits(text)) < MEDIUM, [h.symbol for h in hits(text)]


@pytest.mark.parametrize(
    "fraud_type", [t for t in load_typology().all() if not t.risky], ids=lambda t: t.code
)
def test_it_keeps_the_lawful_typology_scripts_below_medium(fraud_type) -> None:  # type: ignore[no-untyped-def]
    for script in fraud_type.scripts:
        assert points(hits(script)) < MEDIUM, script


def test_it_reports_named_explained_hits_with_spans_in_the_text() -> None:
    text = "你名下的银行卡涉嫌洗钱，请把资金转入国家安全账户进行资金清查。"
    n = normalise(text)
    found = {h.symbol: h for h in RULES.match(n, extract(n))}
    safe = found["SAFE_ACCOUNT"]
    assert safe.category == "impersonate_authority" and "安全账户" in safe.explanation
    assert any(n.text[s.start : s.end] == "安全账户" for s in safe.spans)


def test_it_works_on_fbs_placeholder_texts() -> None:
    fbs = "尊敬的建行用户您的账户已满DIGIT积分可兑换的现金请登录官网URL查询兑换逾期失效建设银行"
    found = hits(fbs)
    assert points(found) >= MEDIUM
    assert best_risky(found) == "bank_points_phishing"


def test_it_sees_through_the_normalisers_evasion_forms() -> None:
    found = hits("澳門皇冠真人娛樂，首存100送100，加 薇 信 abc12345 ，網址 www.hg888.vip")
    assert points(found) >= MEDIUM and best_risky(found) == "gambling"


def test_it_needs_all_parts_of_a_combo() -> None:
    assert "POINTS_CASH_LINK" in names("您的积分可兑换现金，请登录 http://abc.top/x 领取")
    assert "POINTS_CASH_LINK" not in names("您的积分可兑换现金，请到网点办理")
    assert "TOKEN_EXPIRE" in names("您的电子密码器将于今日失效")
    assert "TOKEN_EXPIRE" not in names("您的电子密码器已经寄出")


def test_it_keeps_atoms_out_of_the_reasons() -> None:
    assert all(h.weight != 0 for h in hits("请登录 http://abc.top/x 查看"))


def test_it_runs_a_pattern_only_behind_its_prefilter(tmp_path: Path) -> None:
    path = tmp_path / "rules.toml"
    path.write_text(
        '[[symbol]]\nname = "PAY_FEE"\nkind = "pattern"\nweight = 2\ncategory = "fake_loan"\n'
        'regex = "先交.{0,4}费"\nprefilter = ["交"]\nexplanation = "先交费"\n'
        '[[symbol]]\nname = "GATED"\nkind = "pattern"\nweight = 1\ncategory = ""\n'
        'regex = "先交.{0,4}费"\nprefilter = ["不存在的词"]\nexplanation = "门控"\n',
        encoding="utf-8",
    )
    rules = load_rules(path)
    n = Normalised(original="请先交工本费", text="请先交工本费", model_text="请先交工本费")
    assert {h.symbol for h in rules.match(n, [])} == {"PAY_FEE"}


def test_it_checks_entity_conditions() -> None:
    text = "点击 http://1.2.3.4/a.apk"
    n = Normalised(original=text, text=text, model_text=text)
    url = Entity("url", "http://1.2.3.4/a.apk", Span(3, 23), {})
    download = Entity("download", "http://1.2.3.4/a.apk", Span(3, 23), {"via": "url"})
    found = {h.symbol for h in RULES.match(n, [url, download])}
    assert {"URL_IP_HOST", "APK_DOWNLOAD"} <= found
    fake = Entity("url", "http://icbc-vip.com.cn.xyz/login", Span(0, 10), {})
    assert "BRAND_LOOKALIKE_URL" in {h.symbol for h in RULES.match(n, [fake])}
    real = Entity("url", "https://www.icbc.com.cn/", Span(0, 10), {})
    assert "BRAND_LOOKALIKE_URL" not in {h.symbol for h in RULES.match(n, [real])}


def test_it_sums_points_and_votes() -> None:
    found = [
        Hit("A", 3.0, "gambling", "甲"),
        Hit("B", 1.5, "gambling", "乙"),
        Hit("C", -1.5, "advertising", "丙"),
        Hit("D", 1.0, "", "丁"),
    ]
    assert points(found) == 4.0
    assert category_votes(found) == {"gambling": 4.5, "advertising": 1.5}


def test_it_matches_many() -> None:
    items = [normalise("妈，我今天加班"), normalise("您的ETC认证已失效，请点击链接重新认证")]
    results = RULES.match_many(items, [extract(n) for n in items])
    assert results[0] == [] or points(results[0]) < MEDIUM
    assert "ETC_AUTH" in {h.symbol for h in results[1]}


BAD_FILES = {
    "unknown kind": ('name = "X_ONE"\nkind = "magic"\nweight = 1\nexplanation = "说明"\n', "X_ONE.*kind"),
    "unknown category": (
        'name = "X_ONE"\nkind = "keywords"\nweight = 1\ncategory = "nope"\n'
        'terms = ["甲"]\nexplanation = "说明"\n',
        "X_ONE.*nope",
    ),
    "bad regex": (
        'name = "X_ONE"\nkind = "pattern"\nweight = 1\nregex = "(甲"\n'
        'prefilter = ["甲"]\nexplanation = "说明"\n',
        "X_ONE.*正则",
    ),
    "pattern without prefilter": (
        'name = "X_ONE"\nkind = "pattern"\nweight = 1\nregex = "甲"\nexplanation = "说明"\n',
        "X_ONE.*prefilter",
    ),
    "combo to unknown": (
        'name = "X_ONE"\nkind = "combo"\nweight = 1\nall_of = ["GHOST"]\nexplanation = "说明"\n',
        "X_ONE.*GHOST",
    ),
    "lower-case name": (
        'name = "x_one"\nkind = "keywords"\nweight = 1\nterms = ["甲"]\nexplanation = "说"\n',
        "x_one",
    ),
    "no explanation": (
        'name = "X_ONE"\nkind = "keywords"\nweight = 1\nterms = ["甲"]\n',
        "X_ONE.*explanation",
    ),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_it_rejects_a_bad_rules_file_naming_the_symbol(case: str, tmp_path: Path) -> None:
    body, message = BAD_FILES[case]
    path = tmp_path / "rules.toml"
    path.write_text("[[symbol]]\n" + body, encoding="utf-8")
    with pytest.raises(RulesError, match=message):
        load_rules(path)


def test_it_rejects_duplicates_and_cycles(tmp_path: Path) -> None:
    one = '[[symbol]]\nname = "X_ONE"\nkind = "keywords"\nweight = 1\nterms = ["甲"]\nexplanation = "说明"\n'
    path = tmp_path / "rules.toml"
    path.write_text(one + one, encoding="utf-8")
    with pytest.raises(RulesError, match="X_ONE.*重复"):
        load_rules(path)
    cycle = (
        '[[symbol]]\nname = "C_A"\nkind = "combo"\nweight = 1\nall_of = ["C_B"]\nexplanation = "甲"\n'
        '[[symbol]]\nname = "C_B"\nkind = "combo"\nweight = 1\nall_of = ["C_A"]\nexplanation = "乙"\n'
    )
    path.write_text(cycle, encoding="utf-8")
    with pytest.raises(RulesError, match="循环"):
        load_rules(path)


def test_it_rejects_invalid_toml(tmp_path: Path) -> None:
    path = tmp_path / "rules.toml"
    path.write_text("[[symbol]\nname=", encoding="utf-8")
    with pytest.raises(RulesError, match="TOML"):
        load_rules(path)


def test_it_covers_every_risky_code_with_several_symbols() -> None:
    per_code: dict[str, int] = {}
    for sym in RULES.symbols:
        if sym.weight > 0 and sym.category:
            per_code[sym.category] = per_code.get(sym.category, 0) + 1
    for t in load_typology().all():
        if t.risky:
            assert per_code.get(t.code, 0) >= 2, t.code
