"""The rule engine: weighted, named symbols from a reviewed data file (``data/rules.toml``).

In the style of a spam-scoring engine, every score is a sum of named hits a person can read:

* ``keywords`` — a set of literal terms. All terms of all symbols (and the prefilters of the
  patterns) go into ONE Aho-Corasick automaton, so a text is scanned once whatever the number of
  terms.
* ``pattern`` — a regular expression, run only when one of its literal ``prefilter`` terms was found
  by the automaton.
* ``entity`` — conditions on the extracted entities (kind, count, URL facts, brand look-alikes).
* ``combo`` — ``all_of`` / ``any_of`` / ``none_of`` other symbols.

A symbol of weight 0 is an *atom*: it is only a building block for combos and is never reported.
Matching is done on the lower-cased ``Normalised.text``; spans refer to ``Normalised.text``.
Django-free: imports only the standard library, ``ahocorasick_rs`` and ``fanzha.screening.types``.
"""

from __future__ import annotations

import ipaddress
import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from ahocorasick_rs import AhoCorasick, Implementation

from fanzha.screening.types import Entity, Hit, Normalised, Span
from fanzha.screening.typology import load_typology

KINDS = ("keywords", "pattern", "entity", "combo")
NAME_RE = re.compile(r"^[A-Z][A-Z0-9_]*$")
MAX_SPANS = 8  # evidence spans kept per hit
_COMMON_KEYS = {"name", "kind", "weight", "category", "explanation"}
_KIND_KEYS = {
    "keywords": {"terms", "min_terms"},
    "pattern": {"regex", "prefilter"},
    "entity": {"entity", "min_count", "detail", "tld_in", "value_endswith", "brand_lookalike"},
    "combo": {"all_of", "any_of", "none_of", "min_any"},
}


class RulesError(ValueError):
    """The rules file is not valid; the message names the symbol and what is wrong."""


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Suggested point thresholds for the levels (the engine's blender may calibrate its own)."""

    low: float = 2.0
    medium: float = 4.0
    high: float = 7.0

    def level(self, pts: float) -> str:
        if pts >= self.high:
            return "high"
        if pts >= self.medium:
            return "medium"
        return "low" if pts >= self.low else "none"


@dataclass(frozen=True, slots=True)
class Brand:
    name: str
    tokens: tuple[str, ...]  # ASCII pieces of a host that point to the brand (e.g. "icbc")
    domains: tuple[str, ...]  # the brand's own registrable domains


@dataclass(slots=True)
class Symbol:
    name: str
    kind: str
    weight: float
    category: str
    explanation: str
    index: int = 0
    terms: tuple[str, ...] = ()  # keywords terms, or pattern prefilter
    min_terms: int = 1
    regex: re.Pattern[str] | None = None
    entity_kinds: frozenset[str] = frozenset()
    min_count: int = 1
    detail: tuple[tuple[str, str], ...] = ()
    tld_in: frozenset[str] = frozenset()
    value_endswith: tuple[str, ...] = ()
    brand_lookalike: bool = False
    all_of: tuple[int, ...] = ()
    any_of: tuple[int, ...] = ()
    none_of: tuple[int, ...] = ()
    min_any: int = 0
    refs: dict[str, tuple[str, ...]] = field(default_factory=dict)  # names, resolved after loading


# ── loading ──────────────────────────────────────────────────────────────


def _err(symbol: str, message: str) -> RulesError:
    return RulesError(f"规则文件有误：符号 {symbol}：{message}")


def _str_list(raw: Mapping[str, Any], key: str, name: str) -> tuple[str, ...]:
    value = raw.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise _err(name, f"{key} 必须是非空文字的列表")
    return tuple(value)


def _number(raw: Mapping[str, Any], key: str, name: str, default: float) -> float:
    value = raw.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _err(name, f"{key} 必须是数字")
    return float(value)


def _parse_common(raw: Mapping[str, Any], index: int, categories: set[str]) -> Symbol:
    name = raw.get("name")
    if not isinstance(name, str) or not NAME_RE.match(name):
        raise RulesError(
            f"规则文件有误：第 {index + 1} 个符号的 name {name!r} 不是大写下划线形式（如 SAFE_ACCOUNT）"
        )
    kind = raw.get("kind")
    if kind not in KINDS:
        raise _err(name, f"未知的 kind {kind!r}（可选：{'、'.join(KINDS)}）")
    unknown = set(raw) - _COMMON_KEYS - _KIND_KEYS[kind]
    if unknown:
        raise _err(name, f"kind={kind} 不认识的字段：{'、'.join(sorted(unknown))}")
    category = raw.get("category", "")
    if not isinstance(category, str) or (category and category not in categories):
        raise _err(name, f"未知的类型代码 category={category!r}（见 typology.toml）")
    explanation = raw.get("explanation", "")
    weight = _number(raw, "weight", name, 0.0)
    if not isinstance(explanation, str) or (weight != 0 and not explanation.strip()):
        raise _err(name, "缺少 explanation（给人看的中文说明）")
    return Symbol(name, kind, weight, category, explanation.strip(), index=index)


def _parse_keywords(sym: Symbol, raw: Mapping[str, Any]) -> None:
    terms = tuple(t.lower() for t in _str_list(raw, "terms", sym.name))
    if not terms:
        raise _err(sym.name, "keywords 符号至少要有一个 terms")
    sym.terms = terms
    sym.min_terms = int(_number(raw, "min_terms", sym.name, 1))
    if not 1 <= sym.min_terms <= len(set(terms)):
        raise _err(sym.name, "min_terms 必须在 1 和不同 terms 的个数之间")


def _parse_pattern(sym: Symbol, raw: Mapping[str, Any]) -> None:
    source = raw.get("regex")
    if not isinstance(source, str) or not source:
        raise _err(sym.name, "pattern 符号缺少 regex")
    try:
        sym.regex = re.compile(source)
    except re.error as exc:
        raise _err(sym.name, f"正则表达式无效：{exc}") from None
    sym.terms = tuple(t.lower() for t in _str_list(raw, "prefilter", sym.name))
    if not sym.terms:
        raise _err(sym.name, "pattern 符号必须有 prefilter（正则能匹配时文本里必定出现的字面词）")


def _parse_entity(sym: Symbol, raw: Mapping[str, Any]) -> None:
    kinds = _str_list(raw, "entity", sym.name)
    if not kinds:
        raise _err(sym.name, "entity 符号缺少 entity（实体种类）")
    sym.entity_kinds = frozenset(kinds)
    sym.min_count = int(_number(raw, "min_count", sym.name, 1))
    detail = raw.get("detail", {})
    if not isinstance(detail, dict) or not all(isinstance(v, str) for v in detail.values()):
        raise _err(sym.name, 'detail 必须是 {键 = "文字"} 的表')
    sym.detail = tuple(sorted((str(k), _BOOL.get(str(v), str(v))) for k, v in detail.items()))
    sym.tld_in = frozenset(t.lower().lstrip(".") for t in _str_list(raw, "tld_in", sym.name))
    sym.value_endswith = tuple(v.lower() for v in _str_list(raw, "value_endswith", sym.name))
    sym.brand_lookalike = bool(raw.get("brand_lookalike", False))


def _parse_combo(sym: Symbol, raw: Mapping[str, Any]) -> None:
    for key in ("all_of", "any_of", "none_of"):
        sym.refs[key] = _str_list(raw, key, sym.name)
    if not sym.refs["all_of"] and not sym.refs["any_of"]:
        raise _err(sym.name, "combo 符号至少要有 all_of 或 any_of")
    default_any = 1 if sym.refs["any_of"] else 0
    sym.min_any = int(_number(raw, "min_any", sym.name, default_any))
    if sym.min_any > len(sym.refs["any_of"]):
        raise _err(sym.name, "min_any 大于 any_of 的个数")


_PARSERS = {
    "keywords": _parse_keywords,
    "pattern": _parse_pattern,
    "entity": _parse_entity,
    "combo": _parse_combo,
}


def _parse_brands(raw: object) -> tuple[Brand, ...]:
    if not isinstance(raw, dict):
        raise RulesError("规则文件有误：[brands] 必须是表")
    brands = []
    for name, spec in raw.items():
        if not isinstance(spec, dict):
            raise RulesError(f"规则文件有误：品牌 {name} 必须是表")
        tokens = tuple(t.lower() for t in _str_list(spec, "tokens", f"brands.{name}"))
        domains = tuple(d.lower() for d in _str_list(spec, "domains", f"brands.{name}"))
        brands.append(Brand(name, tokens, domains))
    return tuple(brands)


def _resolve_combos(symbols: list[Symbol]) -> list[int]:
    """Turn combo references into indices; return the combos in dependency order."""
    by_name = {s.name: s.index for s in symbols}
    for sym in symbols:
        for key, names in sym.refs.items():
            for ref in names:
                if ref not in by_name:
                    raise _err(sym.name, f"{key} 引用了不存在的符号 {ref}")
                if ref == sym.name:
                    raise _err(sym.name, "combo 不能引用自己")
        if sym.kind == "combo":
            sym.all_of = tuple(by_name[r] for r in sym.refs["all_of"])
            sym.any_of = tuple(by_name[r] for r in sym.refs["any_of"])
            sym.none_of = tuple(by_name[r] for r in sym.refs["none_of"])
    order: list[int] = []
    state: dict[int, int] = {}  # 1 visiting, 2 done

    def visit(i: int, path: tuple[str, ...]) -> None:
        if state.get(i) == 2:
            return
        if state.get(i) == 1:
            raise _err(symbols[i].name, f"combo 循环引用：{' → '.join((*path, symbols[i].name))}")
        state[i] = 1
        sym = symbols[i]
        for j in (*sym.all_of, *sym.any_of, *sym.none_of):
            if symbols[j].kind == "combo":
                visit(j, (*path, sym.name))
        state[i] = 2
        order.append(i)

    for sym in symbols:
        if sym.kind == "combo":
            visit(sym.index, ())
    return order


def parse_rules(data: Mapping[str, Any], source: str = "rules.toml") -> RuleSet:
    """Check and compile a parsed rules file; raise RulesError naming the bad symbol."""
    raw_symbols = data.get("symbol")
    if not isinstance(raw_symbols, list) or not raw_symbols:
        raise RulesError(f"规则文件 {source} 没有任何 [[symbol]]")
    categories = set(load_typology().codes())
    symbols: list[Symbol] = []
    seen: set[str] = set()
    for index, raw in enumerate(raw_symbols):
        if not isinstance(raw, dict):
            raise RulesError(f"规则文件有误：第 {index + 1} 个符号不是表")
        sym = _parse_common(raw, index, categories)
        if sym.name in seen:
            raise _err(sym.name, "名称重复")
        seen.add(sym.name)
        _PARSERS[sym.kind](sym, raw)
        symbols.append(sym)
    combo_order = _resolve_combos(symbols)
    th = data.get("thresholds", {})
    thresholds = Thresholds(
        low=_number(th, "low", "thresholds", 2.0),
        medium=_number(th, "medium", "thresholds", 4.0),
        high=_number(th, "high", "thresholds", 7.0),
    )
    lists = data.get("lists", {})
    shorteners = frozenset(d.lower() for d in _str_list(lists, "shorteners", "lists"))
    brands = _parse_brands(data.get("brands", {}))
    return RuleSet(symbols, combo_order, thresholds, brands, shorteners)


def read_rules(path: Path | str) -> RuleSet:
    path = Path(path)
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise RulesError(f"规则文件 {path.name} 不是有效的 TOML：{exc}") from None
    return parse_rules(data, path.name)


@lru_cache(maxsize=1)
def _default_rules() -> RuleSet:
    source = resources.files("fanzha.screening").joinpath("data/rules.toml")
    try:
        data = tomllib.loads(source.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise RulesError(f"规则文件 rules.toml 不是有效的 TOML：{exc}") from None
    return parse_rules(data)


def load_rules(path: Path | str | None = None) -> RuleSet:
    """The default rules (loaded once), or the rules in ``path``."""
    return _default_rules() if path is None else read_rules(path)


# ── URL facts ────────────────────────────────────────────────────────────

_HOST_RE = re.compile(r"^(?:[a-z][a-z0-9+.-]*://)?(?:[^@/?#]*@)?([^/:?#]+)")
_SLD = {"com", "net", "org", "gov", "edu", "ac", "co"}
_BOOL = {"1": "true", "0": "false", "True": "true", "False": "false", "yes": "true", "no": "false"}


def url_facts(entity: Entity, shorteners: frozenset[str]) -> dict[str, str]:
    """host, domain, tld, is_ip, is_shortener: from the extractor's detail, else derived here."""
    facts = dict(entity.detail)
    match = _HOST_RE.match(entity.value.lower())
    host = facts.get("host") or (match.group(1) if match else "")
    facts["host"] = host.rstrip(".")
    if "domain" not in facts:
        labels = facts["host"].split(".")
        keep = 3 if len(labels) >= 3 and labels[-2] in _SLD and len(labels[-1]) == 2 else 2
        facts["domain"] = ".".join(labels[-keep:])
    if "is_ip" not in facts:
        try:
            ipaddress.ip_address(facts["host"].strip("[]"))
            facts["is_ip"] = "true"
        except ValueError:
            facts["is_ip"] = "false"
    facts.setdefault("tld", facts["host"].rsplit(".", 1)[-1] if "." in facts["host"] else "")
    if "is_shortener" not in facts:
        facts["is_shortener"] = "true" if facts["domain"] in shorteners else "false"
    return {k: _BOOL.get(v, v) for k, v in facts.items()}


def _lookalike(facts: Mapping[str, str], brands: Sequence[Brand]) -> bool:
    host, domain = facts.get("host", ""), facts.get("domain", "")
    parts = set(re.split(r"[.\-_]", host))
    for brand in brands:
        if domain in brand.domains or any(host.endswith("." + d) for d in brand.domains):
            continue
        for token in brand.tokens:
            if token in parts or (len(token) >= 5 and token in host):
                return True
    return False


# ── matching ─────────────────────────────────────────────────────────────
#
# Symbols are numbered by their position in the file and a set of fired symbols is a Python int used
# as a bitset (bit i = symbol i). A text costs one automaton pass (ahocorasick_rs DFA, overlapping
# matches in the order pyahocorasick reported them: by end, longest first), a few ``|=`` per match,
# the regexes whose prefilter matched, the entity conditions when there are entities, and the combos,
# which depend only on the set of fired base symbols and so are memoised per bitset. Spans are built
# only for the reported (weighted) symbols.

_Match = tuple[int, int, int]  # (term index, start, end) in the lowered text
_SURROGATES_RE = re.compile("[\ud800-\udfff]")
_SPAN_CACHE: dict[tuple[int, int], Span] = {}
_CACHE_MAX = 65_536
_HIT_CACHE_MAX = 16_384


def _bits(mask: int) -> list[int]:
    """The indices of the set bits of ``mask``, ascending."""
    out = []
    while mask:
        low = mask & -mask
        out.append(low.bit_length() - 1)
        mask ^= low
    return out


def _mask(ids: Iterable[int]) -> int:
    return sum(1 << j for j in set(ids))


def _span(pair: tuple[int, int]) -> Span:
    span = _SPAN_CACHE.get(pair)
    if span is None:
        if len(_SPAN_CACHE) >= _CACHE_MAX:
            _SPAN_CACHE.clear()
        span = _SPAN_CACHE[pair] = Span(*pair)
    return span


@dataclass(frozen=True, slots=True)
class _Combo:
    bit: int
    all_of: int
    any_of: int
    none_of: int
    min_any: int
    any_list: tuple[int, ...]  # for any_of lists naming a symbol twice (counted twice)
    dependents: int  # combos triggered by this one, as a bitset over dependency ranks
    reach: int  # every symbol its evidence can come from (members, members of member combos, ...)


_SpanLists = dict[int, list[tuple[int, int]]]
# What fired in one text: the bitset, the automaton matches, and the spans of the fired symbols whose
# evidence is not a keyword match (patterns and entity conditions).
_Fired = tuple[int, list[_Match], _SpanLists]


class RuleSet:
    """Compiled rules: one automaton for every literal, patterns gated by prefilters, combos in order."""

    def __init__(
        self,
        symbols: list[Symbol],
        combo_order: list[int],
        thresholds: Thresholds,
        brands: tuple[Brand, ...] = (),
        shorteners: frozenset[str] = frozenset(),
    ) -> None:
        self.symbols = symbols
        self.thresholds = thresholds
        self.brands = brands
        self.shorteners = shorteners
        self._by_name = {s.name: s for s in symbols}
        self._entity_syms = [s for s in symbols if s.kind == "entity"]
        self._entity_kinds = frozenset().union(*(s.entity_kinds for s in self._entity_syms))
        self._rank = {i: r for r, i in enumerate(combo_order)}
        self._compile_combos(combo_order)
        self._reach = {i: self._combos[r].reach for i, r in self._rank.items()}
        self._combo_cache: dict[int, int] = {}
        self._leaf_cache: dict[tuple[int, int], tuple[frozenset[int], tuple[int, ...]]] = {}
        self._terms_cache: dict[int, frozenset[int]] = {}
        self._hit_cache: dict[tuple[int, tuple[tuple[int, int], ...]], Hit] = {}
        self._order_cache: dict[int, list[int]] = {}  # fired weighted combos -> dependency order
        self._kinds = [s.kind for s in symbols]
        self._weighted = sum(1 << s.index for s in symbols if s.weight)
        self._weighted_combos = sum(1 << i for i in combo_order if symbols[i].weight)
        self._weighted_entities = sum(1 << s.index for s in self._entity_syms if s.weight)
        self._build_automaton()

    def _triggers(self, combo: Symbol) -> set[int]:
        """The members whose firing makes a combo worth checking: its most specific required
        member (fewest terms) when it has one, else every ``any_of`` member."""
        if not combo.all_of:
            return set(combo.any_of)

        def breadth(j: int) -> int:
            sym = self.symbols[j]
            if sym.kind == "combo":
                return 1_000_000
            return 100_000 if sym.kind == "entity" else len(sym.terms)

        return {min(combo.all_of, key=breadth)}

    def _compile_combos(self, combo_order: list[int]) -> None:
        """Combos as bitsets, in dependency order; ``_triggered[j]`` is the set of combos (as a bitset
        over their ranks) that symbol j triggers (see _triggers)."""
        symbols, rank = self.symbols, self._rank
        triggered: dict[int, int] = {}
        for i in combo_order:
            for j in self._triggers(symbols[i]):
                triggered[j] = triggered.get(j, 0) | 1 << rank[i]
        self._triggered = triggered
        self._trigger_mask = sum(1 << j for j in triggered)
        reach: dict[int, int] = {}
        self._combos = []
        for i in combo_order:  # members come first
            sym = symbols[i]
            reach[i] = 0
            for j in (*sym.all_of, *sym.any_of):
                reach[i] |= 1 << j | reach.get(j, 0)
            twice = len(set(sym.any_of)) != len(sym.any_of)
            self._combos.append(
                _Combo(
                    1 << i,
                    _mask(sym.all_of),
                    _mask(sym.any_of),
                    _mask(sym.none_of),
                    sym.min_any,
                    sym.any_of if twice else (),
                    triggered.get(i, 0),
                    reach[i],
                )
            )

    def _build_automaton(self) -> None:
        entries: dict[str, set[int]] = {}
        for sym in self.symbols:
            for term in sym.terms:
                entries.setdefault(term, set()).add(sym.index)
        terms = list(entries)
        self._automaton = AhoCorasick(terms, implementation=Implementation.DFA) if terms else None
        self._term_ids = [tuple(sorted(entries[t])) for t in terms]
        index = {t: p for p, t in enumerate(terms)}
        self._term_set = [frozenset(index[t] for t in s.terms) for s in self.symbols]
        # Keywords symbols needing one term fire from the match alone; the others (patterns, keywords
        # with min_terms > 1) are candidates checked after the scan.
        simple = {s.index for s in self.symbols if s.kind == "keywords" and s.min_terms == 1}
        self._term_simple = [sum(1 << i for i in entries[t] if i in simple) for t in terms]
        self._term_check = [sum(1 << i for i in entries[t] if i not in simple) for t in terms]

    def __getstate__(self) -> dict[str, Any]:
        """Pickle without the automaton (a Rust object) and the memo caches; both are rebuilt."""
        state = dict(self.__dict__)
        del state["_automaton"]
        for name in ("_combo_cache", "_leaf_cache", "_terms_cache", "_hit_cache", "_order_cache"):
            state[name] = {}
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._build_automaton()

    def __len__(self) -> int:
        return len(self.symbols)

    def symbol(self, name: str) -> Symbol:
        return self._by_name[name]

    def names(self) -> list[str]:
        return [s.name for s in self.symbols]

    def level(self, pts: float) -> str:
        return self.thresholds.level(pts)

    def match(self, n: Normalised, entities: Sequence[Entity] = ()) -> list[Hit]:
        """The hits of one normalised text (atoms of weight 0 are not reported)."""
        mask, matches, spans = self._fire(n.text, entities)
        report = mask & self._weighted
        if not report:
            return []
        kinds, hits, cache = self._kinds, [], self._hit_cache
        for i in self._report_order(report, matches):
            kind = kinds[i]
            if kind == "keywords":
                rel = self._term_set[i]
                pairs = [(s, e) for p, s, e in matches if p in rel]
            elif kind == "combo":
                pairs = self._combo_spans(i, mask, matches, spans)
            else:
                pairs = spans[i]
            evidence = tuple(pairs) if len(pairs) <= MAX_SPANS else tuple(pairs[:MAX_SPANS])
            hit = cache.get((i, evidence))  # the common case of self._hit() without the call
            hits.append(hit if hit is not None else self._hit(i, evidence))
        return hits

    def _hit(self, i: int, pairs: tuple[tuple[int, int], ...]) -> Hit:
        """The Hit of symbol i with this evidence (immutable, so shared; memoised, bounded)."""
        key = (i, pairs)
        hit = self._hit_cache.get(key)
        if hit is None:
            sym = self.symbols[i]
            hit = Hit(sym.name, sym.weight, sym.category, sym.explanation, tuple(map(_span, pairs)))
            if len(self._hit_cache) >= _HIT_CACHE_MAX:
                self._hit_cache.clear()
            self._hit_cache[key] = hit
        return hit

    def _report_order(self, report: int, matches: list[_Match]) -> list[int]:
        """Keywords and patterns in the order their first term was found (ties by file order), then
        entity conditions in file order, then combos in dependency order."""
        if report.bit_count() == 1:
            return [report.bit_length() - 1]
        combos = report & self._weighted_combos
        entities = report & self._weighted_entities
        scanned = report ^ combos ^ entities
        order = []
        if scanned & (scanned - 1):  # several: by first match
            want, term_ids = scanned, self._term_ids  # bits still to place
            for p, _, _ in matches:
                for i in term_ids[p]:
                    if want >> i & 1:
                        order.append(i)
                        want ^= 1 << i
                if not want:
                    break
        elif scanned:
            order.append(scanned.bit_length() - 1)
        if entities:
            order += _bits(entities)
        if combos & (combos - 1):
            ranked = self._order_cache.get(combos)
            if ranked is None:
                ranked = sorted(_bits(combos), key=self._rank.__getitem__)
                if len(self._order_cache) >= _CACHE_MAX:
                    self._order_cache.clear()
                self._order_cache[combos] = ranked
            order += ranked
        elif combos:
            order.append(combos.bit_length() - 1)
        return order

    def _combo_spans(
        self, i: int, mask: int, matches: list[_Match], spans: _SpanLists
    ) -> list[tuple[int, int]]:
        """A fired combo's evidence: the spans of its fired members, through fired member combos."""
        rel, others = self._leaves(i, mask)
        pairs = [(s, e) for p, s, e in matches if p in rel] if rel else []
        if not others:
            return sorted(pairs)  # distinct already: one entry per automaton match
        for j in others:
            pairs.extend(spans[j])
        return sorted(set(pairs))

    def _leaves(self, i: int, mask: int) -> tuple[frozenset[int], tuple[int, ...]]:
        """The fired non-combo symbols a fired combo's evidence comes from (its fired ``all_of`` and
        ``any_of`` members, through the fired combos among them): the automaton terms of the keywords
        ones and the other ones. Memoised per combo and bitset."""
        key = (i, mask & self._reach[i])
        found = self._leaf_cache.get(key)
        if found is None:
            keywords, others, seen, stack = 0, [], 0, [i]
            while stack:
                sym = self.symbols[stack.pop()]
                for j in (*sym.all_of, *sym.any_of):
                    if not mask >> j & 1 or seen >> j & 1:
                        continue
                    seen |= 1 << j
                    kind = self._kinds[j]
                    if kind == "combo":
                        stack.append(j)
                    elif kind == "keywords":
                        keywords |= 1 << j
                    else:
                        others.append(j)
            found = (self._terms_of(keywords), tuple(sorted(others)))
            if len(self._leaf_cache) >= _CACHE_MAX:
                self._leaf_cache.clear()
            self._leaf_cache[key] = found
        return found

    def _terms_of(self, keywords: int) -> frozenset[int]:
        """The automaton term indices of a set of keywords symbols (shared between combos)."""
        terms = self._terms_cache.get(keywords)
        if terms is None:
            terms = frozenset().union(*(self._term_set[j] for j in _bits(keywords)))
            if len(self._terms_cache) >= 256:
                self._terms_cache.clear()
            self._terms_cache[keywords] = terms
        return terms

    def match_many(
        self, items: Iterable[Normalised], entities: Iterable[Sequence[Entity]] | None = None
    ) -> list[list[Hit]]:
        items = list(items)
        ents: list[Sequence[Entity]] = [()] * len(items) if entities is None else list(entities)
        if len(ents) != len(items):
            raise ValueError("match_many: texts and entity lists differ in length")
        return [self.match(n, e) for n, e in zip(items, ents, strict=True)]

    def _fire(self, text: str, entities: Sequence[Entity]) -> _Fired:
        lowered = text.lower()
        if len(lowered) != len(text):
            lowered = text  # rare characters change length when lower-cased: keep spans exact
        matches = self._scan(lowered)
        mask = check = 0
        simple, needs_check = self._term_simple, self._term_check
        for p, _, _ in matches:
            bits = simple[p]
            if bits:
                mask |= bits
            bits = needs_check[p]
            if bits:
                check |= bits
        spans: _SpanLists = {}
        if check:
            mask |= self._fire_checked(check, matches, lowered, spans)
        if entities:
            mask |= self._fire_entities(entities, spans)
        if mask:
            mask = self._fire_combos(mask)
        return mask, matches, spans

    def _scan(self, lowered: str) -> list[_Match]:
        if self._automaton is None:
            return []
        try:
            found: list[_Match] = self._automaton.find_matches_as_indexes(lowered, overlapping=True)
        except UnicodeEncodeError:  # lone surrogates: no term contains one, so mask them
            found = self._automaton.find_matches_as_indexes(
                _SURROGATES_RE.sub("\ufffd", lowered), overlapping=True
            )
        return found

    def _fire_checked(self, check: int, matches: list[_Match], lowered: str, spans: _SpanLists) -> int:
        """Patterns whose prefilter matched (the regex decides) and keywords needing several terms."""
        mask = 0
        for i in _bits(check):
            sym = self.symbols[i]
            if sym.regex is not None:
                found = [m.span() for m in sym.regex.finditer(lowered)]
                if found:
                    spans[i] = found
                    mask |= 1 << i
            else:
                rel = self._term_set[i]
                if len({p for p, _, _ in matches if p in rel}) >= sym.min_terms:
                    mask |= 1 << i
        return mask

    def _fire_entities(self, entities: Sequence[Entity], spans: _SpanLists) -> int:
        kinds = {e.kind for e in entities}
        if self._entity_kinds.isdisjoint(kinds):
            return 0
        mask = 0
        facts_cache: dict[int, dict[str, str]] = {}
        for sym in self._entity_syms:
            if not sym.entity_kinds & kinds:
                continue
            found = []
            for k, ent in enumerate(entities):
                if ent.kind in sym.entity_kinds and self._entity_ok(sym, ent, k, facts_cache):
                    found.append((ent.span.start, ent.span.end))
            if len(found) >= sym.min_count:
                spans[sym.index] = found
                mask |= 1 << sym.index
        return mask

    def _entity_ok(self, sym: Symbol, ent: Entity, k: int, cache: dict[int, dict[str, str]]) -> bool:
        if not (sym.detail or sym.tld_in or sym.brand_lookalike or sym.value_endswith):
            return True
        if ent.kind == "url":
            if k not in cache:
                cache[k] = url_facts(ent, self.shorteners)
            facts = cache[k]
        else:
            facts = {k: _BOOL.get(v, v) for k, v in ent.detail.items()}
        if any(facts.get(key) != want for key, want in sym.detail):
            return False
        if sym.tld_in and facts.get("tld", "") not in sym.tld_in:
            return False
        if sym.value_endswith:
            value = ent.value.lower().split("?", 1)[0].split("#", 1)[0]
            if not value.endswith(sym.value_endswith):
                return False
        return not sym.brand_lookalike or _lookalike(facts, self.brands)

    def _fire_combos(self, base: int) -> int:
        """The bitset with the fired combos added. A combo is checked once one of its triggers has
        fired, in dependency order (lowest rank first; a combo only triggers combos of higher rank).
        Depends only on ``base``, so the result is memoised."""
        cache = self._combo_cache
        mask = cache.get(base)
        if mask is not None:
            return mask
        mask, combos, triggered = base, self._combos, self._triggered
        todo = 0
        for j in _bits(base & self._trigger_mask):
            todo |= triggered[j]
        while todo:
            low = todo & -todo
            todo ^= low
            c = combos[low.bit_length() - 1]
            if mask & c.all_of != c.all_of or mask & c.none_of:
                continue
            any_list = c.any_list
            present = sum(mask >> j & 1 for j in any_list) if any_list else (mask & c.any_of).bit_count()
            if present >= c.min_any:
                mask |= c.bit
                todo |= c.dependents
        if len(cache) >= _CACHE_MAX:
            cache.clear()
        cache[base] = mask
        return mask


def points(hits: Iterable[Hit]) -> float:
    """The score in points: the sum of the hits' weights."""
    return float(sum(h.weight for h in hits))


def category_votes(hits: Iterable[Hit]) -> dict[str, float]:
    """Points per typology code. A ham symbol (negative weight) votes for its own category
    (advertising or normal) with the size of its weight; hits without a category do not vote."""
    votes: dict[str, float] = {}
    for h in hits:
        if h.category:
            votes[h.category] = votes.get(h.category, 0.0) + abs(h.weight)
    return votes
