"""The typology: stable codes, groups, scripts and advice as reviewed data."""

from __future__ import annotations

import dataclasses

import pytest

from fanzha.screening.typology import (
    FraudType,
    TypologyError,
    is_risky,
    load_typology,
    parse_typology,
    top_category,
)

CODES = {
    "fraud": [
        "fake_order_rebate", "fake_investment", "fake_loan", "fake_customer_service", "impersonate_authority",
        "impersonate_acquaintance", "fake_credit_repair", "fake_shopping_service", "game_trade", "romance",
        "impersonate_military", "online_blacklist", "elderly_care", "bank_points_phishing", "other_fraud",
    ],
    "illegal": [
        "gambling", "lottery_tips", "escort", "drugs", "fake_documents", "card_trading", "illegal_loan",
        "political_propaganda", "other_illegal",
    ],
    "advertising": ["advertising"],
    "normal": ["normal"],
}  # fmt: skip


def test_it_has_exactly_the_platform_codes_in_their_groups() -> None:
    typology = load_typology()
    assert typology.codes() == [code for codes in CODES.values() for code in codes]
    for group, codes in CODES.items():
        assert [t.code for t in typology.by_group(group)] == codes


def test_it_describes_every_type_in_chinese_with_scripts_and_advice() -> None:
    for t in load_typology().all():
        assert t.name and t.description and t.advice
        assert 3 <= len(t.scripts) <= 6, t.code
        assert any("\u4e00" <= ch <= "\u9fff" for ch in t.description + t.advice)


def test_it_gives_concrete_advice_for_fraud() -> None:
    typology = load_typology()
    advice = typology.get("impersonate_authority").advice
    assert "安全账户" in advice and ("110" in advice or "96110" in advice)


def test_it_says_which_codes_are_risky_and_their_top_category() -> None:
    assert is_risky("impersonate_authority") and is_risky("gambling")
    assert not is_risky("advertising") and not is_risky("normal")
    assert top_category("romance") == "FR"
    assert top_category("escort") == "IL"
    assert top_category("advertising") == "AD"
    assert top_category("normal") == "Other"


def test_it_offers_choices_for_forms() -> None:
    choices = load_typology().choices()
    assert ("bank_points_phishing", "伪基站积分钓鱼") in choices
    assert len(choices) == len(load_typology())


def test_it_maps_fbs_classes() -> None:
    typology = load_typology()
    assert typology.from_fbs("FR:Phishing(Bank)") == "bank_points_phishing"
    assert typology.from_fbs("FR:Financial") == "fake_investment"
    assert typology.from_fbs("FR:Phishing(Other)") == "other_fraud"
    assert typology.from_fbs("IL:Fake_ID_and_invoice") == "fake_documents"
    assert typology.from_fbs("AD:Whatever") == "advertising"
    assert typology.from_fbs("Other") == "normal"


def test_it_rejects_an_unknown_code_with_a_chinese_message() -> None:
    with pytest.raises(KeyError, match="未知的诈骗类型代码"):
        load_typology().get("no_such_code")


def test_it_keeps_types_immutable() -> None:
    t = load_typology().get("gambling")
    assert isinstance(t, FraudType)
    with pytest.raises(dataclasses.FrozenInstanceError):
        t.name = "x"  # type: ignore[misc]


def test_it_rejects_a_bad_typology_file() -> None:
    good = {
        "code": "x",
        "name": "甲",
        "group": "fraud",
        "description": "乙",
        "advice": "丙",
        "scripts": ["丁"],
    }
    with pytest.raises(TypologyError, match="未知分组"):
        parse_typology({"type": [{**good, "group": "weird"}]})
    with pytest.raises(TypologyError, match="重复"):
        parse_typology({"type": [good, good]})
    with pytest.raises(TypologyError, match="advice"):
        parse_typology({"type": [{**good, "advice": ""}]})
