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
from fanzha.core.views import edit_conflicts
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


LABELS = {
    "name": "名称",
    "kind": "类型",
    "area": "所在区划",
    "parent": "上级单位",
    "code": "机构代码",
    "contact_phone": "值班电话",
    "is_active": "有效",
    "covered_areas": "管辖区划",
}


def _stored(organisation: Organisation) -> dict[str, object]:
    """What the edit form writes, as stored now (its edit token's values)."""
    values = {name: organisation.serializable_value(name) for name in services.ORGANISATION_FIELDS}
    values["covered_areas"] = sorted(organisation.covered_areas.values_list("pk", flat=True))
    return values


def _written(data: dict[str, object], covered: object) -> dict[str, object]:
    """What the posted form stores (``data``: its cleaned values), as :func:`_stored` reads it."""
    values = {name: getattr(value, "pk", value) for name, value in data.items()}
    values["covered_areas"] = sorted(area.pk for area in covered)  # type: ignore[attr-defined]
    return values


def _edit_form(organisation: Organisation, data: object = None) -> OrganisationForm:
    form = OrganisationForm(data, initial=_initial(organisation), exclude_pk=organisation.pk)
    edit_conflicts.carry_token(form, organisation, _stored)
    return form


@login_required
def organisation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    access.require(request.user, PERMISSION)
    organisation = get_object_or_404(Organisation, pk=pk)
    form = _edit_form(organisation, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.pop(edit_conflicts.TOKEN_FIELD)
        covered = data.pop("covered_areas")
        try:
            stale, changed = edit_conflicts.save_unless_changed(
                request,
                organisation,
                _stored,
                lambda: services.organisation_update(
                    actor=request.user, organisation=organisation, covered_areas=covered, **data
                ),
                lambda _: _written(data, covered),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if stale:
                message = edit_conflicts.refused_message(stale, LABELS)
                kept = edit_conflicts.unchanged(stale)
                form = edit_conflicts.show_refused(_edit_form(organisation), message, form, kept)
            elif changed is not None:  # deactivated: where its warnings went, what cases its users leave
                messages.success(request, "已保存。" + "".join(changed.notes))
                return redirect("organisation_detail", pk=organisation.pk)
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "organisation": organisation}
    return render(request, "core/organisation_form.html", context, status=status)
