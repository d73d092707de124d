"""Writes and audited reads of people (人员). Views, API, CLI and importers only call these."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from fanzha.audit.services import audit_change, audit_pii_read, audit_record
from fanzha.core import access
from fanzha.core.models import Area, Person
from fanzha.core.models.persons import KeyGroup
from fanzha.core.pii import crypto, idcard, phone
from fanzha.core.pii.masking import scrub_text
from fanzha.core.services.areas import require_in_force

SENSITIVE_FIELDS = ("name", "id_number", "phone", "address")
FIELD_LABELS = {"name": "姓名", "id_number": "身份证号", "phone": "手机号", "address": "现住址"}
# One answer wherever the existing record is, so a registration attempt says no more than it must.
DUPLICATE_ID_NUMBER = "该身份证号已有登记；如该人员已迁入本辖区，请联系反诈中心办理迁移"
# Why someone reads a field in clear (PIPL art. 6: for a definite, reasonable purpose); kept in pii.read.
REVEAL_PURPOSES = {
    "contact": "联系本人（电话劝阻、回访）",
    "visit": "上门走访核实",
    "verify": "核对身份或登记信息",
    "case": "案件、止付办理",
    "correct": "更正错误信息",
}
RETIRED_THEN = "请选择现行的村（社区）或网格"  # a person is put in areas in force only
EDITABLE = ("name", "id_number", "phone", "address", "area", "key_groups", "notes")


@dataclass
class PersonData:
    name: str
    area: Area
    id_number: str = ""
    phone: str = ""
    address: str = ""
    key_groups: list[str] = field(default_factory=list)
    notes: str = ""


def _clean(data: PersonData) -> tuple[PersonData, dict[str, Any]]:
    """Normalised data and the derived columns; a ValidationError names each bad field in Chinese."""
    errors: dict[str, str] = {}
    derived: dict[str, Any] = {"sex": "", "birth_year": None, "id_number_warnings": []}
    data.name = data.name.strip()
    if not data.name:
        errors["name"] = "请填写姓名"
    if data.id_number.strip():
        check = idcard.check_id_number(data.id_number)
        if not check.valid:
            errors["id_number"] = "；".join(check.errors)
        else:
            data.id_number = check.normalized
            derived.update(
                sex=check.sex or "", birth_year=check.birth_date.year if check.birth_date else None
            )
            derived["id_number_warnings"] = list(check.warnings)
    if data.phone.strip():
        info = phone.phone_info(data.phone)
        if not info.valid:
            errors["phone"] = "；".join(info.errors) or "手机号码无效"
        else:
            data.phone = info.normalized
    data.notes = scrub_text(data.notes)  # free text: numbers and ids masked, as a warning's notes are
    unknown = [g for g in data.key_groups if g not in KeyGroup.values]
    if unknown:
        errors["key_groups"] = f"未知的重点人群类别：{'、'.join(unknown)}"
    if errors:
        raise ValidationError(errors)
    return data, derived


def _hashes(data: PersonData) -> dict[str, str]:
    return {
        "name_hash": crypto.search_hash("name", data.name),
        "id_number_hash": crypto.search_hash("id_number", data.id_number) if data.id_number else "",
        "phone_hash": crypto.search_hash("phone", data.phone) if data.phone else "",
    }


def _require_area(actor: Any, area: Area) -> None:
    if not access.area_visible_to(actor, area):
        raise PermissionDenied("该区划不在您的管辖范围内")


def find_by_id_number(*, actor: Any, id_number: str) -> Person | None:
    """The person with this ID number within the actor's scope (None elsewhere, as if missing)."""
    check = idcard.check_id_number(id_number)
    value = check.normalized if check.valid else id_number.strip().upper()
    people = Person.objects.visible_to(actor)
    return people.with_id_number_hash(crypto.search_hash("id_number", value)).first()


@transaction.atomic
def person_create(*, actor: Any, data: PersonData) -> Person:
    access.require(actor, "person.edit")
    _require_area(actor, data.area)
    require_in_force("area", [data.area], RETIRED_THEN)
    data, derived = _clean(data)
    hashes = _hashes(data)
    if hashes["id_number_hash"] and Person.objects.with_id_number_hash(hashes["id_number_hash"]).exists():
        raise ValidationError({"id_number": DUPLICATE_ID_NUMBER})
    person = Person(
        name=data.name,
        id_number=data.id_number,
        phone=data.phone,
        address=data.address,
        area=data.area,
        key_groups=data.key_groups,
        notes=data.notes,
        **derived,
        **hashes,
    )
    # Field checks only: uniqueness was checked above (and the database enforces it), the area is an
    # object we already hold; skipping those checks saves two queries a row in bulk imports.
    person.full_clean(
        exclude=["name_hash", "id_number_hash", "phone_hash", "area"],
        validate_unique=False,
        validate_constraints=False,
    )
    person.save()
    audit_change(
        actor=actor, obj=person, action="record.create", changed=[f for f in EDITABLE if getattr(data, f)]
    )
    return person


@transaction.atomic
def person_update(*, actor: Any, person: Person, data: PersonData) -> list[str]:
    """Apply the changes; returns the names of the fields that changed (audited, values never logged)."""
    access.require(actor, "person.edit")
    _require_area(actor, person.area)
    _require_area(actor, data.area)
    if data.area != person.area:  # one already there stays until moved
        require_in_force("area", [data.area], RETIRED_THEN)
    data, derived = _clean(data)
    hashes = _hashes(data)
    duplicate = Person.objects.with_id_number_hash(hashes["id_number_hash"]).exclude(pk=person.pk)
    if hashes["id_number_hash"] and duplicate.exists():
        raise ValidationError({"id_number": DUPLICATE_ID_NUMBER})
    changed = [name for name in EDITABLE if getattr(person, name) != getattr(data, name)]
    if not changed:
        return []
    for name in EDITABLE:
        setattr(person, name, getattr(data, name))
    for name, value in {**derived, **hashes}.items():
        setattr(person, name, value)
    person.save()
    audit_change(actor=actor, obj=person, action="record.update", changed=changed)
    return changed


@transaction.atomic
def person_delete(*, actor: Any, person: Person) -> None:
    access.require(actor, "person.edit")
    _require_area(actor, person.area)
    audit_change(actor=actor, obj=person, action="record.delete", changed=[])
    person.delete()


@transaction.atomic
def person_reveal(*, actor: Any, person: Person, field_name: str, purpose: str) -> str:
    """The clear value of one sensitive field, for roles that may reveal, for a stated purpose (audited)."""
    if field_name not in SENSITIVE_FIELDS:
        raise ValueError(f"not a sensitive field: {field_name}")
    if purpose not in REVEAL_PURPOSES:
        raise ValidationError({"purpose": "请先选择查看原因"})
    access.require(actor, "person.reveal")
    _require_area(actor, person.area)
    audit_pii_read(actor=actor, obj=person, fields=[field_name], purpose=purpose)
    return str(getattr(person, field_name))


REHASH_CHUNK = 2000


def stale_name_hashes(people: Any) -> list[Any]:
    """The people of ``people`` (a queryset; a migration's historical model too) whose ``name_hash``
    is not what the name gives now, with the new hash set (not saved)."""
    changed = []
    for person in people.only("pk", "name", "name_hash").order_by("pk").iterator(REHASH_CHUNK):
        digest = crypto.search_hash("name", person.name) if person.name else ""
        if digest != person.name_hash:
            person.name_hash = digest
            changed.append(person)
    return changed


def rehash_names() -> int:
    """Each person's name search hash (``name_hash``) made again where it is not what
    ``crypto.search_hash`` gives now; the number of people updated.

    Names compare without letter case since 2026-12: a Latin name stored before in capitals or mixed
    case ("JOHN SMITH") holds the old hash, so a list writing "John Smith" under the same phone, and a
    search by name, found another person. Chinese names have no case: their hashes are unchanged.
    ``migrate`` runs it once (core 0006); ``fanzha rehash_names`` runs it by hand; running it again
    changes nothing. One audit record names the column and the count (no names)."""
    changed = stale_name_hashes(Person.objects.all())
    with transaction.atomic():
        for start in range(0, len(changed), REHASH_CHUNK):
            Person.objects.bulk_update(changed[start : start + REHASH_CHUNK], ["name_hash"])
        if changed:
            audit_record(
                actor=None,
                action="record.update",
                object_type="core.person",
                fields=["name_hash"],
                details={"rehashed": len(changed), "why": "姓名检索哈希改为不区分大小写"},
            )
    return len(changed)
