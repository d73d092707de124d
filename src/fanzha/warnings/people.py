"""The person a warning is about: found (by ID number, else phone), made, or filled in by a later report.

A row names its person by search hashes (:data:`Keys`); a new person is built from the row
(:func:`new_person`), a known one learns what it lacks from later rows (:func:`fill_person`). Both
intake paths — one warning (:mod:`services`) and a file (:mod:`bulk`) — decide with these functions.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from fanzha.core.models import Area, Person
from fanzha.core.pii import crypto, idcard
from fanzha.warnings import fastwrite, routing
from fanzha.warnings.intake import CleanWarning, age_on

if TYPE_CHECKING:
    from fanzha.warnings.services import Intake


def plain_hash(kind: str, value: str) -> str:
    return crypto.search_hash(kind, value) if value else ""


def match_person(clean: CleanWarning) -> Person | None:
    """The known person: by ID number, else by phone (see :func:`phone_match`)."""
    if clean.id_number:
        found = Person.objects.with_id_number_hash(crypto.search_hash("id_number", clean.id_number)).first()
        if found is not None:
            return found
    if clean.phone:
        digest = crypto.search_hash("phone", clean.phone)
        name = crypto.search_hash("name", clean.name) if clean.name else ""
        for person in Person.objects.filter(phone_hash=digest).order_by("id")[:5]:
            if phone_match(clean, name, person):
                return person
    return None


def phone_match(clean: CleanWarning, name_hash: str, person: Person) -> bool:
    """Whether a person found by the row's phone is the row's person: not when both have ID numbers
    (the ID number decided already), nor when both have names that differ — a village committee's or
    a family's landline given for several people."""
    if clean.id_number and person.id_number_hash:
        return False
    return not (name_hash and person.name_hash and name_hash != person.name_hash)


def age_on_record(intake: Intake, clean: CleanWarning, person: Person | None) -> None:
    """A row that tells no age (no ID number, or one without a birth date: a phone-only operator list,
    a 号码研判 victim) takes the age the known person's ID number gives on the day of the warning, so
    the grading's age rules read it as they read the row's own (the same reason, “76 岁”). The person's
    number is already decrypted with them (no query); its birth date is read once a run per number."""
    if person is None or not person.id_number or clean.facts.get("age") is not None:
        return
    clean.facts["age"] = age_on(intake.birth_date(person.id_number), clean.warned_at.date())


# ── one 预警编号, two people ──────────────────────────────────────────────────────

# The person a row names, as search hashes: (ID number, phone, name); "" for what it lacks.
Keys = tuple[str, str, str]


def person_keys(intake: Intake, clean: CleanWarning) -> Keys:
    return (
        intake.hash("id_number", clean.id_number),
        intake.hash("phone", clean.phone),
        intake.hash("name", clean.name),
    )


def keys_of(person: Person) -> Keys:
    return (person.id_number_hash or "", person.phone_hash or "", person.name_hash or "")


def same_person(row: Keys, known: Keys) -> bool:
    """Whether a row names the person of the warning already received under its (source, 预警编号).

    The same ID number or phone: the same person. Otherwise two ID numbers that differ, or (nothing
    to compare) two names that differ: another person — a bank that numbers each day's list from 1,
    two banks' ``YJ…-0001``, one id twice in a file. A phone that differs under the same name and no
    other ID number is the sender correcting the row, not someone else.
    """
    (row_id, row_phone, row_name), (known_id, known_phone, known_name) = row, known
    if (row_id and row_id == known_id) or (row_phone and row_phone == known_phone):
        return True
    if row_id and known_id:
        return False
    return not (row_name and known_name and row_name != known_name)


# ── a person first met, and one met again ────────────────────────────────────


def new_person(clean: CleanWarning, area: Area, intake: Intake | None = None) -> Person:
    """A person first met through a warning, not saved yet (the warning's audit record covers it)."""
    hash_of = intake.hash if intake is not None else plain_hash
    return fastwrite.build(
        Person,
        name=clean.name,
        name_hash=hash_of("name", clean.name),
        **id_fields(clean, hash_of),
        phone=clean.phone,
        phone_hash=hash_of("phone", clean.phone),
        address=clean.address,
        area=area,
        notes="由预警登记",
    )


def id_fields(clean: CleanWarning, hash_of: Callable[[str, str], str]) -> dict[str, Any]:
    """The row's ID number as a Person stores it: the value, its search hash and the sex, birth year and
    check warnings it tells (a new person, and a known one that learns it: :func:`fill_person`)."""
    check = clean.id_check
    if check is None or check.normalized != clean.id_number:
        check = idcard.check_id_number(clean.id_number) if clean.id_number else None
    return {
        "id_number": clean.id_number,
        "id_number_hash": hash_of("id_number", clean.id_number),
        "sex": (check.sex if check else "") or "",
        "birth_year": check.birth_date.year if check and check.birth_date else None,
        "id_number_warnings": list(check.warnings) if check else [],
    }


# ── a known person's missing details, filled from a later report ─────────────

# What a report may fill when the known person lacks it (history lines name them, never the values)
# and the Person columns each writes.
FILLED = {"id_number": "身份证号", "name": "姓名", "phone": "手机号", "address": "现住址", "area": "所属区划"}
FILLED_FIELDS = {
    "id_number": ["id_number", "id_number_hash", "sex", "birth_year", "id_number_warnings"],
    "name": ["name", "name_hash"],
    "phone": ["phone", "phone_hash"],
    "address": ["address"],
    "area": ["area"],
}
ID_HELD = "该身份证号已登记在另一人员名下，未补充到按手机号匹配的人员，请核实"
NAME_DIFFERS = "与已登记人员的姓名不同，人员登记未更改，请核实"
PHONE_DIFFERS = (
    "手机号与已登记的不同：人员登记未更改，本预警按本次的号码联系；如登记的号码已不用，请在人员页更正"
)


def fill_person(
    intake: Intake,
    person: Person,
    clean: CleanWarning,
    place: routing.Placement | None,
    holder: Callable[[str], Person | None],
) -> list[str]:
    """Fill what the known ``person`` lacks from the row (in memory, not saved); the FILLED codes.

    An ID number (valid only; not when ``holder`` — who holds an ID number hash — names another
    person: a row notice instead), a name, a phone, an address, a place (:func:`_fill_area`); never a
    value the person has (a different name: a notice; a different phone: a notice, and the row's number
    kept on the warning as ``clean.phone_raw``, the number the warning's page shows and reveals).
    ``place``: the row's placement, worked out here when None.
    """
    filled = []
    if clean.id_number and not person.id_number_hash and not person.id_number:
        fields = id_fields(clean, intake.hash)
        other = holder(fields["id_number_hash"])
        if other is not None and other.pk != person.pk:
            clean.notices.append(("身份证号", ID_HELD))
        else:
            fields["sex"] = person.sex or fields["sex"]
            if person.birth_year is not None:
                fields["birth_year"] = person.birth_year
            _set(person, fields)
            filled.append("id_number")
    if clean.name and not person.name:
        _set(person, {"name": clean.name, "name_hash": intake.hash("name", clean.name)})
        filled.append("name")
    elif clean.name and person.name_hash and intake.hash("name", clean.name) != person.name_hash:
        clean.notices.append(("姓名", NAME_DIFFERS))
    if clean.phone and not person.phone:
        _set(person, {"phone": clean.phone, "phone_hash": intake.hash("phone", clean.phone)})
        filled.append("phone")
    elif clean.phone and person.phone_hash and intake.hash("phone", clean.phone) != person.phone_hash:
        clean.phone_raw = clean.phone  # the report's own number, kept on the warning: it is called on
        clean.notices.append(("手机号", PHONE_DIFFERS))
    if clean.address and not person.address:
        person.address = clean.address
        filled.append("address")
    if clean.address and _fill_area(intake, person, clean, place):
        filled.append("area")
    return filled


def _set(person: Person, fields: dict[str, Any]) -> None:
    for name, value in fields.items():
        setattr(person, name, value)


def _fill_area(intake: Intake, person: Person, clean: CleanWarning, place: routing.Placement | None) -> bool:
    """A person not placed in a village or grid (the centre's queue, a township, a phone's city) moved to
    where the row's address places them, when that lies within their area (never elsewhere)."""
    current = intake.locator.by_id.get(person.area_id) or person.area
    if current.level in routing.PLACED_LEVELS:
        return False
    if place is None:
        place = intake.locator.locate(address=clean.address, number="", person_area=None)
    if not place.placed or place.area.pk == current.pk or not place.area.path.startswith(current.path):
        return False
    fastwrite.relate(person, "area", place.area)
    return True


def filled_text(filled: list[str]) -> str:
    """The history line's words for what a report filled in ("" for nothing)."""
    return f"；补充了人员的{'、'.join(FILLED[code] for code in filled)}" if filled else ""


def id_holder(digest: str) -> Person | None:
    found: Person | None = Person.objects.with_id_number_hash(digest).first()
    return found
