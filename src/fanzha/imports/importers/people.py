"""People (人员): upserted by ID number (keyed hash), only inside the importer's jurisdiction."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError

from fanzha.core import access
from fanzha.core.locks import lock_intake
from fanzha.core.models import Area, Person
from fanzha.core.models.persons import KeyGroup
from fanzha.core.pii import crypto, idcard, phone
from fanzha.core.services import areas as area_services
from fanzha.core.services import persons as person_services
from fanzha.imports.columns import NUMERIC_AREA_CODE, NUMERIC_REJECT, Field
from fanzha.imports.importers.areas import LossyAreaCode, read_area_code, validation_message
from fanzha.imports.importers.base import NEW, UNCHANGED, UPDATED, Importer, Row, RowRejected
from fanzha.warnings.routing import place_key

OUTSIDE = "该区划不在您的管辖范围内"
NO_SUCH_AREA = "系统中没有该区划"
NO_SUCH_NAME = "您的辖区内没有这个名称的区划，请核对或改填区划代码"
RETIRED = "该区划已撤销（撤并），请改填现行的区划"
# A number another system masked (脱敏) before sending the list: 331102********0010, 138****1111, 138xxxx1111.
MASKED = re.compile(r"[*＊]|[xX]{3,}")
MASKED_SAYS = "已脱敏（含 * 号），无法核对本人，请提供完整号码"
GROUP_SPLIT = re.compile(r"[、,，;；/|\s]+")
GROUP_WORDS = {
    **{label: code for code, label in KeyGroup.choices},
    **{code: code for code in KeyGroup.values},
}

FIELDS = [
    Field("name", "姓名", ("名字", "人员姓名", "name", "full name"), required=True, pii="name"),
    Field(
        "id_number",
        "身份证号",
        ("身份证号码", "公民身份号码", "证件号码", "身份证", "证件号", "id_number", "id no", "id number"),
        required=True,
        numeric=NUMERIC_REJECT,
        pii="id_number",
        fold=True,
    ),
    Field(
        "phone",
        "手机号",
        ("手机号码", "联系电话", "电话", "手机", "电话号码", "phone", "mobile"),
        numeric=NUMERIC_REJECT,
        pii="phone",
        fold=True,
    ),
    Field("address", "现住址", ("住址", "地址", "居住地址", "家庭住址", "address"), pii="address"),
    Field(
        "area_code",
        "区划代码",
        ("行政区划代码", "所属区划代码", "网格代码", "area code", "code"),
        numeric=NUMERIC_AREA_CODE,
        fold=True,
    ),
    Field(
        "area_name", "所属区划", ("区划", "区划名称", "所属网格", "所属村社区", "村社区", "area", "area name")
    ),
    Field(
        "key_groups",
        "重点人群",
        ("人群类别", "人员类别", "重点人群类别", "key groups", "key group"),
        fold=True,
    ),
]
KEEP_WHEN_BLANK = ("phone", "address")
LOCK_CHUNK = 1000  # ID numbers a query when the file's people are locked


@dataclass(frozen=True)
class Retired:
    """The retired (撤并) areas a cell names: one by code; by name, each of that name in the jurisdiction.
    Who already has one keeps it (a person stays in a retired area until moved); nobody is put in one."""

    areas: tuple[Area, ...]

    def held(self, area_id: int | None) -> Area | None:
        """The one of them that ``area_id`` (what the record has now) is, if any."""
        return next((area for area in self.areas if area.pk == area_id), None)


def parse_key_groups(text: str) -> tuple[list[str], list[str]]:
    """Codes in the order of KeyGroup, and the words that are no key group."""
    words = [w for w in GROUP_SPLIT.split(text) if w]
    unknown = [w for w in words if w not in GROUP_WORDS]
    codes = {GROUP_WORDS[w] for w in words if w in GROUP_WORDS}
    return [code for code in KeyGroup.values if code in codes], unknown


class PersonImporter(Importer):
    code = "people"
    label = "人员"
    permission = "person.import"
    read_permission = "person.view"
    fields = FIELDS

    def __init__(self) -> None:
        self._areas: dict[tuple[str, str], Area | Retired | str] = {}
        self._places: dict[str, list[int]] | None = None  # the jurisdiction's areas by place_key, read once
        self._digests: list[str] = []  # the file's ID numbers (search hashes), locked at the commit

    def extra_missing(self, present: set[str]) -> list[str]:
        return [] if present & {"area_code", "area_name"} else ["区划代码或所属区划"]

    def _area(self, actor: Any, kind: str, text: str) -> Area | Retired | str:
        """The area named by code or name inside the actor's jurisdiction, or the error message (read
        once a file for each cell text)."""
        key = (kind, text)
        if key not in self._areas:
            self._areas[key] = self._by_code(actor, text) if kind == "code" else self._by_name(actor, text)
        return self._areas[key]

    def _by_code(self, actor: Any, text: str) -> Area | Retired | str:
        """The area of a code as lists write it (6/9/12 digits, grouped by spaces, 331199100001.0), as
        the area import reads it; a code in scientific notation is refused, saying why."""
        try:
            code = read_area_code(text)
        except LossyAreaCode as exc:
            return f"区划代码{exc}"
        area = area_services.find_area(code)
        if area is None:
            return NO_SUCH_AREA
        if not access.area_visible_to(actor, area):
            return OUTSIDE
        return area if area.is_active else Retired((area,))

    def _by_name(self, actor: Any, text: str) -> Area | Retired | str:
        """The area of a name in the jurisdiction — as the tree writes it, else as people write it
        (英溪社区 for the statistical list's 英溪社区居委会, 五四村 for 五四村委会, 城关街道 for
        城关街道办事处) —, or of a code written in the name's column (所属区划: 331199100001)."""
        try:
            if read_area_code(text).isdigit():
                return self._by_code(actor, text)
        except LossyAreaCode as exc:
            return f"区划代码{exc}"
        named = access.visible_areas(actor).filter(name=text)
        if not named.exists():
            named = access.visible_areas(actor).filter(pk__in=self._places_of(actor).get(place_key(text), []))
        found = list(named.filter(is_active=True)[:2])
        if len(found) > 1:
            return "辖区内有多个同名区划，请改填区划代码"
        if found:
            return found[0]
        retired = tuple(named.order_by("path"))
        return Retired(retired) if retired else NO_SUCH_NAME

    def _places_of(self, actor: Any) -> dict[str, list[int]]:
        """The jurisdiction's areas by :func:`place_key` of their names (read once a file)."""
        if self._places is None:
            self._places = {}
            for pk, name in access.visible_areas(actor).values_list("pk", "name"):
                self._places.setdefault(place_key(name), []).append(pk)
        return self._places

    def read_area(self, actor: Any, row: Row) -> tuple[Area | Retired | str, Field, str] | None:
        """What the row's area cell names (区划代码, else 所属区划), with the cell; None when both are
        blank (the row's error is added)."""
        code, name = row.values.get("area_code", ""), row.values.get("area_name", "")
        if not code and not name:
            row.error(self.field("area_code"), "请填写区划代码或所属区划")
            return None
        f, kind, text = (
            (self.field("area_code"), "code", code) if code else (self.field("area_name"), "name", name)
        )
        return self._area(actor, kind, text), f, text

    def _check_area(self, actor: Any, row: Row, existing: Person | None = None) -> Area | None:
        """The row's area in force — or the retired (撤并) one the existing person is registered in,
        kept unchanged as the person service keeps it; a new person, or one moved, is refused it."""
        read = self.read_area(actor, row)
        if read is None:
            return None
        found, f, text = read
        if isinstance(found, Retired):
            found = found.held(existing.area_id if existing else None) or RETIRED
        if isinstance(found, str):
            row.error(f, found, text)
            return None
        return found

    def _check_identity(self, row: Row) -> str:
        values = row.values
        if not values.get("name"):
            row.error(self.field("name"), "请填写姓名")
        number = values.get("id_number", "")
        if not number:
            row.error(self.field("id_number"), "请填写身份证号")
            return ""
        if MASKED.search(number):
            row.error(self.field("id_number"), "身份证号" + MASKED_SAYS, number)
            return ""
        check = idcard.check_id_number(number)
        if not check.valid:
            row.error(self.field("id_number"), "；".join(check.errors) or "身份证号无效", number)
            return ""
        return check.normalized

    def _check_contact(self, row: Row) -> tuple[str, list[str]]:
        number = row.values.get("phone", "")
        normalized = ""
        if number and MASKED.search(number):
            row.error(self.field("phone"), "手机号" + MASKED_SAYS, number)
        elif number:
            info = phone.phone_info(number)
            if info.valid:
                normalized = info.normalized
            else:
                row.error(self.field("phone"), "；".join(info.errors) or "手机号码无效", number)
        groups, unknown = parse_key_groups(row.values.get("key_groups", ""))
        if unknown:
            row.error(
                self.field("key_groups"), f"未知的重点人群类别：{'、'.join(unknown)}", "、".join(unknown)
            )
        return normalized, groups

    def validate_row(self, *, actor: Any, row: Row) -> None:
        id_number = self._check_identity(row)
        phone_number, groups = self._check_contact(row)
        existing = None
        if id_number:
            digest = crypto.search_hash("id_number", id_number)
            self._digests.append(digest)
            existing = Person.objects.with_id_number_hash(digest).select_related("area").first()
            if existing is not None and not access.area_visible_to(actor, existing.area):
                row.error(self.field("id_number"), person_services.DUPLICATE_ID_NUMBER, id_number)
        area = self._check_area(actor, row, existing)
        if row.errors:
            return
        row.cleaned = {
            "name": row.values["name"],
            "id_number": id_number,
            "phone": phone_number,
            "address": row.values.get("address", ""),
            "area": area,
            "key_groups": groups,
            "existing": existing.pk if existing else None,
        }

    def validate_file(self, *, actor: Any, rows: list[Row]) -> None:
        self.reject_duplicates(rows, "id_number", self.field("id_number"), "身份证号")

    def _data(self, row: Row, person: Person | None) -> person_services.PersonData:
        data = dict(row.cleaned)
        if person is not None:
            for name in KEEP_WHEN_BLANK:
                data[name] = data[name] or getattr(person, name)
            data["key_groups"] = data["key_groups"] or list(person.key_groups)
        return person_services.PersonData(
            name=data["name"],
            area=data["area"],
            id_number=data["id_number"],
            phone=data["phone"],
            address=data["address"],
            key_groups=data["key_groups"],
            notes=person.notes if person else "",
        )

    def begin(self, batch: Any) -> None:
        """People are created by one writer at a time: the warning intake's lock (a warning list or
        push registers people too), so two files naming the same person never both create them. Then
        the file's people already registered are locked, in id order, before the first row's audit
        record takes the audit chain's lock: an edit of one of them on their page (its row, then the
        chain) would otherwise hold the row the file comes to while waiting for the file (a deadlock)."""
        lock_intake()
        held = Person.objects.select_for_update(of=("self",)).order_by("pk")
        for start in range(0, len(self._digests), LOCK_CHUNK):
            list(held.with_id_number_hash(*self._digests[start : start + LOCK_CHUNK]).values_list("pk"))

    def _current(self, actor: Any, row: Row) -> Person | None:
        """The row's person as committed now, looked up again behind the lock: one registered since the
        check (by another file, a warning list or a push) is found and updated, not created twice."""
        digest = crypto.search_hash("id_number", row.cleaned["id_number"])
        person: Person | None = Person.objects.with_id_number_hash(digest).select_related("area").first()
        if person is not None and not access.area_visible_to(actor, person.area):
            raise RowRejected(person_services.DUPLICATE_ID_NUMBER, self.field("id_number").label)
        return person

    def commit_row(self, *, actor: Any, row: Row) -> str:
        person = self._current(actor, row)
        try:
            if person is None:
                person_services.person_create(actor=actor, data=self._data(row, None))
                return NEW
            changed = person_services.person_update(actor=actor, person=person, data=self._data(row, person))
        except ValidationError as exc:
            raise RowRejected(validation_message(exc)) from exc
        except PermissionDenied as exc:
            raise RowRejected(OUTSIDE) from exc
        return UPDATED if changed else UNCHANGED
