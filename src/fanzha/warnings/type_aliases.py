"""The centre's fraud-type table (诈骗类型对照): how its senders write types the typology does not know.

A superior platform may push 诈骗类型 as its own numeric codes (0103), a bank as its own wording
(疑似投资理财类). Such a row is received as 其他诈骗, flagged "诈骗类型无法识别". The centre names once
what the text means; later lists are read with it, and the open warnings received with that text are
re-typed and regraded at once (their history says so). Known names and aliases need no entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from fanzha.audit.services import audit_record
from fanzha.core import access
from fanzha.warnings import grading, sla, typology
from fanzha.warnings.models import (
    OPEN_STATUSES,
    EventKind,
    FraudTypeAlias,
    Grade,
    Warning,
    WarningSourceRef,
)
from fanzha.warnings.services import event_add

UNKNOWN_FLAG = "fraud_type_unknown"
PERMISSION = "warning.grade_rules"  # the centre's grading configuration: the same people


def centre_types() -> dict[str, str]:
    """The table as intake reads it: compared form of the text → type code."""
    return dict(FraudTypeAlias.objects.values_list("key", "fraud_type"))


def _checked(text: str, fraud_type: str) -> tuple[str, str]:
    shown = " ".join(str(text or "").split())
    word = typology.key(shown)
    if not word:
        raise ValidationError("请填写来单中诈骗类型的写法（如 0103、投资理财类）")
    if len(shown) > 60:
        raise ValidationError("写法过长（最多 60 个字）")
    names = dict(typology.choices())
    if fraud_type not in names:
        raise ValidationError("请选择对应的诈骗类型")
    known = typology.resolve(shown)
    if known is not None:
        raise ValidationError(f"“{shown}”已能识别为“{typology.label(known)}”，无需对照")
    return shown, word


@dataclass
class Saved:
    alias: FraudTypeAlias
    retyped: int  # open warnings re-typed by it
    regraded: int  # of them, those whose grade changed


@transaction.atomic
def fraud_type_alias_save(*, actor: Any, text: str, fraud_type: str) -> Saved:
    """Add (or change) the type ``text`` stands for, audited; re-type the open warnings received with it."""
    access.require(actor, PERMISSION)
    shown, word = _checked(text, fraud_type)
    alias = FraudTypeAlias.objects.filter(key=word).first()
    op = "update" if alias is not None else "create"
    if alias is None:
        alias = FraudTypeAlias(key=word, created_by=actor)
    alias.text, alias.fraud_type = shown, fraud_type
    alias.save()
    audit_record(
        actor=actor,
        action="warning.type_alias",
        obj=alias,
        fields=["text", "fraud_type"],
        details={"op": op, "fraud_type": fraud_type},
    )
    retyped, regraded = _retype_open(actor, {word: fraud_type})
    return Saved(alias, retyped, regraded)


@transaction.atomic
def fraud_type_alias_delete(*, actor: Any, alias: FraudTypeAlias) -> None:
    """Remove an entry (audited); warnings already re-typed keep their type."""
    access.require(actor, PERMISSION)
    audit_record(
        actor=actor,
        action="warning.type_alias",
        obj=alias,
        details={"op": "delete", "fraud_type": alias.fraud_type},
    )
    alias.delete()


def _graded(result: grading.GradeResult) -> str:
    reasons = "；".join(result.reasons)
    return f"定级 {Grade(result.grade).label}" + (f"：{reasons}" if reasons else "")


def _pushed_texts(warning_ids: list[int]) -> dict[int, list[str]]:
    """The 诈骗类型 each warning's reports carried, as sent (kept with the report's row)."""
    texts: dict[int, list[str]] = {}
    refs = WarningSourceRef.objects.filter(warning_id__in=warning_ids).order_by("received_at", "id")
    for warning_id, values in refs.values_list("warning_id", "row_values").iterator(chunk_size=2000):
        text = str((values or {}).get("fraud_type", "") or "")
        if text:
            texts.setdefault(warning_id, []).append(text)
    return texts


def _retype_open(actor: Any, table: dict[str, str]) -> tuple[int, int]:
    """Open warnings of unknown type whose reports name a text of ``table``: the type it gives, the
    flag removed, regraded by the active rules (deadlines follow a new grade)."""
    unknown = [
        w
        for w in Warning.objects.filter(status__in=OPEN_STATUSES, fraud_type=typology.OTHER_FRAUD).only(
            "id",
            "grade",
            "grade_reasons",
            "fraud_type",
            "source",
            "amount",
            "facts",
            "quality_flags",
            "received_at",
        )
        if UNKNOWN_FLAG in (w.quality_flags or [])
    ]
    texts = _pushed_texts([w.pk for w in unknown])
    rules = grading.active_rules()
    retyped = regraded = 0
    for warning in unknown:
        code = next((table[k] for t in texts.get(warning.pk, []) if (k := typology.key(t)) in table), None)
        if code is None:
            continue
        before = warning.grade
        result = grading.grade(rules, grading.Facts.of(code, warning.source, warning.amount, warning.facts))
        warning.fraud_type, warning.grade, warning.grade_reasons = code, result.grade, result.reasons
        warning.quality_flags = [f for f in warning.quality_flags if f != UNKNOWN_FLAG]
        fields = ["fraud_type", "grade", "grade_reasons", "quality_flags"]
        if result.grade != before:
            fields += sla.apply_deadlines(warning, *sla.deadlines(result.grade, warning.received_at))
            regraded += 1
        Warning.objects.filter(pk=warning.pk).update(**{f: getattr(warning, f) for f in fields})
        event_add(
            warning,
            EventKind.GRADED,
            f"按诈骗类型对照表更正为“{typology.label(code)}”；{_graded(result)}",
            actor=actor,
            data={"fraud_type": code, "grade_before": before, "grade": result.grade},
        )
        retyped += 1
    return retyped, regraded
