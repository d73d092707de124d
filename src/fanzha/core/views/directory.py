"""Areas and organisations: the directory every role works within."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from fanzha.core import access, selectors
from fanzha.core.models import Area, Organisation
from fanzha.core.services import areas as area_services

# 撤销 / 恢复 on the area's page: what the button posts → the service and what is said after.
ACTIVITY_ACTIONS = {
    "retire": (area_services.area_retire, "已撤销。该区划及其历史记录保留，不再用于新预警、新人员。"),
    "restore": (area_services.area_restore, "已恢复为有效区划。"),
}


@login_required
def area_list(request: HttpRequest) -> HttpResponse:
    access.require(request.user, "area.view")
    areas = access.visible_areas(request.user)
    roots = list(areas.filter(level__in=["city", "district", "township"]).select_related("parent"))
    return render(
        request,
        "core/area_list.html",
        {
            "areas": roots,
            "can_manage": access.user_can(request.user, "area.manage"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def area_detail(request: HttpRequest, pk: int) -> HttpResponse:
    access.require(request.user, "area.view")
    area = get_object_or_404(access.visible_areas(request.user), pk=pk)
    if request.method == "POST":
        return _change_activity(request, area)
    can_manage = access.user_can(request.user, "area.manage")
    context = {
        "area": area,
        "ancestors": area.ancestors(),
        "children": area.children.order_by("code"),
        "organisations": Organisation.objects.filter(area=area),
        "can_manage": can_manage,
        "blockers": area_services.retirement_blockers(area) if can_manage and area.is_active else [],
    }
    if access.user_can(request.user, "person.view"):
        context["people_rows"] = selectors.people_by_area(request.user, area)
    return render(request, "core/area_detail.html", context)


def _change_activity(request: HttpRequest, area: Area) -> HttpResponse:
    """撤销 or 恢复 an area (area.manage); a refusal names what still depends on it."""
    access.require(request.user, "area.manage")
    action = ACTIVITY_ACTIONS.get(request.POST.get("action", ""))
    if action is None:
        messages.error(request, "未知的操作。")
        return redirect("area_detail", pk=area.pk)
    change, done = action
    try:
        change(actor=request.user, area=area)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, done)
    return redirect("area_detail", pk=area.pk)


@login_required
def organisation_list(request: HttpRequest) -> HttpResponse:
    access.require(request.user, "organisation.view")
    organisations = Organisation.objects.select_related("area").order_by("kind", "name")
    can_manage = access.user_can(request.user, "organisation.manage")
    return render(
        request,
        "core/organisation_list.html",
        {
            "organisations": organisations,
            "can_manage": can_manage,
            "gaps": _gaps() if can_manage else None,
        },
    )


def _gaps() -> dict[str, Any]:
    """The villages whose warnings no station's officer or no grid worker will get (first few shown)."""
    found = selectors.warning_gaps()
    police, grid = found["police_station"], found["village_committee"]
    shown = selectors.GAPS_SHOWN
    return {
        "police": police[:shown],
        "police_more": max(len(police) - shown, 0),
        "grid": grid[:shown],
        "grid_more": max(len(grid) - shown, 0),
    }


@login_required
def organisation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    access.require(request.user, "organisation.view")
    organisation = get_object_or_404(Organisation.objects.select_related("area", "parent"), pk=pk)
    covered = organisation.covered_areas.all() or Area.objects.filter(pk=organisation.area_id)
    return render(
        request,
        "core/organisation_detail.html",
        {
            "organisation": organisation,
            "covered": covered,
            "users": organisation.users.filter(is_active=True).count(),
            "can_manage": access.user_can(request.user, "organisation.manage"),
        },
    )
