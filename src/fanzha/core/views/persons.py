"""People pages: masked lists, audited reveal, exact search by keyed hash (POST, never in the URL)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from fanzha.audit.services import audit_record
from fanzha.core import access
from fanzha.core.exports import csv_response
from fanzha.core.forms import PersonForm
from fanzha.core.models import Person
from fanzha.core.pii import crypto
from fanzha.core.pii import phone as phone_number
from fanzha.core.pii.masking import mask, scrub_text
from fanzha.core.services import persons as person_services
from fanzha.core.views import edit_conflicts

SEARCH_KINDS = {"name": "姓名", "id_number": "身份证号", "phone": "手机号"}
SEARCH_SESSION_KEY = "person_search"


def _visible_people(request: HttpRequest):  # type: ignore[no-untyped-def]
    return Person.objects.visible_to(request.user).select_related("area")


def _area_filter(request: HttpRequest, people):  # type: ignore[no-untyped-def]
    area = access.visible_area(request.user, request.GET.get("area", ""))
    if area is not None:
        return people.filter(area__path__startswith=area.path), area
    return people, None


def _current_search(request: HttpRequest) -> dict[str, str] | None:
    """An exact search by keyed hash: posted, then kept in the session (never the URL) for paging."""
    if request.method == "POST":
        kind = request.POST.get("kind", "")
        value = request.POST.get("q", "").strip()
        if kind in SEARCH_KINDS and value:
            request.session[SEARCH_SESSION_KEY] = {"kind": kind, "hash": crypto.search_hash(kind, value)}
        else:
            request.session.pop(SEARCH_SESSION_KEY, None)
    elif request.GET.get("search") != "1":
        request.session.pop(SEARCH_SESSION_KEY, None)
    search = request.session.get(SEARCH_SESSION_KEY)
    return search if isinstance(search, dict) and search.get("kind") in SEARCH_KINDS else None


def _audit_search(request: HttpRequest, kind: str, found: int) -> None:
    """A search by name, ID number or phone is a look-up of personal data: recorded with the field
    searched and the number of people found in the user's scope — never the value typed, nor its hash.
    Paging through the results is the same search, not recorded again."""
    audit_record(
        actor=request.user, action="person.search", fields=[kind], details={"kind": kind, "found": found}
    )


@login_required
def person_list(request: HttpRequest) -> HttpResponse:
    access.require(request.user, "person.view")
    people, area = _area_filter(request, _visible_people(request))
    search = _current_search(request)
    if search is not None:
        people = people.filter(**{f"{search['kind']}_hash": search["hash"]})
    page = Paginator(people, 50).get_page(request.GET.get("page"))
    if search is not None and request.method == "POST":
        _audit_search(request, search["kind"], page.paginator.count)
    return render(
        request,
        "core/person_list.html",
        {
            "page": page,
            "area": area,
            "searched": SEARCH_KINDS[search["kind"]] if search else "",
            "search_query": "search=1&" if search else "",
            "search_kinds": SEARCH_KINDS,
            "can_edit": access.user_can(request.user, "person.edit"),
            "can_export": access.user_can(request.user, "person.export"),
        },
    )


@login_required
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    access.require(request.user, "person.view")
    person = access.get_visible_or_404(Person.objects.select_related("area"), request.user, pk=pk)
    fields = [
        (name, person_services.FIELD_LABELS[name], mask(name, getattr(person, name)))
        for name in person_services.SENSITIVE_FIELDS
    ]
    return render(
        request,
        "core/person_detail.html",
        {
            "person": person,
            "fields": fields,
            "can_reveal": access.user_can(request.user, "person.reveal"),
            "reveal_purposes": person_services.REVEAL_PURPOSES,
            "can_edit": access.user_can(request.user, "person.edit"),
        },
    )


@login_required
@require_POST
def person_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """Shows one field in clear; the field name travels in the POST body, never in the URL."""
    access.require(request.user, "person.view")
    person = access.get_visible_or_404(Person.objects.all(), request.user, pk=pk)
    field_name = request.POST.get("field", "")
    if field_name not in person_services.SENSITIVE_FIELDS:
        return HttpResponse("未知字段", status=400)
    try:
        value = person_services.person_reveal(
            actor=request.user, person=person, field_name=field_name, purpose=request.POST.get("purpose", "")
        )
    except ValidationError:
        # htmx swaps only 2xx answers: it gets the message in place; a plain form post gets a 400.
        return render(request, "core/_reveal_refused.html", status=200 if request.htmx else 400)
    return revealed(request, value, phone=field_name == "phone")


def revealed(request: HttpRequest, value: str, phone: bool = False) -> HttpResponse:
    """A value revealed, in place of its mask: a phone as a ``tel:`` link to tap to call; never cached."""
    tel = phone_number.tel_number(value) if phone else ""
    response = render(request, "core/_revealed.html", {"value": value, "tel": tel})
    response["Cache-Control"] = "no-store"
    return response


def _form_data(form: PersonForm, person: Person | None) -> person_services.PersonData:
    values = dict(form.cleaned_data)
    values.pop(edit_conflicts.TOKEN_FIELD, None)
    if person is not None:
        for name in person_services.SENSITIVE_FIELDS:
            if not values[name]:
                values[name] = getattr(person, name)
    return person_services.PersonData(**values)


PERSON_LABELS = {
    **person_services.FIELD_LABELS,
    "area": "所属区划",
    "key_groups": "重点人群",
    "notes": "备注",
}


def _stored(person: Person) -> dict[str, object]:
    """What the edit form writes, as stored now (its edit token's values)."""
    return {n: person.area_id if n == "area" else getattr(person, n) for n in person_services.EDITABLE}


def _written(form: PersonForm) -> edit_conflicts.Written:
    """What the posted form stores, as :func:`_stored` reads it (a masked field left blank: the value
    stored now)."""

    def values(person: Person) -> dict[str, object]:
        data = _form_data(form, person)
        return {n: data.area.pk if n == "area" else getattr(data, n) for n in person_services.EDITABLE}

    return values


def _new_form(person: Person | None, areas, data=None) -> PersonForm:  # type: ignore[no-untyped-def]
    initial, masked = None, None
    if person is not None:
        initial = {n: getattr(person, n) for n in person_services.EDITABLE if n not in PersonForm.SENSITIVE}
        initial["notes"] = scrub_text(person.notes)  # a note saved before notes were masked
        masked = {n: mask(n, getattr(person, n)) for n in PersonForm.SENSITIVE}
    form = PersonForm(data, initial=initial, areas=areas, masked=masked)
    if person is not None:
        edit_conflicts.carry_token(form, person, _stored)
    return form


def _refused(person: Person, areas, changed: edit_conflicts.Changed, typed: PersonForm) -> PersonForm:  # type: ignore[no-untyped-def]
    """The form again with the values stored now in the fields that changed, saying which (personal
    ones masked), and what the user typed in the others."""
    shown = {n: mask(n, getattr(person, n)) for n in changed if n in PersonForm.SENSITIVE}
    message = edit_conflicts.refused_message(changed, PERSON_LABELS, shown)
    kept = edit_conflicts.unchanged(changed)
    return edit_conflicts.show_refused(_new_form(person, areas), message, typed, kept)


def _person_form(request: HttpRequest, person: Person | None) -> HttpResponse:
    access.require(request.user, "person.edit")
    areas = access.visible_areas(request.user)
    # Areas in force, and a retired (撤并) one the person is still in (kept until moved).
    areas = areas.filter(Q(is_active=True) | Q(pk=person.area_id if person is not None else None))
    form = _new_form(person, areas, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            if person is None:
                person = person_services.person_create(actor=request.user, data=_form_data(form, None))
                messages.success(request, "已登记。")
                return redirect("person_detail", pk=person.pk)
            changed, _ = edit_conflicts.save_unless_changed(
                request,
                person,
                _stored,
                lambda: person_services.person_update(
                    actor=request.user, person=person, data=_form_data(form, person)
                ),
                _written(form),
            )
            if not changed:
                messages.success(request, "已保存。")
                return redirect("person_detail", pk=person.pk)
            form = _refused(person, areas, changed, form)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
    status = 400 if request.method == "POST" else 200
    return render(request, "core/person_form.html", {"form": form, "person": person}, status=status)


@login_required
def person_create(request: HttpRequest) -> HttpResponse:
    return _person_form(request, None)


@login_required
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    access.require(request.user, "person.edit")
    person = access.get_visible_or_404(Person.objects.all(), request.user, pk=pk)
    return _person_form(request, person)


@login_required
def person_export(request: HttpRequest) -> HttpResponse:
    """A masked CSV of the people in scope (and the chosen area); the export itself is audited."""
    access.require(request.user, "person.export")
    people, area = _area_filter(request, _visible_people(request))
    header = ["编号", "姓名", "身份证号", "手机号", "现住址", "所属区划", "性别", "出生年份", "重点人群"]
    rows = (
        [
            p.pk,
            mask("name", p.name),
            mask("id_number", p.id_number),
            mask("phone", p.phone),
            mask("address", p.address),
            p.area.name,
            p.sex,
            p.birth_year or "",
            "、".join(p.key_group_labels()),
        ]
        for p in people.iterator(chunk_size=2000)
    )
    audit_record(
        actor=request.user,
        action="pii.export",
        object_type="core.person",
        details={"area": area.code if area else "", "masked": True},
    )
    return csv_response("人员名单.csv", header, rows)
