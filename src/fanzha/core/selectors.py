"""Reads that are more than a filter."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q

from fanzha.core import access
from fanzha.core.models import Area, Organisation, Person
from fanzha.core.models.areas import AreaLevel
from fanzha.core.models.organisations import OrganisationKind


def home_summary(user: Any) -> dict[str, Any]:
    """Counts shown on a role's home page; each comes from the user's own scope."""
    summary: dict[str, Any] = {}
    if access.user_can(user, "person.view"):
        people = Person.objects.visible_to(user)
        summary["people"] = people.count()
        summary["key_residents"] = people.exclude(key_groups=[]).count()
        areas = access.visible_areas(user)
        summary["villages"] = areas.filter(level=AreaLevel.VILLAGE).count()
        summary["grids"] = areas.filter(level=AreaLevel.GRID).count()
        summary["breakdown"] = jurisdiction_breakdown(user)
        summary["jurisdiction"] = [item["root"].name for item in summary["breakdown"]]
    if access.user_can(user, "organisation.manage"):
        summary["organisations"] = Organisation.objects.count()
        summary["areas"] = Area.objects.count()
    return summary


def people_by_area(user: Any, parent: Area) -> list[dict[str, Any]]:
    """People and key residents per child area of ``parent`` within the user's scope (two queries)."""
    children = list(parent.children.order_by("code"))
    counts = (
        Person.objects.visible_to(user)
        .filter(area__path__startswith=parent.path)
        .values("area__path")
        .annotate(total=Count("id"), key=Count("id", filter=~Q(key_groups=[])))
    )
    rows = {child.path: {"area": child, "total": 0, "key": 0} for child in children}
    for row in counts:
        child_path = _child_prefix(parent.path, row["area__path"])
        if child_path in rows:
            rows[child_path]["total"] += row["total"]
            rows[child_path]["key"] += row["key"]
    return list(rows.values())


def _child_prefix(parent_path: str, path: str) -> str:
    rest = path[len(parent_path) :]
    return parent_path + rest.split("/", 1)[0] + "/" if rest else ""


def jurisdiction_breakdown(user: Any) -> list[dict[str, Any]]:
    """For each area the user's organisation covers: its children with people counts."""
    roots = Area.objects.filter(path__in=access.jurisdiction_paths(user)).order_by("path")
    return [{"root": root, "rows": people_by_area(user, root)} for root in roots]


# Who receives warnings (fanzha.warnings.routing): a police station's officers and a village committee's
# grid workers, each in the unit whose jurisdiction covers the village.
WARNING_UNIT_ROLES = {
    OrganisationKind.POLICE_STATION: "police_officer",
    OrganisationKind.VILLAGE_COMMITTEE: "grid_worker",
}
GAPS_SHOWN = 30


def warning_gaps() -> dict[str, list[Area]]:
    """Per kind of unit that receives warnings, the villages (社区/村) in force that no such unit with an
    active account of its role covers: their warnings go to the other kind, or to the centre's queue.
    Read by the administrator setting up units and accounts (the 单位 page)."""
    villages = list(Area.objects.filter(level=AreaLevel.VILLAGE, is_active=True).select_related("parent"))
    gaps: dict[str, list[Area]] = {}
    for kind, role in WARNING_UNIT_ROLES.items():
        staffed = (
            Organisation.objects.filter(
                kind=kind, is_active=True, users__is_active=True, users__roles__role=role
            )
            .distinct()
            .select_related("area")
            .prefetch_related("covered_areas")
        )
        paths = tuple(path for unit in staffed for path in unit.jurisdiction_paths())
        gaps[str(kind)] = [v for v in villages if not v.path.startswith(paths)] if paths else villages
    return gaps
