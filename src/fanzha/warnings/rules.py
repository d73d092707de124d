"""Editing the grading rules: preview how many open warnings would change grade, save audited, regrade."""

from __future__ import annotations

import string
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.forms.models import model_to_dict

from fanzha.audit.services import audit_record
from fanzha.core import access
from fanzha.warnings import grading, sla
from fanzha.warnings.models import OPEN_STATUSES, EventKind, Grade, GradingRule, Warning
from fanzha.warnings.services import event_add

# What a rule matches on; with its name, place, grade and reason, the fields the form edits.
CONDITION_FIELDS = [
    "fraud_types",
    "sources",
    "pushed_levels",
    "min_age",
    "max_age",
    "min_amount",
    "min_calls",
    "min_callbacks",
    "transfer_in_progress",
]
RULE_FIELDS = ["name", "enabled", "position", "grade", "reason", *CONDITION_FIELDS]
AGE_LIMIT = 150
CHUNK = 2000
# A placeholder with a value only on the warnings a condition picks (age, amount, the sender's level are
# often unknown): on a rule without that condition, the reason read “推送方预警级别：” and nothing.
PLACEHOLDER_CONDITIONS = {
    "age": (("min_age", "max_age"), "最低年龄或最高年龄"),
    "amount": (("min_amount",), "最低涉案金额"),
    "level": (("pushed_levels",), "推送方预警级别"),
}
# “不少于 0 次” holds for every warning: no condition on its own.
ALWAYS_HOLDS = {"min_calls": 0, "min_callbacks": 0}


def _conditions(rule: GradingRule) -> tuple[object, ...]:
    """What the rule matches on, comparable between rules (lists as sets, amounts as numbers)."""
    values = [getattr(rule, name) for name in CONDITION_FIELDS]
    for i in range(3):  # the lists: fraud types, sources, the sender's levels
        values[i] = frozenset(values[i] or [])
    return (*values, rule.grade)


def _problems(rule: GradingRule) -> dict[str, list[str]]:
    """What makes ``rule`` unusable, by field (checked before a preview and before saving)."""
    problems: dict[str, list[str]] = {}
    template = grading.template_problem(rule.reason or "") or _placeholder_problem(rule)
    if template:
        problems["reason"] = [template]
    for name, label in (("min_age", "最低年龄"), ("max_age", "最高年龄")):
        value = getattr(rule, name)
        if value is not None and not 0 <= value <= AGE_LIMIT:
            problems[name] = [f"{label}须在 0 至 {AGE_LIMIT} 岁之间（填写的是 {value}）"]
    if rule.min_age is not None and rule.max_age is not None and rule.min_age > rule.max_age:
        problems.setdefault("max_age", []).append(
            f"最高年龄 {rule.max_age} 小于最低年龄 {rule.min_age}，这条规则不会命中任何预警"
        )
    if not any(_sets(rule, name) for name in CONDITION_FIELDS):
        problems.setdefault("__all__", []).append(
            "请至少设置一个条件（诈骗类型、来源、推送方预警级别、年龄、金额、呼叫或回拨次数、正在转账）："
            "没有条件的规则会给每一条预警定级（“不少于 0 次”对每条预警都成立，不算条件）"
        )
    same = GradingRule.objects.exclude(pk=rule.pk) if rule.pk else GradingRule.objects.all()
    twin = next((other for other in same if _conditions(other) == _conditions(rule)), None)
    if twin is not None:
        state = "" if twin.enabled else "（已停用）"
        problems.setdefault("__all__", []).append(
            f"与规则“{twin.name}”{state}的条件和等级完全相同；请修改那条规则，不要重复添加"
        )
    return problems


def _sets(rule: GradingRule, name: str) -> bool:
    """The rule sets condition ``name`` to something some warning fails."""
    value = getattr(rule, name)
    return value not in (None, [], "") and ALWAYS_HOLDS.get(name, -1) != value


def _placeholder_problem(rule: GradingRule) -> str | None:
    """A placeholder the rule's conditions give no value for sure (``{level}`` without 推送方预警级别)."""
    used = {name for _, name, _, _ in string.Formatter().parse(rule.reason or "") if name}
    for name, (fields, label) in PLACEHOLDER_CONDITIONS.items():
        if name in used and not any(_sets(rule, field) for field in fields):
            return (
                f"理由模板中的“{{{name}}}”只在规则设置了“{label}”条件时才有值（否则理由中这里是空的）；"
                "请设置该条件，或删去这个占位符"
            )
    return None


def rule_check(rule: GradingRule) -> None:
    """Raise a ValidationError naming each field that makes ``rule`` unusable."""
    problems = _problems(rule)
    if problems:
        raise ValidationError(problems)


def _with(candidate: GradingRule | None, removed: int | None = None) -> list[GradingRule]:
    """The enabled rules as they would be with ``candidate`` saved (or rule ``removed`` deleted)."""
    rules = [r for r in GradingRule.objects.order_by("position", "id") if r.pk not in (removed, None)]
    if candidate is not None:
        rules = [r for r in rules if r.pk != candidate.pk] + [candidate]
    # a new rule (no id yet) comes last of its position, as its id will once saved
    return sorted((r for r in rules if r.enabled), key=lambda r: (r.position, r.pk is None, r.pk or 0))


def _open_regrades(
    rules: list[GradingRule], locked: bool = False
) -> list[tuple[Warning, grading.GradeResult]]:
    """The open warnings ``rules`` would regrade, with their new grading. ``locked``: held to the
    commit (:data:`sla.HELD`), for a regrade that writes them."""
    changes = []
    qs = (sla.HELD if locked else Warning.objects).filter(status__in=OPEN_STATUSES).only(*sla.REGRADE_FIELDS)
    for warning in qs.iterator(chunk_size=CHUNK):
        result = grading.grade(
            rules, grading.Facts.of(warning.fraud_type, warning.source, warning.amount, warning.facts)
        )
        if result.grade != warning.grade or result.reasons != warning.grade_reasons:
            changes.append((warning, result))
    return changes


def preview(*, actor: Any, candidate: GradingRule | None, removed: int | None = None) -> dict[str, int]:
    """How many open warnings the change would regrade (grade changes) or re-reason (reasons only)."""
    access.require_shared_rules(actor)
    if candidate is not None:
        rule_check(candidate)
    changes = _open_regrades(_with(candidate, removed))
    regraded = sum(1 for w, r in changes if r.grade != w.grade)
    return {"regraded": regraded, "reasons_only": len(changes) - regraded}


def _label(grade: str) -> str:
    return str(dict(Grade.choices).get(grade, grade))


def _regrade_line(before: str, result: grading.GradeResult) -> str:
    """“定级规则修改后重新定级：中 → 紧急；理由…”."""
    return f"定级规则修改后重新定级：{_label(before)} → {_label(result.grade)}；" + "；".join(result.reasons)


def _plain(value: Any) -> Any:
    """A rule's field value as the audit record keeps it (JSON: amounts as text)."""
    return str(value) if isinstance(value, Decimal) else value


def _values(rule: dict[str, Any], fields: list[str]) -> dict[str, Any]:
    return {name: _plain(rule.get(name)) for name in fields}


def _regrade_all(actor: Any) -> int:
    changes = _open_regrades(grading.active_rules(), locked=True)
    for warning, result in changes:
        before = warning.grade
        warning.grade, warning.grade_reasons = result.grade, result.reasons
        fields = ["grade", "grade_reasons"]
        if before != result.grade:
            fields += sla.regrade_deadlines(warning, result.grade)  # on the clock now running
            event_add(
                warning,
                EventKind.GRADED,
                _regrade_line(before, result),
                actor=actor,
                data={"grade_before": before, "grade": result.grade},
            )
        Warning.objects.filter(pk=warning.pk).update(**{f: getattr(warning, f) for f in fields})
    return sum(1 for _ in changes)


def _locked(rule: GradingRule) -> GradingRule:
    """The rule as saved, its row locked to the commit (the audit's values before)."""
    return GradingRule.objects.select_for_update().get(pk=rule.pk)


@transaction.atomic
def grading_rule_save(*, actor: Any, rule: GradingRule) -> tuple[GradingRule, int]:
    """Create or change a rule (audited, naming the changed fields), then regrade the open warnings."""
    access.require_shared_rules(actor)
    before = model_to_dict(_locked(rule)) if rule.pk else {}
    after = model_to_dict(rule)
    changed = [f for f in RULE_FIELDS if before.get(f) != after.get(f)]
    rule.full_clean()
    rule_check(rule)
    rule.save()
    regraded = _regrade_all(actor)
    audit_record(
        actor=actor,
        action="warning.grading_rule",
        obj=rule,
        fields=changed,
        details={
            "op": "update" if before else "create",
            "before": _values(before, changed) if before else {},
            "after": _values(after, changed),
            "open_warnings_updated": regraded,
        },
    )
    return rule, regraded


@transaction.atomic
def grading_rule_delete(*, actor: Any, rule: GradingRule) -> int:
    access.require_shared_rules(actor)
    before = _values(model_to_dict(_locked(rule)), RULE_FIELDS)
    audit_record(
        actor=actor, action="warning.grading_rule", obj=rule, details={"op": "delete", "before": before}
    )
    rule.delete()
    return _regrade_all(actor)
