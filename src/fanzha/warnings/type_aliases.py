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
from fanzha.core.locks import lock_intake
from fanzha.warnings import grading, sla, typology
from fanzha.warnings.intake import UNKNOWN_TYPE
from fanzha.warnings.models import (
    OPEN_STATUSES,
    EventKind,
    FraudTypeAlias,
    Grade,
    Warning,
    WarningSourceRef,
)
from fanzha.warnings.services import event_add

UNKNOWN_FLAG = UNKNOWN_TYPE
PERMISSION = access.SHARED_RULES  # the grading configuration: read by every centre, changed by the top one


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
    if len(word) > 60:  # NFKC spells some signs out (㌀ is アパート): the table keeps 60
        raise ValidationError("写法过长：按统一写法比对时超过 60 个字")
    names = dict(typology.choices())
    if fraud_type not in names:
        raise ValidationError("请选择对应的诈骗类型")
    verdict = typology.screening_verdict(shown)
    if verdict is not None:
        raise ValidationError(f"“{shown}”是号码筛查的结论“{typology.label(verdict)}”，不是诈骗类型，不能对照")
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
    """Add (or change) the type ``text`` stands for, audited; re-type the open warnings received with it
    (changed: also those the entry's earlier type was given to)."""
    access.require_shared_rules(actor)
    shown, word = _checked(text, fraud_type)
    lock_intake()  # an intake committing now is re-typed below, or reads the entry after its own lock
    before = centre_types()
    alias = FraudTypeAlias.objects.filter(key=word).first()
    op = "update" if alias is not None else "create"
    was = alias.fraud_type if alias is not None else ""
    if alias is None:
        alias = FraudTypeAlias(key=word, created_by=actor)
    alias.text, alias.fraud_type = shown, fraud_type
    alias.save()
    retyped, regraded = _retype_open(actor, word, before, {**before, word: fraud_type}, was)
    audit_record(
        actor=actor,
        action="warning.type_alias",
        obj=alias,
        fields=["text", "fraud_type"],
        details={
            "op": op,
            "fraud_type": fraud_type,
            **({"fraud_type_before": was} if was else {}),
            "retyped": retyped,
        },
    )
    return Saved(alias, retyped, regraded)


@transaction.atomic
def fraud_type_alias_delete(*, actor: Any, alias: FraudTypeAlias) -> None:
    """Remove an entry (audited); warnings already re-typed keep their type."""
    access.require_shared_rules(actor)
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


def _type_given(texts: list[str], table: dict[str, str]) -> str:
    """The type the reports' texts give, as intake gives it: the first report's, unless a later one
    names a type where the earlier said none known (其他诈骗)."""
    given = ""
    for text in texts:
        code = typology.resolve(text) or table.get(typology.key(text)) or typology.OTHER_FRAUD
        if not given or (given == typology.OTHER_FRAUD and code != typology.OTHER_FRAUD):
            given = code
    return given


def _candidates(was: str) -> list[Warning]:
    """Open warnings the entry may concern: of unknown type, or of the type it gave before (``was``)."""
    types = [typology.OTHER_FRAUD, *([was] if was else [])]
    found = sla.HELD.filter(status__in=OPEN_STATUSES, fraud_type__in=types).only(
        *sla.REGRADE_FIELDS, "quality_flags"
    )
    return [w for w in found if w.fraud_type == was or UNKNOWN_FLAG in (w.quality_flags or [])]


def _retype_open(
    actor: Any, word: str, before: dict[str, str], after: dict[str, str], was: str = ""
) -> tuple[int, int]:
    """Open warnings whose reports name ``word``: the type the table (``after``) now gives them, the
    flag removed, regraded by the active rules (deadlines follow a new grade). Besides those of unknown
    type, a warning of the entry's earlier type ``was`` follows only when the table (``before``) gave it
    that type — not one whose reports name it otherwise."""
    candidates = _candidates(was)
    texts = _pushed_texts([w.pk for w in candidates])
    rules = grading.active_rules()
    retyped = regraded = 0
    for warning in candidates:
        said = texts.get(warning.pk, [])
        if word not in {typology.key(t) for t in said}:
            continue
        unknown = warning.fraud_type == typology.OTHER_FRAUD and UNKNOWN_FLAG in (warning.quality_flags or [])
        if not unknown and _type_given(said, before) != warning.fraud_type:
            continue
        code = _type_given(said, after)
        if code == warning.fraud_type and not unknown:
            continue
        regraded += _retype(actor, warning, code, rules)
        retyped += 1
    return retyped, regraded


def _retype(actor: Any, warning: Warning, code: str, rules: list[Any]) -> int:
    """Give ``warning`` the type ``code`` and regrade it, with its history line; 1 if its grade changed."""
    before = warning.grade
    result = grading.grade(rules, grading.Facts.of(code, warning.source, warning.amount, warning.facts))
    warning.fraud_type, warning.grade, warning.grade_reasons = code, result.grade, result.reasons
    warning.quality_flags = [f for f in warning.quality_flags if f != UNKNOWN_FLAG]
    fields = ["fraud_type", "grade", "grade_reasons", "quality_flags"]
    if result.grade != before:
        fields += sla.regrade_deadlines(warning, result.grade)  # on the clock now running
    Warning.objects.filter(pk=warning.pk).update(**{f: getattr(warning, f) for f in fields})
    event_add(
        warning,
        EventKind.GRADED,
        f"按诈骗类型对照表更正为“{typology.label(code)}”；{_graded(result)}",
        actor=actor,
        data={"fraud_type": code, "grade_before": before, "grade": result.grade},
    )
    return int(result.grade != before)
