"""Grading: the centre's rules (GradingRule rows) applied to a warning's facts, every reason listed."""

from __future__ import annotations

import string
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any

from fanzha.warnings import typology
from fanzha.warnings.intake import source_label
from fanzha.warnings.models import Grade, GradingRule, grade_rank

DEFAULT_REASON = "未命中定级规则，按默认等级“低”处理"


@dataclass(frozen=True)
class Facts:
    fraud_type: str
    source: str
    amount: Decimal | None
    age: int | None
    calls: int
    callbacks: int
    transfer: bool | None  # None: nobody said (a rule on 正在转账 否 does not match it)
    level: str = ""  # the sender's own level, as a grade (levels.read_level), "" when it gave none

    @classmethod
    def of(cls, fraud_type: str, source: str, amount: Decimal | None, facts: dict[str, Any]) -> Facts:
        return cls(
            fraud_type=fraud_type or "",
            source=source,
            amount=amount,
            age=facts.get("age"),
            calls=int(facts.get("calls") or 0),
            callbacks=int(facts.get("callbacks") or 0),
            transfer=transfer_fact(facts.get("transfer")),
            level=facts.get("level") or "",
        )


def transfer_fact(value: Any) -> bool | None:
    """A warning's stored 正在转账 as the rules read it: True, False, or None (unknown)."""
    return None if value is None else bool(value)


@dataclass(frozen=True)
class GradeResult:
    grade: str
    reasons: list[str]


def _at_least(value: Any, minimum: Any) -> bool:
    return minimum is None or (value is not None and value >= minimum)


def matches(rule: GradingRule, facts: Facts) -> bool:
    """Every condition the rule sets holds (unset conditions are ignored)."""
    if rule.fraud_types and facts.fraud_type not in rule.fraud_types:
        return False
    if rule.sources and facts.source not in rule.sources:
        return False
    if rule.pushed_levels and facts.level not in rule.pushed_levels:
        return False
    if rule.max_age is not None and (facts.age is None or facts.age > rule.max_age):
        return False
    if rule.transfer_in_progress is not None and facts.transfer != rule.transfer_in_progress:
        return False
    return (
        _at_least(facts.age, rule.min_age)
        and _at_least(facts.amount, rule.min_amount)
        and _at_least(facts.calls, rule.min_calls)
        and _at_least(facts.callbacks, rule.min_callbacks)
    )


PLACEHOLDERS = ("age", "amount", "calls", "callbacks", "type", "source", "level")


@lru_cache(maxsize=256)
def template_problem(text: str) -> str | None:
    """Why ``text`` cannot be a reason template, or None: only the placeholders ``{age}`` … ``{source}``
    as they are (no index, attribute, conversion or format: ``{age[0]}`` failed every warning the rule
    matched, ``{type.upper}`` wrote out a Python object, ``{calls:>99999}`` padded to 99,999 characters);
    literal braces are doubled (``{{`` ``}}``), so a pattern like ``\\d{3}`` is refused, not shown raw."""
    allowed = "、".join("{" + name + "}" for name in PLACEHOLDERS)
    try:
        parts = list(string.Formatter().parse(text))
    except ValueError:
        return f"理由模板中的花括号不成对；可用的占位符：{allowed}，花括号本身请写成 {{{{ 和 }}}}"
    for _, name, spec, conversion in parts:
        if name is None:
            continue
        if name not in PLACEHOLDERS or spec or conversion:
            shown = "{" + name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}"
            return f"理由模板中的“{shown}”无法识别；可用的占位符：{allowed}，花括号本身请写成 {{{{ 和 }}}}"
    return None


def amount_text(amount: Decimal | None) -> str:
    """``{amount}`` as the pages write amounts (``yuan``): ``50,000``, ``49,999.60`` (fen only when there
    are some; rounded to whole yuan, an amount just under a rule's threshold read as the threshold)."""
    if amount is None:
        return ""
    return f"{amount:,.0f}" if amount == amount.to_integral_value() else f"{amount:,.2f}"


def reason_text(rule: GradingRule, facts: Facts) -> str:
    values = {
        "age": facts.age if facts.age is not None else "",
        "amount": amount_text(facts.amount),
        "calls": facts.calls,
        "callbacks": facts.callbacks,
        "type": typology.label(facts.fraud_type) if facts.fraud_type else "",
        "source": source_label(facts.source),
        "level": Grade(facts.level).label if facts.level else "",
    }
    if template_problem(rule.reason) is not None:  # saved before templates were checked
        return rule.reason
    return rule.reason.format_map(values)


def grade(rules: Iterable[GradingRule], facts: Facts) -> GradeResult:
    """The most urgent grade of the matching rules, with each matching rule's reason."""
    found = Grade.LOW
    reasons: list[str] = []
    for rule in rules:
        if not rule.enabled or not matches(rule, facts):
            continue
        if grade_rank(rule.grade) < grade_rank(found):
            found = Grade(rule.grade)
        _add_reason(reasons, reason_text(rule, facts))
    return GradeResult(str(found), reasons or [DEFAULT_REASON])


def _add_reason(reasons: list[str], text: str) -> None:
    """``text`` once, and not beside a reason that says it already ("被诈骗号码呼叫 5 次" is part of
    "被诈骗号码呼叫 5 次，回拨 2 次": the longer one stays, in the place of the first)."""
    if any(text in reason for reason in reasons):
        return
    shorter = [i for i, reason in enumerate(reasons) if reason in text]
    if shorter:
        reasons[shorter[0]] = text
        reasons[:] = [r for i, r in enumerate(reasons) if i not in shorter[1:]]
        return
    reasons.append(text)


def active_rules() -> list[GradingRule]:
    return list(GradingRule.objects.filter(enabled=True).order_by("position", "id"))
