"""The rule engine's matching internals: bitset combos, report order, evidence, memoised parts."""

from __future__ import annotations

import pickle
from typing import Any

from fanzha.screening.rules import MAX_SPANS, RuleSet, parse_rules
from fanzha.screening.types import Entity, Normalised, Span


def _kw(name: str, terms: list[str], weight: float = 1.0, **extra: Any) -> dict[str, Any]:
    return {"name": name, "kind": "keywords", "weight": weight, "terms": terms, "explanation": name, **extra}


def _combo(name: str, weight: float = 1.0, **refs: Any) -> dict[str, Any]:
    return {"name": name, "kind": "combo", "weight": weight, "explanation": name, **refs}


def _rules(*symbols: dict[str, Any]) -> RuleSet:
    return parse_rules({"symbol": list(symbols)})


def _n(text: str) -> Normalised:
    return Normalised(original=text, text=text, model_text=text)


def _found(rules: RuleSet, text: str, entities: list[Entity] | None = None) -> list[str]:
    return [h.symbol for h in rules.match(_n(text), entities or [])]


def test_it_reports_keywords_in_order_of_first_match_then_entities_then_combos() -> None:
    rules = _rules(
        _combo("BOTH", all_of=["A", "B"]),
        _kw("B", ["乙"]),
        _kw("A", ["甲"]),
        {"name": "URL", "kind": "entity", "weight": 1, "entity": ["url"], "explanation": "链接"},
        _combo("TOP", all_of=["BOTH", "URL"]),
    )
    url = Entity("url", "a.cn", Span(4, 8), {})
    assert _found(rules, "甲甲乙 a.cn", [url]) == ["A", "B", "URL", "BOTH", "TOP"]
    assert _found(rules, "乙甲", [url]) == ["B", "A", "URL", "BOTH", "TOP"]
    assert _found(rules, "乙甲") == ["B", "A", "BOTH"]


def test_it_orders_keywords_sharing_a_term_by_file_order() -> None:
    rules = _rules(_kw("SECOND", ["加微信", "群"]), _kw("FIRST", ["微信"]), _kw("OTHER", ["群"]))
    assert _found(rules, "群里加微信") == ["SECOND", "OTHER", "FIRST"]


def test_it_gathers_combo_evidence_through_fired_member_combos_only() -> None:
    rules = _rules(
        _kw("A", ["甲"], weight=0),
        _kw("B", ["乙"], weight=0),
        _kw("C", ["丙"], weight=0),
        _combo("AB", weight=0, all_of=["A", "B"]),
        _combo("TOP", any_of=["AB", "C"]),
    )
    hits = rules.match(_n("丙乙甲丙"), [])
    assert [h.symbol for h in hits] == ["TOP"]
    assert hits[0].spans == (Span(0, 1), Span(1, 2), Span(2, 3), Span(3, 4))
    only_b = rules.match(_n("乙丙"), [])  # AB did not fire: B's span is not evidence
    assert only_b[0].spans == (Span(1, 2),)


def test_it_keeps_at_most_max_spans_of_evidence() -> None:
    rules = _rules(_kw("A", ["甲"]))
    (hit,) = rules.match(_n("甲" * (MAX_SPANS + 3)), [])
    assert hit.spans == tuple(Span(k, k + 1) for k in range(MAX_SPANS))


def test_it_counts_distinct_terms_for_min_terms() -> None:
    rules = _rules(_kw("TWO", ["甲", "乙", "丙"], min_terms=2))
    assert _found(rules, "甲甲甲") == []
    hits = rules.match(_n("甲丙甲"), [])
    assert [h.symbol for h in hits] == ["TWO"]
    assert hits[0].spans == (Span(0, 1), Span(1, 2), Span(2, 3))


def test_it_checks_a_combo_only_when_one_of_its_members_fired() -> None:
    rules = _rules(
        _kw("A", ["甲"], weight=0), _kw("B", ["乙"]), _combo("NOT_B", any_of=["A"], none_of=["B"], min_any=0)
    )
    assert _found(rules, "丁") == []
    assert _found(rules, "甲") == ["NOT_B"]
    assert _found(rules, "甲乙") == ["B"]


def test_it_counts_an_any_of_member_named_twice_twice() -> None:
    rules = _rules(_kw("A", ["甲"], weight=0), _combo("TWICE", any_of=["A", "A"], min_any=2))
    assert _found(rules, "甲") == ["TWICE"]


def test_it_gives_the_same_hits_when_the_memoised_parts_are_reused() -> None:
    rules = _rules(_kw("A", ["甲"], weight=0), _kw("B", ["乙"], weight=0), _combo("AB", all_of=["A", "B"]))
    first = [rules.match(_n(t), []) for t in ("甲乙", "乙 甲", "甲", "甲乙")]
    again = [rules.match(_n(t), []) for t in ("甲乙", "乙 甲", "甲", "甲乙")]
    assert first == again
    assert [h.spans for h in first[1]] == [(Span(0, 1), Span(2, 3))]
    assert first[2] == []


def test_it_matches_texts_with_lone_surrogates_and_case_changing_letters() -> None:
    rules = _rules(_kw("A", ["微信"]), _kw("B", ["abc"]))
    hits = rules.match(_n("\ud800加微信"), [])
    assert [(h.symbol, h.spans) for h in hits] == [("A", (Span(2, 4),))]
    # "İ" grows when lower-cased, so the text is matched as written (spans stay exact)
    assert _found(rules, "İ abc 微信") == ["B", "A"]


def test_it_matches_a_rules_file_without_any_terms() -> None:
    rules = _rules({"name": "URL", "kind": "entity", "weight": 1, "entity": ["url"], "explanation": "链接"})
    assert _found(rules, "看 a.cn", [Entity("url", "a.cn", Span(2, 6), {})]) == ["URL"]
    assert _found(rules, "看") == []


def test_it_pickles_a_rule_set_for_worker_processes() -> None:
    rules = _rules(_kw("A", ["甲"], weight=0), _kw("B", ["乙"]), _combo("AB", all_of=["A", "B"]))
    rules.match(_n("甲乙"), [])
    copy = pickle.loads(pickle.dumps(rules))  # noqa: S301 - our own object
    assert [(h.symbol, h.spans) for h in copy.match(_n("乙甲"), [])] == [
        ("B", (Span(0, 1),)),
        ("AB", (Span(0, 1), Span(1, 2))),
    ]
