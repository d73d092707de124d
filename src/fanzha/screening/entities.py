"""Entity extraction on normalised text: phone numbers, URLs, bank cards, QQ / WeChat / Alipay ids,
amounts, apps, download links, requests for verification codes and for screen sharing.

`extract(n)` returns entities whose spans index `n.text`. `normalise()` already runs the extractor (it
needs the spans for `model_text`) and keeps the result in `Normalised.entities`, so `extract` on a
freshly normalised item costs nothing. Every `detail` value is a string; flags are "true" / "false".

Cheap `in` checks decide which regexes run; the common message without digits, dots or keywords costs
one Aho-Corasick pass and a few substring tests. URLs get their registrable domain from tldextract's
bundled public suffix snapshot (no network, no cache directory).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any

from ahocorasick_rs import AhoCorasick, Implementation

from fanzha.screening.types import Entity, Normalised, Span

DATA_DIR = Path(__file__).resolve().parent / "data"


@cache
def variants() -> dict[str, Any]:
    """The reviewed data file data/variants.toml (loaded once)."""
    with (DATA_DIR / "variants.toml").open("rb") as fh:
        return tomllib.load(fh)


_V = variants()
_KW = _V["keywords"]
_TRUE, _FALSE = "true", "false"

# ---------------------------------------------------------------- numbers
_NUM_RE = re.compile(r"(?<![0-9])(?:\+|00)?[0-9](?:[0-9]|[ \-()]{1,2}(?=[0-9])){4,}")
_SERVICE_EXACT = frozenset(_KW["service_numbers"])
_AFTER_UNITS = frozenset("元块万亿千百%％个次人号年月日")
_CARD_STOP = ("订单", "单号", "快递", "运单", "流水号", "身份证", "编号", "工号")


def _luhn(d: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(d)):
        k = ord(ch) - 48
        if i % 2:
            k = k * 2 - 9 if k > 4 else k * 2
        total += k
    return total % 10 == 0


def _scheme(d: str) -> str:
    if d.startswith("62"):
        return "unionpay"
    if d[0] == "4":
        return "visa"
    if d[0] == "5":
        return "mastercard"
    if d[:2] in ("34", "37"):
        return "amex"
    if d[:2] == "35":
        return "jcb"
    return "other"


def _classify(d: str, raw: str, before: str, after: str) -> tuple[str, str, dict[str, str]] | None:
    """(kind, value, detail) for a digit string, or None when it is just a number."""
    intl = raw.startswith("+") or d.startswith("00")
    core = d[2:] if d.startswith("00") else d
    if (intl or len(d) == 13) and core.startswith("86") and len(core) == 13 and core[2] == "1":
        core = core[2:]
        intl = False
    elif intl:
        return ("international", "+" + core, {}) if 8 <= len(core) <= 15 else None
    n = len(core)
    phone_ok = not any(w in before for w in _KW["not_phone_before"])
    if n == 11 and core[0] == "1" and core[1] in "3456789":
        return ("mobile", core, {}) if phone_ok else None
    if (core.startswith("400") or core.startswith("800")) and n == 10:
        return "service_number", core, {}
    if after[:1] not in _AFTER_UNITS and phone_ok:
        if core in _SERVICE_EXACT or (core[:2] in ("95", "96") and 5 <= n <= 8):
            return "service_number", core, {}
        if core.startswith("1069") and 8 <= n <= 20:
            return "service_number", core, {}
    if core[0] == "0" and core[1] != "0" and 10 <= n <= 12:
        return ("landline", core, {}) if phone_ok else None
    if 13 <= n <= 19 and core[0] in "345689" and _luhn(core) and not any(w in before for w in _CARD_STOP):
        return "bank_card", core, {"scheme": _scheme(core)}
    return None


def _numbers(text: str, out: list[Entity], taken: list[Span]) -> None:
    for m in _NUM_RE.finditer(text):
        raw, s = m.group(), m.start()
        if _inside(s, m.end(), taken):
            continue
        before, after = text[max(0, s - 6) : s], text[m.end() : m.end() + 1]
        d = re.sub(r"[^0-9]", "", raw)
        got = _classify(d, raw, before, after)
        if got is not None:
            out.append(Entity(got[0], got[1], Span(s, m.end()), got[2]))
        elif " " in raw:  # two numbers side by side: classify each group
            pos = s
            for part in raw.split(" "):
                pd = re.sub(r"[^0-9]", "", part)
                g = _classify(pd, part, text[max(0, pos - 6) : pos], "") if len(pd) >= 5 else None
                if g is not None:
                    out.append(Entity(g[0], g[1], Span(pos, pos + len(part)), g[2]))
                pos += len(part) + 1


def _inside(s: int, e: int, spans: Iterable[Span]) -> bool:
    return any(sp.start <= s < sp.end or sp.start < e <= sp.end for sp in spans)


# ---------------------------------------------------------------- URLs
_U = _V["urls"]
_TLD_WORDS = set(_U["tlds"]) | {t.upper() for t in _U["tlds"]}
_TLDS = "|".join(sorted((t.replace(".", r"\.") for t in _TLD_WORDS), key=len, reverse=True))
_PATH = r"[^\s<>\"'\u3000-\u303f\uff00-\uffef\u4e00-\u9fff，。！？、；：“”‘’（）【】《》]"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
# No IGNORECASE and no leading look-behind (both make sre slow); a bare domain glued to a preceding
# "@", "." or Latin word character is dropped in _urls().
_URL_RE = re.compile(
    rf"(?:[Hh][Tt][Tt][Pp][Ss]?|[Ff][Tt][Pp])://{_PATH}+"
    rf"|{_LABEL}(?:\.{_LABEL})*\.(?:{_TLDS})(?![A-Za-z0-9-])(?::[0-9]{{1,5}})?(?:[/?#]{_PATH}*)?"
    rf"|(?:[0-9]{{1,3}}\.){{3}}[0-9]{{1,3}}(?::[0-9]{{1,5}})?(?:/{_PATH}*)?(?![0-9.])"
)
_URL_HINT_RE = re.compile(r"://|\.[A-Za-z]")
_GLUE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789@._-")
_APK_RE = re.compile(r"(?<![A-Za-z0-9._-])[A-Za-z0-9][A-Za-z0-9_.-]*\.(?:apk|ipa)(?![A-Za-z0-9])", re.I)
_SHORTENERS = frozenset(_U["shorteners"])
_DOWNLOAD_WORDS = tuple(_U["download_words"])
_IP_RE = re.compile(r"[0-9]{1,3}(?:\.[0-9]{1,3}){3}")


@cache
def _tld_extractor() -> Any:
    import tldextract

    return tldextract.TLDExtract(cache_dir=None, suffix_list_urls=(), fallback_to_snapshot=True)


def url_detail(url: str) -> dict[str, str]:
    """host, registrable domain, tld, is_ip, is_shortener for a URL (lower-cased, scheme optional)."""
    rest = url.split("://", 1)[1] if "://" in url else url
    host = re.split(r"[/?#]", rest, maxsplit=1)[0].rsplit("@", 1)[-1].split(":", 1)[0].strip(".")
    if _IP_RE.fullmatch(host):
        return {"host": host, "domain": host, "tld": "", "is_ip": _TRUE, "is_shortener": _FALSE}
    r = _tld_extractor()(host)
    domain = f"{r.domain}.{r.suffix}" if r.domain and r.suffix else host
    short = host in _SHORTENERS or domain in _SHORTENERS
    return {"host": host, "domain": domain, "tld": r.suffix, "is_ip": _FALSE, "is_shortener": _bool(short)}


def _bool(flag: bool) -> str:
    return _TRUE if flag else _FALSE


def _urls(text: str, out: list[Entity], taken: list[Span]) -> None:
    for m in _URL_RE.finditer(text):
        if m.start() and text[m.start() - 1] in _GLUE:
            continue
        raw = m.group().rstrip(".,;:!?)]}'\"")
        span = Span(m.start(), m.start() + len(raw))
        value = raw.lower()
        out.append(Entity("url", value, span, url_detail(value)))
        taken.append(span)
        path = value.split("?", 1)[0]
        before = text[max(0, span.start - 12) : span.start]
        if path.endswith((".apk", ".ipa")) or "download" in path or any(w in before for w in _DOWNLOAD_WORDS):
            out.append(Entity("download", value, span, {"via": "url"}))
    if ".apk" in text.lower() or ".ipa" in text.lower():
        for m in _APK_RE.finditer(text):
            span = Span(m.start(), m.end())
            if not _inside(span.start, span.end, taken):
                out.append(Entity("download", m.group().lower(), span, {"via": "file"}))


# ---------------------------------------------------------------- accounts
_QQ_RE = re.compile(r"QQ(?:号码|号|群)?\s?[:：]?\s?([1-9][0-9]{4,10})(?![0-9])", re.I)
_WX_RE = re.compile(
    r"微信(?:号码|号|id|ID)?\s?[:：]?\s?(1[3-9][0-9]{9}(?![0-9])|[a-zA-Z][-_a-zA-Z0-9]{5,19}(?![-_a-zA-Z0-9]))"
)
_ALIPAY_RE = re.compile(
    r"支付宝(?:账号|帐号|账户|号)?\s?[:：]?\s?(1[3-9][0-9]{9}(?![0-9])|[A-Za-z0-9._-]+@[A-Za-z0-9.-]+\.[a-z]{2,})"
)


def _accounts(text: str, out: list[Entity], taken: list[Span]) -> None:
    if "QQ" in text or "qq" in text:
        for m in _QQ_RE.finditer(text):
            detail = {"group": _bool("群" in m.group())}
            out.append(Entity("qq", m.group(1), Span(m.start(), m.end()), detail))
            taken.append(Span(m.start(1), m.end(1)))
    if "微信" in text:
        for m in _WX_RE.finditer(text):
            out.append(Entity("wechat", m.group(1), Span(m.start(1), m.end(1)), {}))
            taken.append(Span(m.start(1), m.end(1)))
    if "支付宝" in text:
        for m in _ALIPAY_RE.finditer(text):
            out.append(Entity("alipay", m.group(1).lower(), Span(m.start(1), m.end(1)), {}))


# ---------------------------------------------------------------- amounts
_CN_NUM = "零〇一二两三四五六七八九十百千万亿壹贰叁肆伍陆柒捌玖拾佰仟"
_SYMBOL_AMOUNT_RE = re.compile(
    r"(?:[¥$]|RMB|人民币)\s?([0-9](?:[0-9]|,(?=[0-9]{3}))*(?:\.[0-9]+)?)\s?(万元|亿元|万|亿|千元|元)?"
)
# A unit right after a digit, a Chinese numeral or a space (group 1 is the unit).
_UNIT_RE = re.compile(rf"[0-9 {_CN_NUM}](万元|亿元|千元|百元|元|块钱|块|万|亿)")
# The number just before a unit, read on the reversed window (so the regex is anchored at its start).
_NUM_BEFORE_RE = re.compile(rf"\s?((?:[0-9]+\.)?(?:[0-9]{{3}},)*[0-9]+|[{_CN_NUM}]+)")
_CN_DIGIT = {c: i for i, c in enumerate("零一二三四五六七八九")}
_CN_DIGIT.update({"〇": 0, "两": 2, "壹": 1, "贰": 2, "叁": 3, "肆": 4, "伍": 5, "陆": 6, "柒": 7, "捌": 8})
_CN_DIGIT["玖"] = 9
_CN_SMALL = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_UNIT_MULT = {"万元": 10_000, "万": 10_000, "亿元": 100_000_000, "亿": 100_000_000, "千元": 1000, "百元": 100}
_COUNTERS = frozenset("个人次条名户字步家件台辆平米公里年天份位张")


def parse_chinese_number(s: str) -> int | None:
    """一万 → 10000, 三千五百 → 3500, 两亿三千万 → 230000000; None when it is not a number."""
    yi = wan = section = digit = 0
    seen = False
    for ch in s:
        if ch in _CN_DIGIT:
            digit, seen = _CN_DIGIT[ch], True
        elif ch in _CN_SMALL:
            section += (digit or 1) * _CN_SMALL[ch]
            digit, seen = 0, True
        elif ch == "万":
            wan = (wan + section + digit) * 10_000
            section = digit = 0
        elif ch == "亿":
            yi = (yi + wan + section + digit) * 100_000_000
            wan = section = digit = 0
        else:
            return None
    return yi + wan + section + digit if seen else None


def _amount_value(num: str, unit: str) -> Decimal | None:
    if num[0].isdigit():
        try:
            base = Decimal(num.replace(",", ""))
        except InvalidOperation:
            return None
    else:
        if not any(c in _CN_DIGIT for c in num) or unit not in ("元", "万元", "亿元", "块", "块钱"):
            return None
        parsed = parse_chinese_number(num)
        if parsed is None:
            return None
        base = Decimal(parsed)
    return base * _UNIT_MULT.get(unit, 1)


def _amounts(text: str, out: list[Entity]) -> None:
    seen: set[int] = set()
    if "¥" in text or "$" in text or "RMB" in text or "人民币" in text:
        for m in _SYMBOL_AMOUNT_RE.finditer(text):
            value = _amount_value(m.group(1), m.group(2) or "")
            if value is not None and value > 0:
                out.append(Entity("amount", format(value.normalize(), "f"), Span(m.start(), m.end()), {}))
                seen.add(m.end())
    if "元" not in text and "块" not in text and "万" not in text and "亿" not in text:
        return  # every unit of _UNIT_RE has one of these
    for m in _UNIT_RE.finditer(text):
        s, unit = m.start(1), m.group(1)
        if m.end() in seen:
            continue
        if unit in ("万", "亿") and text[m.end() : m.end() + 1] in _COUNTERS:
            continue
        num = _NUM_BEFORE_RE.match(text[max(0, s - 24) : s][::-1])
        if num is None or not num.group(1):
            continue
        value = _amount_value(num.group(1)[::-1], unit)
        if value is not None and value > 0:
            start = s - len(num.group())
            out.append(Entity("amount", format(value.normalize(), "f"), Span(start, m.end()), {}))


# ---------------------------------------------------------------- keywords
# Chinese keywords: one Aho-Corasick pass, only when the text has a trigger character. Latin app
# names: looked up per Latin word (case-insensitive, whole words only).
def _keyword_table() -> list[tuple[str, str, str]]:
    apps = _V["apps"]
    rows = [
        (w, "app", cat)
        for cat in ("screen_share", "meeting", "chat", "finance", "payment")
        for w in apps[cat]
    ]
    rows += [(w, "app", "chat_context") for w in apps.get("chat_context", [])]
    rows += [(w, "screen_share", "") for w in _KW["screen_share"]]
    return rows


def _build_automaton(
    rows: list[tuple[str, str, str]],
) -> tuple[AhoCorasick, list[tuple[str, str, str]], re.Pattern[str], dict[str, tuple[str, str, str]]]:
    """The Chinese keywords automaton (ahocorasick_rs DFA; a word listed twice keeps its last row),
    its rows by pattern index, the trigger-character regex and the Latin keywords."""
    words: dict[str, tuple[str, str, str]] = {}
    triggers = set(_V["apps"].get("keyword_triggers", ""))
    latin: dict[str, tuple[str, str, str]] = {}
    for word, kind, cat in rows:
        if word.isascii():
            latin.setdefault(word.lower(), (word, kind, cat))
            continue
        words[word] = (word, kind, cat)
        if not triggers.intersection(word):
            triggers.add(word[-1])
    automaton = AhoCorasick(list(words), implementation=Implementation.DFA)
    trigger_re = re.compile("[" + re.escape("".join(sorted(triggers))) + "]")
    return automaton, list(words.values()), trigger_re, latin


_AUTOMATON, _ROWS, _TRIGGER_RE, _LATIN_KW = _build_automaton(_keyword_table())
_LATIN_WORD_RE = re.compile(r"[A-Za-z][A-Za-z0-9]+")
_LATIN_SET = frozenset(_LATIN_KW)
_CONTEXT_VERBS = ("下载", "安装", "加", "用", "注册", "登录", "使用")
_DL_APP_RE = re.compile(
    r"(?:下载|安装)(?:并安装|并注册|并登录)?[“\"「《【]?([A-Za-z0-9\u4e00-\u9fff]{2,12}?)[”\"」》】]?(?:APP|App|app|客户端|软件)"
)


_SURROGATES_RE = re.compile("[\ud800-\udfff]")


def _find_all(text: str) -> list[tuple[int, int, int]]:
    """Overlapping automaton matches (pattern index, start, end), by end and longest first."""
    try:
        found: list[tuple[int, int, int]] = _AUTOMATON.find_matches_as_indexes(text, overlapping=True)
    except UnicodeEncodeError:  # lone surrogates: no keyword contains one, so mask them
        found = _AUTOMATON.find_matches_as_indexes(_SURROGATES_RE.sub("\ufffd", text), overlapping=True)
    return found


def _keyword_hits(text: str) -> list[tuple[int, int, str, str, str]]:
    hits: list[tuple[int, int, str, str, str]] = []
    if _TRIGGER_RE.search(text):
        rows = _ROWS
        hits = [(s, e, *rows[p]) for p, s, e in _find_all(text)]
    words = _LATIN_WORD_RE.findall(text)
    if words and not _LATIN_SET.isdisjoint(map(str.lower, words)):
        for m in _LATIN_WORD_RE.finditer(text):
            row = _LATIN_KW.get(m.group().lower())
            if row is not None:
                hits.append((m.start(), m.end(), *row))
    return hits


def _keywords(text: str, out: list[Entity]) -> None:
    hits = _keyword_hits(text)
    if len(hits) > 1:
        hits.sort(key=lambda h: (h[0], -h[1]))
    last_end = -1
    for s, e, w, kind, cat in hits:
        if s < last_end:
            continue
        if cat == "chat_context" and not any(v in text[max(0, s - 4) : s] for v in _CONTEXT_VERBS):
            continue
        last_end = e
        if kind == "app":
            detail = {"category": "chat" if cat == "chat_context" else cat}
            out.append(Entity("app", w.lower() if w.isascii() else w, Span(s, e), detail))
        else:
            out.append(Entity(kind, w, Span(s, e), {}))
    if "下载" in text or "安装" in text:
        for m in _DL_APP_RE.finditer(text):
            out.append(Entity("app", m.group(1), Span(m.start(1), m.end()), {"category": "download"}))


_CODE_WORDS = "|".join(_KW["code_words"])
_CODE_ASK = "|".join(_KW["code_ask"])
_CODE_RE = re.compile(
    rf"(?:{_CODE_ASK})[^。！？!?\n]{{0,8}}?(?:{_CODE_WORDS})|(?:{_CODE_WORDS})[^。！？!?\n]{{0,6}}?(?:{_CODE_ASK})"
)
_NEGATIONS = tuple(_KW["code_negations"])


def _code_requests(text: str, out: list[Entity]) -> None:
    for m in _CODE_RE.finditer(text):
        window = text[max(0, m.start() - 4) : m.end()]
        if any(neg in window for neg in _NEGATIONS):
            continue
        word = next((w for w in _KW["code_words"] if w in m.group()), "")
        out.append(Entity("code_request", word, Span(m.start(), m.end()), {}))


# ---------------------------------------------------------------- public API
_HAS_DIGIT = re.compile(r"[0-9]")


def find_entities(text: str) -> list[Entity]:
    """All entities in an already normalised text, in order of position."""
    out: list[Entity] = []
    if not text:
        return out
    taken: list[Span] = []
    if "." in text and _URL_HINT_RE.search(text):
        _urls(text, out, taken)
    has_digit = _HAS_DIGIT.search(text) is not None
    if has_digit:
        _accounts(text, out, taken)
        _numbers(text, out, taken)
        if "微信同号" in text or "同微信" in text:
            _accounts_same_as_phone(text, out)
    elif "支付宝" in text:
        _accounts(text, out, taken)
    _amounts(text, out)
    _keywords(text, out)
    if "码" in text:
        _code_requests(text, out)
    if len(out) > 1:
        out.sort(key=lambda e: (e.span.start, -e.span.end))
    return out


def _accounts_same_as_phone(text: str, out: list[Entity]) -> None:
    if any(e.kind == "wechat" for e in out):
        return
    mob = next((e for e in out if e.kind == "mobile"), None)
    if mob is not None:
        out.append(Entity("wechat", mob.value, mob.span, {"via": "same_as_phone"}))


def extract(n: Normalised) -> list[Entity]:
    """Entities of a normalised item; spans index n.text."""
    if n.entities is not None:
        return list(n.entities)
    return find_entities(n.text)
