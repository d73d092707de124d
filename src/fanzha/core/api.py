"""API for people and areas: the same scope and masking as the pages."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from fanzha.core import access
from fanzha.core.models import Person
from fanzha.core.pii.masking import mask

router = Router(tags=["core"])


class PersonOut(Schema):
    id: int
    name: str
    id_number: str
    phone: str
    area_code: str
    area_name: str
    key_groups: list[str]


class AreaOut(Schema):
    id: int
    code: str
    name: str
    level: str
    parent_code: str | None
    residents: int | None
    households: int | None


def _person_out(person: Person) -> PersonOut:
    return PersonOut(
        id=person.pk,
        name=mask("name", person.name),
        id_number=mask("id_number", person.id_number),
        phone=mask("phone", person.phone),
        area_code=person.area.code,
        area_name=person.area.name,
        key_groups=list(person.key_groups),
    )


@router.get("/people", response=list[PersonOut])
def list_people(request: HttpRequest, area: str = "", limit: int = 100, offset: int = 0) -> list[PersonOut]:
    access.require(request.user, "person.view")
    people = Person.objects.visible_to(request.user).select_related("area")
    if area:
        people = people.filter(area__path__contains=f"/{area}/")
    limit = max(1, min(limit, 500))
    offset = max(0, offset)
    return [_person_out(p) for p in people.order_by("id")[offset : offset + limit]]


@router.get("/people/{person_id}", response=PersonOut)
def get_person(request: HttpRequest, person_id: int) -> PersonOut:
    access.require(request.user, "person.view")
    person = access.get_visible_or_404(Person.objects.select_related("area"), request.user, pk=person_id)
    return _person_out(person)


@router.get("/areas", response=list[AreaOut])
def list_areas(request: HttpRequest) -> list[AreaOut]:
    access.require(request.user, "area.view")
    areas = access.visible_areas(request.user).select_related("parent")
    return [
        AreaOut(
            id=a.pk,
            code=a.code,
            name=a.name,
            level=a.level,
            parent_code=a.parent.code if a.parent else None,
            residents=a.residents,
            households=a.households,
        )
        for a in areas
    ]
