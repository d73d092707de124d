"""Writes to the area tree. Paths are derived here, never by hand."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from fanzha.audit.services import audit_change
from fanzha.core import access
from fanzha.core.models import Area
from fanzha.core.models.areas import LEVEL_ORDER


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
    )
    area.full_clean()
    area.save()
    audit_change(actor=actor, obj=area, action="record.create", changed=["code", "name", "level", "parent"])
    return area


@transaction.atomic
def area_update(*, actor: Any, area: Area, **changes: Any) -> list[str]:
    """Change name, counts, parent or activity; moving an area moves its whole subtree."""
    if actor is not None:
        access.require(actor, "area.manage")
    changed = [name for name, value in changes.items() if getattr(area, name) != value]
    if not changed:
        return []
    old_path = area.path
    for name in changed:
        setattr(area, name, changes[name])
    if "parent" in changed:
        if area.parent is not None and area.parent.path.startswith(old_path):
            raise ValidationError({"parent": "不能把区划移到它自己的下级之下"})
        validate_level(area.level, area.parent)
        area.path = _path_for(area.code, area.parent)
    if "level" in changed:
        validate_children(area)
    area.full_clean()
    area.save()
    if area.path != old_path:
        for child in Area.objects.filter(path__startswith=old_path).exclude(pk=area.pk):
            child.path = area.path + child.path[len(old_path) :]
            child.save(update_fields=["path"])
    audit_change(actor=actor, obj=area, action="record.update", changed=changed)
    return changed
