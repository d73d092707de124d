"""Normalisation against evasion, and the placeholder text the models read.

`normalise(text)` → types.Normalised:
- `text`: NFKC (full-width → half-width, circled digits → digits), traditional → simplified (a
  character table generated from OpenCC, data/t2s.txt), zero-width and decorative characters removed,
  look-alike Cyrillic/Greek letters folded to Latin, whitespace collapsed, single characters spaced or
  punctuated apart joined (加 微 信 → 加微信), contact-channel variants canonicalised (薇信/vx → 微信,
  扣扣/企鹅 → QQ, in channel context), Chinese numerals inside digit runs read as digits, URLs written
  with 点/dot/[.] given real dots, hxxp → http. Latin case is kept.
- `model_text`: entities replaced by the private-use placeholders of types.py, the FBS corpus's word
  placeholders (DIGIT, URL…, CELLPHONE, PHONE, HOTLINE, WECHAT, QQ+DIGIT, NAME, PLACE) mapped to the same
  characters, BANK → 银行, remaining digit runs and masked "xx" numbers → PH_DIGITS, Latin lower-cased, all
  whitespace and punctuation removed. Amounts keep PH_DIGITS + unit (as in the FBS corpus: DIGIT万).

All data lives in data/variants.toml. The common path is a few C-level calls (normalize, translate,
a handful of precompiled regexes guarded by cheap substring tests).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from fanzha.screening.entities import find_entities, variants
from fanzha.screening.t2s import t2s_pairs
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
    Entity,
    Normalised,
)

_V = variants()
_C = _V["chars"]


def _pairs(s: str) -> dict[str, str]:
    return {p[0]: p[1:] for p in s.split()}


def _build_table() -> dict[int, str | None]:
    table: dict[int, str | None] = {}
    for traditional, simplified in t2s_pairs().items():
        table[ord(traditional)] = simplified
    keep = set(_C["keep_in_ranges"])
    for lo, hi in _C["decorative_ranges"]:
        for cp in range(lo, hi + 1):
            if chr(cp) not in keep:
                table[cp] = None
    for ch in _C["decorative"] + "".join(_C["zero_width"]):
        table[ord(ch)] = None
    for ch in _C["zero_like"]:
        table[ord(ch)] = "〇"
    for src, dst in _pairs(_C["lookalikes"]).items():
        table[ord(src)] = dst
    return table


_TABLE = _build_table()


def _table_class(table: dict[int, str | None]) -> str:
    """A regex class of the table's keys: BMP characters listed (sre makes a bitmap), the rest as ranges."""
    bmp = "".join(re.escape(chr(c)) for c in sorted(table) if c < 0x10000)
    ranges = "".join(f"{chr(lo)}-{chr(hi)}" for lo, hi in _C["decorative_ranges"] if lo >= 0x10000)
    return f"[{bmp}{ranges}]"


# The table is applied through a regex (C-level scan, a call only per changed character): str.translate
# with a dict costs a lookup per character.
_TABLE_RE = re.compile(_table_class(_TABLE))


def _table_sub(m: re.Match[str]) -> str:
    return _TABLE.get(ord(m.group())) or ""


_HEART_RE = re.compile(r"([Vv薇威微])\s?[❤♥♡💗💕](?!\s?[信芯])")
_HXXP_RE = re.compile(r"h(?:xx|XX|Xx|xX|\*\*)p(s?)(?=:|：)", re.I)

_CJK = "\u4e00-\u9fff"
_SPACERS = re.escape(" .·•-_*~|/\\+=#^")
# Three or more single characters with spacers between (the last may start a word): 加 微 信好友.
_SPACED_RE = re.compile(
    rf"(?<![{_CJK}])[{_CJK}](?:[{_SPACERS}]{{1,3}}[{_CJK}](?![{_CJK}]))+[{_SPACERS}]{{1,3}}[{_CJK}]"
)
_SPACER_DEL = str.maketrans("", "", " .·•-_*~|/\\+=#^")
# A necessary part of every _SPACED_RE match (an inner single character between spacers), cheap to
# search for because spacers are rare in Chinese text.
_SPACED_HINT_RE = re.compile(f"[{_SPACERS}][{_CJK}][{_SPACERS}]")

# Contact channels: unambiguous variants always, ambiguous ones only after an "add" word or before an id.
_CH = _V["channels"]


def _alt(words: Iterable[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_ADD = _alt(_CH["add_words"])
_WX_ALWAYS = _alt(_CH["wechat_always"])
_WX_CTX = _alt(_CH["wechat_context"])
_QQ_ALWAYS = _alt(_CH["qq_always"])
_QQ_CTX = _alt(_CH["qq_context"])
_WXI = ("威信", "卫星", "薇", "徽")
_QQ_WORDS = frozenset(_CH["qq_always"]) | frozenset(_CH["qq_context"])
_WX_WORDS = frozenset(_CH["wechat_always"]) | frozenset(_WXI)
_ADD_WORDS = sorted(_CH["add_words"], key=len, reverse=True)


def _channel_pattern() -> str:
    """Flat alternation; every branch starts with a literal so sre can skip ahead on first characters.
    A Latin variant glued to a preceding Latin letter is left alone in _channel()."""
    words = _CH["wechat_always"] + _CH["qq_always"]
    branches = [_alt([w]) + ("(?![A-Za-z])" if w[-1].isascii() else "") for w in words]
    after_add = r"(?=\s?[:：]|\s?[A-Za-z0-9]|[，。,.!！\s]|$)(?!ip|IP|信)"
    branches += [f"{_alt([a])}\\s?(?:{_WX_CTX}){after_add}" for a in _CH["add_words"]]
    branches += [f"{_alt([w])}(?=(?:号码|号|群)?\\s?[:：]?\\s?[0-9]{{5}})" for w in _CH["qq_context"]]
    branches += [f"{w}(?=(?:号码|号)?\\s?[:：]\\s?[A-Za-z0-9])" for w in _WXI]
    return "|".join(branches)


_CHANNEL_RE = re.compile(_channel_pattern())


_NUMERALS = _pairs(_V["numerals"]["digits"])
_NUMERAL_TABLE = str.maketrans(_NUMERALS)
_NUMERAL_CHARS = "".join(_NUMERALS)
_NUMRUN_RE = re.compile(rf"[0-9{_NUMERAL_CHARS}](?:[ \-]?[0-9{_NUMERAL_CHARS}]){{4,}}")
_MIXED_MIN = int(_V["numerals"]["mixed_run_min"])
_PURE_MIN = int(_V["numerals"]["pure_run_min"])

_U = _V["urls"]
_TLD_SET = frozenset(t.split(".")[-1] for t in _U["tlds"])
_DOT_ALT = _alt([*_U["dot_words"], "."])
_DOT_HINT_ALT = _alt([*_U["dot_words"], "dot", "DOT", "Dot"])
_DOT_HINT_RE = re.compile(rf"[A-Za-z0-9]\s?(?:{_DOT_HINT_ALT})\s?[A-Za-z0-9]")
# Every alternative of _DOT_HINT_RE contains one of these words: a search for them alone is cheap.
_DOT_HINT_WORDS = {".", "dot", "DOT", "Dot", *(w for w in _U["dot_words"] if "." not in w and "dot" not in w)}
_DOT_HINT_ANY = re.compile(_alt(_DOT_HINT_WORDS))
_DOTTED_RE = re.compile(
    rf"[A-Za-z0-9-]{{1,63}}(?:\s?(?:{_DOT_ALT})\s?[A-Za-z0-9-]{{1,63}}(?![A-Za-z0-9-]))+", re.I
)
_DOT_SPLIT_RE = re.compile(rf"\s?(?:{_DOT_ALT})\s?", re.I)


def _join_spaced(m: re.Match[str]) -> str:
    return m.group().translate(_SPACER_DEL)


def _channel(m: re.Match[str]) -> str:
    g, s = m.group(), m.start()
    if g[0].isascii() and s and m.string[s - 1].isascii() and m.string[s - 1].isalpha():
        return g
    if g in _QQ_WORDS:
        return "QQ"
    if g in _WX_WORDS:
        return "微信"
    return next((a for a in _ADD_WORDS if g.startswith(a)), "") + "微信"


def _numeral_run(m: re.Match[str]) -> str:
    run = m.group()
    core = run.replace(" ", "").replace("-", "")
    ascii_digits = sum(c.isascii() for c in core)
    if (ascii_digits and ascii_digits < len(core) and len(core) >= _MIXED_MIN) or (
        not ascii_digits and len(core) >= _PURE_MIN
    ):
        return run.translate(_NUMERAL_TABLE)
    return run


def _dotted(m: re.Match[str]) -> str:
    raw = m.group()
    labels = _DOT_SPLIT_RE.split(raw)
    if len(labels) < 2 or not any(labels):
        return raw
    if labels[-1].lower() in _TLD_SET or labels[0].lower() == "www":
        return ".".join(labels)
    return raw


def readable(text: str) -> str:
    """The readable normal form (Normalised.text) of an already bounded text."""
    t = text
    if not t.isascii():
        t = unicodedata.normalize("NFKC", t)
        if "❤" in t or "♥" in t or "♡" in t or "💗" in t or "💕" in t:
            t = _HEART_RE.sub(r"\1信", t)
        if _TABLE_RE.search(t):
            t = _TABLE_RE.sub(_table_sub, t)
    t = " ".join(t.split())
    if "xx" in t or "XX" in t or "**" in t or "Xx" in t or "xX" in t:
        t = _HXXP_RE.sub(r"http\1", t)
    if not t.isascii() and _SPACED_HINT_RE.search(t):
        t = _SPACED_RE.sub(_join_spaced, t)
    t = _CHANNEL_RE.sub(_channel, t)
    if _NUMRUN_RE.search(t):
        t = _NUMRUN_RE.sub(_numeral_run, t)
    if _DOT_HINT_ANY.search(t) and _DOT_HINT_RE.search(t):
        t = _DOTTED_RE.sub(_dotted, t)
    return t


# ---------------------------------------------------------------- model text
_ENTITY_PH = {
    "mobile": PH_MOBILE,
    "landline": PH_PHONE,
    "service_number": PH_PHONE,
    "international": PH_PHONE,
    "url": PH_URL,
    "bank_card": PH_CARD,
    "qq": PH_QQ,
    "wechat": PH_WECHAT,
    "download": PH_URL,
}
_PRIORITY = {"qq": 0, "wechat": 1, "url": 2, "bank_card": 3, "mobile": 4}
# FBS corpus placeholders, replaced in this order (QQ + number first, CELLPHONE before PHONE).
_FBS_PH = (
    *((f"QQ{w}{ph}", PH_QQ) for w in ("号码", "号", "") for ph in ("DIGIT", "CELLPHONE", "PHONE")),
    *((f"QQ{w}{ph}", PH_QQ) for w in ("号码", "号", "") for ph in (PH_DIGITS, PH_MOBILE, PH_PHONE)),
    ("CELLPHONE", PH_MOBILE),
    ("HOTLINE", PH_PHONE),
    ("PHONE", PH_PHONE),
    ("DIGIT", PH_DIGITS),
    ("WECHAT", PH_WECHAT),
    ("NAME", PH_NAME),
    ("PLACE", PH_PLACE),
    ("BANK", "银行"),
)
_FBS_QQ, _FBS_WORDS = _FBS_PH[:18], _FBS_PH[18:]
_FBS_URL_RE = re.compile(r"URL[a-z]*")
_DIGITS_RE = re.compile(r"[0-9]+(?:[.,][0-9]+)*")
_MASKED_RE = re.compile(r"(^|[^A-Za-z])x+(?![A-Za-z])")  # sms800k masks numbers as x / xx
_UPPER_RE = re.compile(r"[A-Z]+")
# Whitespace, ASCII punctuation and symbols, Latin-1 signs, general punctuation, letter-like symbols,
# arrows, maths, technical and misc symbols, CJK punctuation, CJK compatibility and full-width forms.
_STRIP_RE = re.compile(
    r"[\s!-/:-@\[-`{-~\u00a0-\u00bf\u00d7\u00f7\u02b0-\u036f\u2000-\u2bff\u3000-\u303f"
    r"\ufe10-\ufe6f\uff00-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65\uffe0-\uffef]+"
)


def _lower(m: re.Match[str]) -> str:
    return m.group().lower()


def _with_placeholders(text: str, entities: Iterable[Entity]) -> str:
    chosen = sorted(
        (e for e in entities if e.kind in _ENTITY_PH),
        key=lambda e: (e.span.start, _PRIORITY.get(e.kind, 9), -e.span.end),
    )
    parts: list[str] = []
    pos = 0
    for e in chosen:
        if e.span.start < pos:
            continue
        parts.append(text[pos : e.span.start])
        parts.append(_ENTITY_PH[e.kind])
        pos = e.span.end
    parts.append(text[pos:])
    return "".join(parts)


def model_text(text: str, entities: Iterable[Entity] = ()) -> str:
    """Normalised.model_text for a readable text and its entities."""
    t = _with_placeholders(text, entities) if entities else text
    upper = _UPPER_RE.search(t) is not None  # every FBS placeholder word is upper-case Latin
    if upper:
        if "QQ" in t:
            for word, ph in _FBS_QQ:
                if word in t:
                    t = t.replace(word, ph)
        for word, ph in _FBS_WORDS:
            if word in t:
                t = t.replace(word, ph)
        if "URL" in t:
            t = _FBS_URL_RE.sub(PH_URL, t)
    if _DIGITS_RE.search(t):
        t = _DIGITS_RE.sub(PH_DIGITS, t)
    if "x" in t:
        t = _MASKED_RE.sub("\\g<1>" + PH_DIGITS, t)
    if upper and _UPPER_RE.search(t):
        t = _UPPER_RE.sub(_lower, t)
    return _STRIP_RE.sub("", t)


# ---------------------------------------------------------------- public API
def normalise(text: str, *, max_chars: int = 10_000) -> Normalised:
    """Normalise one text (bounded to max_chars; `truncated` says when it was cut)."""
    truncated = len(text) > max_chars
    original = text[:max_chars] if truncated else text
    t = readable(original)
    ents = find_entities(t)
    n: Normalised = _new(Normalised)  # the dataclass __init__ without its per-field object.__setattr__
    _set_original(n, original)
    _set_text(n, t)
    _set_model_text(n, model_text(t, ents))
    _set_truncated(n, truncated)
    _set_entities(n, tuple(ents))
    return n


_new = object.__new__
_set_original, _set_text, _set_model_text, _set_truncated, _set_entities = (
    getattr(Normalised, f).__set__ for f in ("original", "text", "model_text", "truncated", "entities")
)


def normalise_many(texts: Iterable[str], *, max_chars: int = 10_000) -> list[Normalised]:
    """normalise() over a batch."""
    return [normalise(t, max_chars=max_chars) for t in texts]
