"""Writes to the area tree. Paths are derived here, never by hand."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from fanzha.audit.services import audit_change, audit_record
from fanzha.core import access
from fanzha.core.models import Area, Organisation
from fanzha.core.models.areas import LEVEL_ORDER

SHOWN = 10  # the blockers named in a refusal; the rest counted


def code_forms(code: str) -> list[str]:
    """The ways lists write one area's code, ``code`` first: the 12-digit statistical code and, where it
    ends in zeros, the civil-affairs county code (6 digits, GB/T 2260) or township code (9 digits, GB/T
    10114) it extends — 331199000000 is 331199, 331199100000 is 331199100."""
    full = code + "0" * (12 - len(code)) if code.isdigit() and len(code) in (6, 9) else code
    forms = [code, full]
    if full.isdigit() and len(full) == 12:
        forms += [full[:6]] if full.endswith("000000") else []
        forms += [full[:9]] if full.endswith("000") else []
    return list(dict.fromkeys(forms))


def find_area(code: str) -> Area | None:
    """The area of ``code`` however the list writes it; the exact code first."""
    forms = code_forms(code)
    found = {area.code: area for area in Area.objects.filter(code__in=forms)}
    return next((found[form] for form in forms if form in found), None)


def _path_for(code: str, parent: Area | None) -> str:
    return f"{parent.path if parent else '/'}{code}/"


def validate_level(level: str, parent: Area | None) -> None:
    position = LEVEL_ORDER.index(level)  # type: ignore[arg-type]
    if parent is None:
        return
    parent_position = LEVEL_ORDER.index(parent.level)  # type: ignore[arg-type]
    if position <= parent_position:
        raise ValidationError({"level": f"层级“{level}”不能位于上级“{parent.get_level_display()}”之下"})


def validate_children(area: Area) -> None:
    """An area's new level must stay above each of its children's (a 镇 with villages is no 村)."""
    position = LEVEL_ORDER.index(area.level)  # type: ignore[arg-type]
    for child in area.children.order_by("path"):
        if LEVEL_ORDER.index(child.level) <= position:  # type: ignore[arg-type]
            raise ValidationError(
                {
                    "level": f"层级不能改为“{area.get_level_display()}”：下级区划“{child.name}”"
                    f"（{child.code}）是“{child.get_level_display()}”，须低于上级"
                }
            )


def _named(items: list[str], what: str) -> str:
    more = f"等 {len(items)} 个" if len(items) > SHOWN else ""
    return f"{what}{'、'.join(items[:SHOWN])}{more}"


def retirement_blockers(area: Area) -> list[str]:
    """Why ``area`` cannot be retired yet, each with what to do first ([] when it can).

    Refused rather than retired with a warning: an area in force below it, a unit sitting in it or a
    warning still being worked in it would be left pointing at a place that no longer takes anything new
    (address matching skips it, pickers hide it) — each is moved first, then the area retired."""
    found = []
    children = [f"{c.name}（{c.code}）" for c in area.children.active().order_by("path")]
    if children:
        found.append(_named(children, "下级区划仍有效：") + "，请先将其迁入合并后的区划或一并撤销")
    units = [o.name for o in Organisation.objects.filter(area=area, is_active=True).order_by("name")]
    if units:
        found.append(_named(units, "单位仍在该区划：") + "，请先在单位管理中改其所在区划或停用")
    open_warnings = _open_warning_numbers(area)
    if open_warnings:
        found.append(_named(open_warnings, "预警仍在办理：") + "，请先将其人工定位到合并后的村（社区）或办结")
    return found


def _open_warning_numbers(area: Area) -> list[str]:
    """The numbers of the open warnings placed in ``area`` (warnings build on the area tree, so read
    here without importing them at module level)."""
    from fanzha.warnings.models import OPEN_STATUSES, Warning

    open_warnings = Warning.objects.filter(area=area, status__in=OPEN_STATUSES).order_by("pk")
    return [str(pk) for pk in open_warnings.values_list("pk", flat=True)[: SHOWN + 1]]


def validate_activity(area: Area, was_active: bool) -> None:
    """Retiring: nothing may still depend on the area. In force: its parent must be too."""
    if was_active and not area.is_active:
        blockers = retirement_blockers(area)
        if blockers:
            raise ValidationError({"is_active": f"“{area.name}”暂不能撤销：" + "；".join(blockers)})
    if area.is_active and area.parent is not None and not area.parent.is_active:
        raise ValidationError(
            {"parent": f"上级区划“{area.parent.name}”已撤销，有效的区划不能位于其下，请选择现行的上级"}
        )


def require_in_force(field: str, areas: Iterable[Area], then: str = "请选择现行的区划") -> None:
    """Refuse (on ``field``) a retired (撤并) area for anything new put in it — a person, a unit, its
    jurisdiction, a warning's placement; ``then`` says what to do instead."""
    retired = "、".join(f"“{area.name}”" for area in areas if not area.is_active)
    if retired:
        raise ValidationError({field: f"{retired}已撤销（撤并），{then}"})


@transaction.atomic
def area_create(
    *,
    actor: Any,
    code: str,
    name: str,
    level: str,
    parent: Area | None,
    residents: int | None = None,
    households: int | None = None,
    is_active: bool = True,
) -> Area:
    if actor is not None:
        access.require(actor, "area.manage")
    validate_level(level, parent)
    area = Area(
        code=code.strip(),
        name=name.strip(),
        level=level,
        parent=parent,
        path=_path_for(code.strip(), parent),
        residents=residents,
        households=households,
        is_active=is_active,
    )
    validate_activity(area, was_active=is_active)
    area.full_clean()
    area.save()
    changed = ["code", "name", "level", "parent", *([] if is_active else ["is_active"])]
    audit_change(actor=actor, obj=area, action="record.create", changed=changed)
    return area


@transaction.atomic
def area_update(*, actor: Any, area: Area, **changes: Any) -> list[str]:
    """Change name, counts, parent or activity; moving an area moves its whole subtree. Retiring
    (``is_active=False``, 撤并) is refused while anything still depends on the area (see
    :func:`retirement_blockers`); an area in force never sits under a retired one."""
    if actor is not None:
        access.require(actor, "area.manage")
    changed = [name for name, value in changes.items() if getattr(area, name) != value]
    if not changed:
        return []
    old_path, was_active = area.path, area.is_active
    for name in changed:
        setattr(area, name, changes[name])
    if "parent" in changed:
        if area.parent is not None and area.parent.path.startswith(old_path):
            raise ValidationError({"parent": "不能把区划移到它自己的下级之下"})
        validate_level(area.level, area.parent)
        area.path = _path_for(area.code, area.parent)
    if "level" in changed:
        validate_children(area)
    if {"is_active", "parent"} & set(changed):
        validate_activity(area, was_active)
    area.full_clean()
    area.save()
    if area.path != old_path:
        for child in Area.objects.filter(path__startswith=old_path).exclude(pk=area.pk):
            child.path = area.path + child.path[len(old_path) :]
            child.save(update_fields=["path"])
    _audit_update(actor, area, changed, was_active)
    return changed


def _audit_update(actor: Any, area: Area, changed: list[str], was_active: bool) -> None:
    """One record per change: a retirement (撤并) or a restoration as ``area.retire`` / ``area.restore``,
    so the audit page's 事件 filter finds them among the tree's other edits (with every field the same
    change touched, e.g. a name an import row changed with it); anything else as ``record.update``."""
    if area.is_active == was_active:
        audit_change(actor=actor, obj=area, action="record.update", changed=changed)
        return
    audit_record(
        actor=actor,
        action="area.restore" if area.is_active else "area.retire",
        obj=area,
        fields=changed,
        details={"code": area.code, "is_active": {"from": was_active, "to": area.is_active}},
    )


def area_retire(*, actor: Any, area: Area) -> list[str]:
    """撤销 (merged or abolished): kept with its history, no longer offered or matched for new records."""
    return area_update(actor=actor, area=area, is_active=False)


def area_restore(*, actor: Any, area: Area) -> list[str]:
    """Back in force (a retirement made by mistake); its parent must be in force."""
    return area_update(actor=actor, area=area, is_active=True)
