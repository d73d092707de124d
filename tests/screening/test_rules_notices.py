"""Ham rules for genuine notices (anti-fraud advisories, transaction notices, verification codes) and the
gates that keep fraud imitating them scored as fraud."""

from __future__ import annotations

import pytest

from fanzha.screening.entities import extract
from fanzha.screening.normalise import normalise
from fanzha.screening.rules import load_rules, points
from fanzha.screening.types import Hit

RULES = load_rules()
MEDIUM = RULES.thresholds.medium
NOTICE_HAM = {
    "HAM_ANTI_FRAUD_WARNING",
    "HAM_ANTI_FRAUD_ADVISORY",
    "HAM_ANTI_FRAUD_ADVISORY_MANY",
    "HAM_CODE_NOTICE",
    "HAM_ACCOUNT_NOTICE",
}


def hits(text: str) -> list[Hit]:
    n = normalise(text)
    return RULES.match(n, extract(n))


def names(text: str) -> set[str]:
    return {h.symbol for h in hits(text)}


ADVISORIES = [
    "青溪县反诈中心提醒您：谨防刷单诈骗，公安机关不会通过电话办案，不会要求您转账到所谓“安全账户”。如有疑问请拨打96110。",
    "【招商银行】近期有不法分子冒充银行客服，以提高信用卡额度为由发送链接，切勿点击陌生链接，请勿泄露验证码和密码。",
    "警方提醒：网上兼职刷单都是诈骗，不要相信“先垫付后返利”，谨防上当受骗。",
    "【工商银行】温馨提示：银行工作人员不会向您索要短信验证码，切勿将验证码告知他人，谨防电信诈骗。",
    "市公安局提醒广大市民：凡是要求共享屏幕、下载会议软件的都是诈骗，请提高警惕，注意防范。",
    "反诈宣传进社区：不轻信陌生来电，不透露个人信息，不转账汇款，谨防养老诈骗。公安机关不会通过电话要求转账。",
    "【建设银行】提醒您：不要点击短信中的陌生链接，不要向陌生账户转账，保护好资金安全。",
]

ACCOUNT_NOTICES = [
    "【工商银行】您尾号1234的账户于11月3日14:05转出5,000.00元，余额12,345.67元。",
    "您尾号8866的储蓄卡11月28日09:12收入人民币3,200.00元（工资），活期余额8,932.10元。【建设银行】",
    "【招商银行】您账户0421于11月29日消费人民币268.00元，可用余额1,732.00元。",
    "您尾号5521的信用卡于10月1日支出RMB 1,299.00元，当前可用额度8,701.00元。【交通银行】",
]

CODE_NOTICES = [
    "验证码123456，5分钟内有效，请勿泄露给他人。",
    "【淘宝】您的验证码是382915，用于登录，10分钟内有效，请勿泄露。",
    "您正在注册12306账号，验证码为906512，如非本人操作请忽略。",
    "【美团】834271是您的动态码，请勿告知他人。",
]

# fraud written to look like the notices above: a link, a number to call or add, a request to act
IMITATIONS = [
    "反诈中心提醒您：谨防诈骗！您的账户涉嫌洗钱，请立即点击 http://fz-check.top 配合核查，切勿告诉他人。",
    "公安机关提醒：谨防电信诈骗，您的身份证被冒用，请添加民警微信 jc110888 配合调查，不要相信其他人。",
    "【反诈中心】提醒您：不法分子盗用了您的信息，请尽快将资金转入安全账户，以免造成损失。",
    "我是市公安局反诈中心的民警，谨防上当受骗，我们需要核实您的银行卡，不要告诉任何人。",
    "【工商银行】您尾号1234的账户于11月3日转出5,000.00元，余额12.67元，如非本人操作请点击 icbc-fk.cn 冻结。",
    "【建设银行】您尾号8866的账户转入50,000.00元，因操作异常已被冻结，请致电客服13812345678解冻。",
    "您尾号5521的信用卡于10月1日消费1,299.00元，如有疑问请拨打4008123456取消。",
    "验证码123456，请回复给客服以完成退款，请勿泄露给他人。",
    "【京东金融】您的验证码为556712，请提供给工作人员核实，以免影响征信。",
    "您的验证码是667812，请勿泄露。点击 http://jd-tk.cc 领取退款。",
]


@pytest.mark.parametrize("text", ADVISORIES)
def test_it_takes_genuine_anti_fraud_advisories_as_ordinary(text: str) -> None:
    found = hits(text)
    assert "HAM_ANTI_FRAUD_ADVISORY" in {h.symbol for h in found}
    # an advisory names the tricks it warns of (安全账户, 刷单…); the rules alone must not reach low
    assert points(found) < RULES.thresholds.low


@pytest.mark.parametrize("text", ACCOUNT_NOTICES)
def test_it_takes_transaction_notices_as_ordinary(text: str) -> None:
    found = hits(text)
    assert "HAM_ACCOUNT_NOTICE" in {h.symbol for h in found}
    assert points(found) < 0


@pytest.mark.parametrize("text", CODE_NOTICES)
def test_it_takes_verification_code_notices_as_ordinary(text: str) -> None:
    found = hits(text)
    assert "HAM_CODE_NOTICE" in {h.symbol for h in found}
    assert points(found) < 0


@pytest.mark.parametrize("text", IMITATIONS)
def test_it_gives_no_notice_credit_to_fraud_that_imitates_a_notice(text: str) -> None:
    assert not names(text) & NOTICE_HAM


# (genuine notice, the same notice turned into fraud by one link, number or request)
PAIRS = [
    (
        ADVISORIES[0],
        "青溪县反诈中心提醒您：谨防刷单诈骗。您的账户涉案，请添加办案民警QQ 88886666。",
    ),
    (ADVISORIES[1], ADVISORIES[1] + "如需提额请点击 http://cmb-tie.top 办理。"),
    (ACCOUNT_NOTICES[0], IMITATIONS[4]),
    (ACCOUNT_NOTICES[3], IMITATIONS[6]),
    (CODE_NOTICES[0], IMITATIONS[7]),
    (CODE_NOTICES[1], IMITATIONS[9]),
]


@pytest.mark.parametrize(("genuine", "imitation"), PAIRS)
def test_it_scores_the_imitation_well_above_the_genuine_notice(genuine: str, imitation: str) -> None:
    assert points(hits(imitation)) >= points(hits(genuine)) + 2.5


def test_it_votes_the_notices_normal() -> None:
    from fanzha.screening.rules import category_votes

    for text in (ADVISORIES[0], ACCOUNT_NOTICES[0], CODE_NOTICES[0]):
        votes = category_votes(hits(text))
        assert max(votes, key=lambda c: votes[c]) == "normal", text


def test_it_needs_two_advisory_phrases() -> None:
    assert "HAM_ANTI_FRAUD_ADVISORY" not in names("谨防感冒，明天降温。")
    assert "HAM_ANTI_FRAUD_ADVISORY" in names("谨防感冒，切勿受凉。")


def test_it_does_not_treat_a_negated_click_as_a_request() -> None:
    assert "HAM_ANTI_FRAUD_ADVISORY" in names("银行提醒您：切勿点击短信中的链接，谨防诈骗。")
    assert "HAM_ANTI_FRAUD_ADVISORY" not in names("银行提醒您：谨防诈骗，请点击链接 http://a.cn 核实身份。")


def test_it_gives_no_code_credit_to_a_group_join_code() -> None:
    assert "HAM_CODE_NOTICE" not in names("免费牛股群，每天一个涨停板，QQ验证码8866，群满即封")
