"""Creating and editing organisations (permission organisation.manage)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from fanzha.core import access
from fanzha.core.forms_organisations import OrganisationForm
from fanzha.core.models import Organisation
from fanzha.core.services import organisations as services
from fanzha.core.views.auth import add_service_errors

PERMISSION = "organisation.manage"


def _initial(organisation: Organisation) -> dict[str, object]:
    values: dict[str, object] = {name: getattr(organisation, name) for name in services.ORGANISATION_FIELDS}
    values["covered_areas"] = list(organisation.covered_areas.all())
    return values


@login_required
def organisation_create(request: HttpRequest) -> HttpResponse:
    access.require(request.user, PERMISSION)
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("is_active")
        try:
            organisation = services.organisation_create(actor=request.user, **data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "单位已创建。")
            return redirect("organisation_detail", pk=organisation.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "core/organisation_form.html", {"form": form, "organisation": None}, status=status)


@login_required
def organisation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    access.require(request.user, PERMISSION)
    organisation = get_object_or_404(Organisation, pk=pk)
    form = OrganisationForm(request.POST or None, initial=_initial(organisation), exclude_pk=organisation.pk)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        covered = data.pop("covered_areas")
        try:
            changed = services.organisation_update(
                actor=request.user, organisation=organisation, covered_areas=covered, **data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:  # deactivated: where its open warnings went, what open cases its users leave
            messages.success(request, "已保存。" + "".join(changed.notes))
            return redirect("organisation_detail", pk=organisation.pk)
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "organisation": organisation}
    return render(request, "core/organisation_form.html", context, status=status)
