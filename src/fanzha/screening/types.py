"""The engine's value types: what every part of the screening engine passes to the next.

Pipeline for one item (see engine.py):
    raw text --normalise.normalise()--> Normalised
             --entities.extract()-----> list[Entity]        (spans refer to Normalised.text)
             --rules.RuleSet.match()--> list[Hit]           (named, weighted, explained)
             --models.TextModel-------> class probabilities (on Normalised.model_text)
             --engine blend-----------> Result
This module has no dependencies beyond the standard library, so every part can import it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

LEVELS = ("none", "low", "medium", "high")

# Placeholders the normaliser puts in Normalised.model_text (single private-use characters, so a
# character n-gram sees each as one symbol). The FBS corpus ships its texts with the same kinds of
# placeholders written as words (DIGIT, URL, CELLPHONE, ...); the normaliser maps those too.
PH_DIGITS = "\ue000"  # a run of digits that is not a phone number
PH_URL = "\ue001"
PH_MOBILE = "\ue002"
PH_PHONE = "\ue003"  # landline, 400/95 service numbers, hotlines
PH_WECHAT = "\ue004"
PH_QQ = "\ue005"
PH_CARD = "\ue006"  # bank card
PH_NAME = "\ue007"
PH_PLACE = "\ue008"
PH_AMOUNT = "\ue009"


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Normalised:
    original: str  # the input as given (after the length bound)
    text: str  # readable normal form: NFKC, simplified, evasion undone; entity values stay
    model_text: str  # text with entities as placeholders, punctuation and spaces removed
    truncated: bool = False  # the input was longer than the bound and only a prefix was screened
    # entities found while normalising (entities.extract() returns them without a second pass);
    # None when the Normalised was built by hand
    entities: tuple[Entity, ...] | None = None


@dataclass(frozen=True, slots=True)
class Entity:
    kind: str  # mobile | landline | service_number | international | url | bank_card | qq | wechat
    #            | alipay | amount | app | download | code_request | screen_share
    value: str  # canonical value (digits only for numbers, lower-cased URL, amount in yuan, ...)
    span: Span  # where it is in Normalised.text
    detail: dict[str, str] = field(default_factory=dict)  # e.g. {"domain": "example.com"} for a URL


@dataclass(frozen=True, slots=True)
class Hit:
    symbol: str  # stable name of the rule symbol, e.g. "SAFE_ACCOUNT"
    weight: float  # points added to the score (negative for ham symbols)
    category: str  # typology code the symbol points to ("" when it only adds risk)
    explanation: str  # Chinese, shown to people
    spans: tuple[Span, ...] = ()  # evidence in Normalised.text


@dataclass(frozen=True, slots=True)
class Result:
    score: float  # calibrated probability that the item is fraud or illegal promotion, 0..1
    level: str  # one of LEVELS
    category: str  # typology code; "normal" or "advertising" when not risky
    reasons: tuple[Hit, ...]  # rule hits and model evidence, strongest first
    entities: tuple[Entity, ...]
    normalised: Normalised | None = None
    error: str = ""  # set when the item could not be screened (score 0, level none)
