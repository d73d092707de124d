"""Reads that are more than a filter."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from fanzha.core import access
from fanzha.core.models import Area, Organisation, Person
from fanzha.core.models.areas import AreaLevel


def visible_areas(user: Any) -> QuerySet[Area]:
    paths = access.jurisdiction_paths(user)
    if access.user_can(user, "area.manage"):
        return Area.objects.all()
    condition = Q(pk__in=[])
    for path in paths:
        condition |= Q(path__startswith=path)
    return Area.objects.filter(condition)


def home_summary(user: Any) -> dict[str, Any]:
    """Counts shown on a role's home page; each comes from the user's own scope."""
    summary: dict[str, Any] = {}
    if access.user_can(user, "person.view"):
        people = Person.objects.visible_to(user)
        summary["people"] = people.count()
        summary["key_residents"] = people.exclude(key_groups=[]).count()
        areas = visible_areas(user)
        summary["villages"] = areas.filter(level=AreaLevel.VILLAGE).count()
        summary["grids"] = areas.filter(level=AreaLevel.GRID).count()
        summary["jurisdiction"] = list(
            Area.objects.filter(path__in=access.jurisdiction_paths(user)).values_list("name", flat=True)
        )
    if access.user_can(user, "organisation.manage"):
        summary["organisations"] = Organisation.objects.count()
        summary["areas"] = Area.objects.count()
    return summary


def people_by_area(user: Any, parent: Area) -> list[dict[str, Any]]:
    """People and key residents per child area of ``parent`` within the user's scope."""
    people = Person.objects.visible_to(user)
    rows = []
    for child in parent.children.order_by("code"):
        within = people.filter(area__path__startswith=child.path)
        counts = within.aggregate(total=Count("id"), key=Count("id", filter=~Q(key_groups=[])))
        rows.append({"area": child, **counts})
    return rows
