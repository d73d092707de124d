"""Fraud types: the platform's shared typology codes, and Chinese names or aliases mapped to them.

The shared typology lives in ``fanzha.screening.typology`` (``load_typology()``); it is imported
lazily so this app works before and after it exists. Until then the built-in copy below is used.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

OTHER_FRAUD = "other_fraud"

# code → (name, aliases): the shared codes, with words that appear in pushed lists (also in English).
BUILTIN: dict[str, tuple[str, tuple[str, ...]]] = {
    "fake_order_rebate": (
        "刷单返利",
        ("刷单", "兼职刷单", "网络刷单", "order brushing", "brushing scam", "task scam", "rebate scam"),
    ),
    "fake_investment": (
        "虚假网络投资理财",
        (
            ("投资理财", "网络投资理财", "虚假投资", "杀猪盘")
            + ("investment scam", "investment fraud", "pig butchering")
        ),
    ),
    "fake_loan": (
        "虚假网络贷款",
        (
            "网络贷款",
            "网贷",
            "虚假网贷",
            "虚假贷款",
            "贷款诈骗",
            "贷款、代办信用卡",
            "代办信用卡",
            "loan scam",
            "loan fraud",
            "fake loan",
        ),
    ),
    "fake_customer_service": (
        "冒充电商物流客服",
        (
            "冒充客服",
            "冒充电商客服",
            "冒充物流客服",
            "冒充快递",
            "快递理赔",
            "网购退款",
            "fake customer service",
            "customer service scam",
        ),
    ),
    "impersonate_authority": (
        "冒充公检法及政府机关",
        (
            "冒充公检法",
            "冒充政府机关",
            "冒充公安",
            "冒充医保",
            "冒充社保",
            "impersonating police",
            "police impersonation",
            "impersonating officials",
            "fake police",
        ),
    ),
    "impersonate_acquaintance": (
        "冒充领导、熟人",
        (
            "冒充领导",
            "冒充熟人",
            "冒充亲友",
            "冒充老师",
            "impersonating acquaintance",
            "impersonating a boss",
            "fake boss",
        ),
    ),
    "fake_credit_repair": (
        "虚假征信",
        ("注销校园贷", "征信修复", "credit repair scam", "fake credit repair"),
    ),
    "fake_shopping_service": ("虚假购物、服务", ("虚假购物", "虚假服务", "fake shopping", "shopping scam")),
    "game_trade": ("网络游戏产品虚假交易", ("游戏交易", "游戏装备", "网络游戏虚假交易", "游戏产品虚假交易")),
    "romance": ("网络婚恋、交友", ("网络婚恋", "网络交友", "婚恋交友", "romance scam", "dating scam")),
    "impersonate_military": ("冒充军警购物", ("冒充军人",)),
    "online_blacklist": ("网黑案件", ("网黑",)),
    "elderly_care": ("养老诈骗", ("以养老为名",)),
    "bank_points_phishing": ("伪基站积分钓鱼", ("积分兑换", "伪基站", "ETC")),
    OTHER_FRAUD: ("其他诈骗", ("其他", "其它", "其它诈骗", "其他类型", "其它类型", "other fraud")),
    "gambling": ("赌博", ()),
    "lottery_tips": ("彩票、六合彩预测", ()),
    "escort": ("色情、招嫖", ()),
    "drugs": ("毒品", ()),
    "fake_documents": ("假证、假发票", ()),
    "card_trading": ('买卖"两卡"、账户', ("买卖两卡", "两卡")),
    "illegal_loan": ("非法放贷、配资", ()),
    "political_propaganda": ("非法政治宣传", ()),
    "other_illegal": ("其他违法推广", ()),
    "advertising": ("合法广告营销", ()),
    "normal": ("正常", ()),
}


# Screening verdicts that are no fraud type of a warning: a list saying 正常 names no type.
NOT_WARNING_TYPES = frozenset({"normal", "advertising"})


@dataclass(frozen=True)
class FraudType:
    code: str
    name: str
    aliases: tuple[str, ...]


def _shared() -> Any | None:
    try:
        from fanzha.screening.typology import load_typology  # type: ignore[import-not-found]
    except ImportError:
        return None
    return load_typology()


def _from_shared(typology: Any) -> list[FraudType]:
    found = []
    for code in typology.codes():
        entry = typology.get(code)
        name = str(getattr(entry, "name", "") or getattr(entry, "label", "") or code)
        aliases = tuple(str(a) for a in (getattr(entry, "aliases", None) or ()))
        builtin = BUILTIN.get(code, ("", ()))
        found.append(FraudType(code, name, tuple(dict.fromkeys(aliases + builtin[1]))))
    return found


@lru_cache(maxsize=1)
def _types() -> tuple[FraudType, ...]:
    typology = _shared()
    if typology is not None:
        return tuple(_from_shared(typology))
    return tuple(FraudType(code, name, aliases) for code, (name, aliases) in BUILTIN.items())


def fraud_types() -> list[FraudType]:
    """Every known type, from the shared typology when it exists (read once per process)."""
    return list(_types())


def choices() -> list[tuple[str, str]]:
    """Every type a warning or a case may be given (not the screening's 正常 / 合法广告营销)."""
    return [(t.code, t.name) for t in _types() if t.code not in NOT_WARNING_TYPES]


@lru_cache(maxsize=64)
def label(code: str) -> str:
    return next((t.name for t in _types() if t.code == code), code)


def key(text: str) -> str:
    """A type's word as compared: NFKC, no case, no spaces or punctuation."""
    value = unicodedata.normalize("NFKC", text).strip().lower()
    return re.sub(r"[\s、,，\"“”'()（）\-]+", "", value)


@lru_cache(maxsize=1)
def _index() -> dict[str, str]:
    types = _types()
    index: dict[str, str] = {}
    for t in types:
        for word in (t.code, t.name, *t.aliases):
            index.setdefault(key(word), t.code)
    return index


def screening_verdict(text: str) -> str | None:
    """The code of the screening's 正常 / 合法广告营销 when ``text`` names one (no fraud type), else None."""
    code = _index().get(key(text))
    return code if code in NOT_WARNING_TYPES else None


# How a bank or a platform hedges the type it names: 疑似刷单返利诈骗, 涉嫌冒充公检法 name that type.
HEDGES = ("疑似", "涉嫌", "疑为")


def _unhedged(word: str) -> str:
    for hedge in HEDGES:
        if word.startswith(hedge):
            return word[len(hedge) :]
    return word


def resolve(text: str) -> str | None:
    """The code for a code, name or alias, or for the start of one (冒充公检法 → 冒充公检法及政府机关)
    when only one type starts so (冒充 alone could be five: None); None if unknown. A hedge in front
    (疑似, 涉嫌) is passed over."""
    word = _unhedged(key(text))
    if not word:
        return None
    found = _resolve_word(word)
    if found is None:  # 贷款类, 刷单类诈骗, 冒充客服类案件: the type's name with a class word after it
        stem = CLASS_SUFFIX.sub("", word)
        if stem and stem != word:
            return _resolve_word(stem)
    return found


# What a list writes after a type's name: 贷款类, 刷单返利类诈骗, 冒充客服类案件.
CLASS_SUFFIX = re.compile(r"(?:类)?(?:诈骗)?(?:案件|案)?$")


def _resolve_word(word: str) -> str | None:
    index = _index()
    if word in index:
        code = index[word]
        return None if code in NOT_WARNING_TYPES else code
    found = {
        code
        for known, code in index.items()
        if len(known) >= 2
        and (known.startswith(word) or word.startswith(known))
        and code not in NOT_WARNING_TYPES
    }
    return found.pop() if len(word) >= 2 and len(found) == 1 else None
