"""Areas and organisations: the directory every role works within."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from fanzha.core import access, selectors
from fanzha.core.models import Area, Organisation


@login_required
def area_list(request: HttpRequest) -> HttpResponse:
    access.require(request.user, "area.view")
    areas = selectors.visible_areas(request.user)
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
def area_detail(request: HttpRequest, pk: int) -> HttpResponse:
    access.require(request.user, "area.view")
    area = get_object_or_404(selectors.visible_areas(request.user), pk=pk)
    context = {
        "area": area,
        "ancestors": area.ancestors(),
        "children": area.children.order_by("code"),
        "organisations": Organisation.objects.filter(area=area),
    }
    if access.user_can(request.user, "person.view"):
        context["people_rows"] = selectors.people_by_area(request.user, area)
    return render(request, "core/area_detail.html", context)


@login_required
def organisation_list(request: HttpRequest) -> HttpResponse:
    access.require(request.user, "organisation.view")
    organisations = Organisation.objects.select_related("area").order_by("kind", "name")
    return render(
        request,
        "core/organisation_list.html",
        {
            "organisations": organisations,
            "can_manage": access.user_can(request.user, "organisation.manage"),
        },
    )


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
