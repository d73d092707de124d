"""Editing the grading rules: preview how many open warnings would change grade, save audited, regrade."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.forms.models import model_to_dict

from fanzha.audit.services import audit_record
from fanzha.core import access
from fanzha.warnings import grading, sla
from fanzha.warnings.models import OPEN_STATUSES, EventKind, GradingRule, Warning
from fanzha.warnings.services import event_add

RULE_FIELDS = [
    "name",
    "enabled",
    "position",
    "grade",
    "reason",
    "fraud_types",
    "sources",
    "min_age",
    "max_age",
    "min_amount",
    "min_calls",
    "min_callbacks",
    "transfer_in_progress",
]
CHUNK = 2000


def _with(candidate: GradingRule | None, removed: int | None = None) -> list[GradingRule]:
    """The enabled rules as they would be with ``candidate`` saved (or rule ``removed`` deleted)."""
    rules = [r for r in GradingRule.objects.order_by("position", "id") if r.pk not in (removed, None)]
    if candidate is not None:
        rules = [r for r in rules if r.pk != candidate.pk] + [candidate]
    return sorted((r for r in rules if r.enabled), key=lambda r: (r.position, r.pk or 0))


def _open_regrades(rules: list[GradingRule]) -> list[tuple[Warning, grading.GradeResult]]:
    changes = []
    qs = Warning.objects.filter(status__in=OPEN_STATUSES).only(*sla.REGRADE_FIELDS)
    for warning in qs.iterator(chunk_size=CHUNK):
        result = grading.grade(
            rules, grading.Facts.of(warning.fraud_type, warning.source, warning.amount, warning.facts)
        )
        if result.grade != warning.grade or result.reasons != warning.grade_reasons:
            changes.append((warning, result))
    return changes


def preview(*, actor: Any, candidate: GradingRule | None, removed: int | None = None) -> dict[str, int]:
    """How many open warnings the change would regrade (grade changes) or re-reason (reasons only)."""
    access.require(actor, "warning.grade_rules")
    changes = _open_regrades(_with(candidate, removed))
    regraded = sum(1 for w, r in changes if r.grade != w.grade)
    return {"regraded": regraded, "reasons_only": len(changes) - regraded}


def _regrade_all(actor: Any) -> int:
    changes = _open_regrades(grading.active_rules())
    for warning, result in changes:
        before = warning.grade
        warning.grade, warning.grade_reasons = result.grade, result.reasons
        fields = ["grade", "grade_reasons"]
        if before != result.grade:
            fields += sla.regrade_deadlines(warning, result.grade)  # on the clock now running
            event_add(
                warning,
                EventKind.GRADED,
                "定级规则修改后重新定级：" + "；".join(result.reasons),
                actor=actor,
                data={"grade_before": before, "grade": result.grade},
            )
        Warning.objects.filter(pk=warning.pk).update(**{f: getattr(warning, f) for f in fields})
    return sum(1 for _ in changes)


@transaction.atomic
def grading_rule_save(*, actor: Any, rule: GradingRule) -> tuple[GradingRule, int]:
    """Create or change a rule (audited, naming the changed fields), then regrade the open warnings."""
    access.require(actor, "warning.grade_rules")
    before = model_to_dict(GradingRule.objects.get(pk=rule.pk)) if rule.pk else {}
    after = model_to_dict(rule)
    changed = [f for f in RULE_FIELDS if before.get(f) != after.get(f)]
    rule.full_clean()
    rule.save()
    audit_record(
        actor=actor,
        action="warning.grading_rule",
        obj=rule,
        fields=changed,
        details={"op": "update" if before else "create"},
    )
    return rule, _regrade_all(actor)


@transaction.atomic
def grading_rule_delete(*, actor: Any, rule: GradingRule) -> int:
    access.require(actor, "warning.grade_rules")
    audit_record(actor=actor, action="warning.grading_rule", obj=rule, details={"op": "delete"})
    rule.delete()
    return _regrade_all(actor)
