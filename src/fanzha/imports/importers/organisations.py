"""Organisations (单位): police stations, bank branches, village committees…, keyed by their name.

A county centre moving to fanzha loads its hundreds of units from one list instead of typing them. Rows
go through the organisation services, so the checks (roles that fit the kind, no parent loop) and the
audit record are those of the 单位 page. A blank cell keeps what an existing organisation has.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from django.core.exceptions import ValidationError

from fanzha.core.models import Area, Organisation
from fanzha.core.models.areas import AreaLevel
from fanzha.core.models.organisations import OrganisationKind, unit_key
from fanzha.core.services import areas as area_services
from fanzha.core.services import organisations as org_services
from fanzha.imports.columns import NUMERIC_AREA_CODE, NUMERIC_INTEGER, NUMERIC_REJECT, Field
from fanzha.imports.importers.areas import LossyAreaCode, read_area_code, validation_message
from fanzha.imports.importers.base import NEW, UNCHANGED, UPDATED, Importer, Row, RowRejected
from fanzha.warnings.routing import place_key

NAME_MAX = 120  # Organisation.name
TEXT_MAX = 32  # Organisation.code, Organisation.contact_phone
# An area code (digits or letters; printed lists group digits with spaces), else a name or name path.
AREA_CODE = re.compile(r"^[0-9A-Za-z]{1,32}$")
AREA_LIST_SPLIT = re.compile(r"[、,，;；\n]+")
NAME_PATH_SPLIT = re.compile(r"\s*[/／>＞›»]\s*")


def _word_key(text: str) -> str:
    return re.sub(r"[\s_]+", "", unicodedata.normalize("NFKC", text).lower())


# The kind by its label or code, and the words county lists use for it.
_KIND_SYNONYMS: dict[str, tuple[str, ...]] = {
    OrganisationKind.CENTRE: ("中心", "反诈中心", "反电诈中心", "反诈骗中心", "centre", "center"),
    OrganisationKind.POLICE_STATION: ("派出所", "公安派出所", "police station"),
    OrganisationKind.TOWNSHIP_GOVERNMENT: (
        "乡镇政府",
        "乡政府",
        "镇政府",
        "街道办",
        "街道办事处",
        "township government",
    ),
    OrganisationKind.VILLAGE_COMMITTEE: (
        "村委会",
        "居委会",
        "村居委会",
        "村民委员会",
        "居民委员会",
        "社区居委会",
        "village committee",
    ),
    OrganisationKind.BANK: ("银行", "银行网点", "支行", "分行", "bank"),
    OrganisationKind.TELECOM: ("运营商", "电信运营商", "营业厅", "运营商营业厅", "telecom", "operator"),
    OrganisationKind.SCHOOL: ("学校", "school"),
    OrganisationKind.HOSPITAL: ("医院", "卫生院", "hospital"),
    OrganisationKind.OTHER: ("其他", "其它", "other"),
}
KIND_WORDS: dict[str, str] = {
    _word_key(word): str(kind)
    for kind, words in _KIND_SYNONYMS.items()
    for word in (kind.label, kind.value, *words)
}
KIND_HINT = "、".join(OrganisationKind.labels)

FIELDS = [
    Field(
        "name",
        "单位名称",
        ("名称", "单位", "机构名称", "name", "organisation name", "organization name", "unit name"),
        required=True,
    ),
    Field(
        "kind", "单位类型", ("类型", "单位类别", "机构类型", "kind", "type", "organisation type"), fold=True
    ),
    Field(
        "area",
        "所属区划",
        ("所在区划", "所属区划代码", "区划代码", "区划", "area", "area code"),
        numeric=NUMERIC_AREA_CODE,
    ),
    Field("parent", "上级单位", ("上级单位名称", "上级", "parent", "parent organisation")),
    Field(
        "covered",
        "管辖区划",
        ("管辖范围", "辖区", "管辖区划代码", "covered areas", "jurisdiction"),
        numeric=NUMERIC_AREA_CODE,
    ),
    Field(
        "code",
        "机构代码",
        ("组织机构代码", "统一社会信用代码", "机构编码", "organisation code", "organization code"),
        numeric=NUMERIC_INTEGER,
        fold=True,
    ),
    Field(
        "contact_phone",
        "值班电话",
        ("联系电话", "电话", "duty phone", "contact phone", "phone"),
        numeric=NUMERIC_REJECT,
        fold=True,
    ),
]


SAME_UNIT_NOTICE = "与系统中的单位“{name}”只差全角/半角或空格，已按该单位导入（名称不变）"
ALIKE_NOTE = "（仅全角/半角或空格不同）"
LOOP = "本文件中的上级单位关系形成循环"
UNITS_ALIKE = "系统中有多个单位的名称与此只差全角/半角或空格：{names}，请照写其中一个"


class StoredUnits:
    """The stored units' names (read once), looked up as written, else as :func:`unit_key` compares
    them when that names one unit only."""

    def __init__(self) -> None:
        self.pks: dict[str, int] = dict(Organisation.objects.values_list("name", "pk"))
        self._by_key: dict[str, list[str]] = {}
        for name in sorted(self.pks):
            self._by_key.setdefault(unit_key(name), []).append(name)

    def name_of(self, text: str) -> str | None:
        """The stored name ``text`` names, or None (no unit, or several alike: see :meth:`alike`)."""
        if text in self.pks:
            return text
        names = self._by_key.get(unit_key(text), [])
        return names[0] if len(names) == 1 else None

    def alike(self, text: str) -> list[str]:
        """The stored names ``text`` might mean when it names none exactly and several by its key."""
        names = self._by_key.get(unit_key(text), [])
        return names if text not in self.pks and len(names) > 1 else []


def parse_kind(text: str) -> str | None:
    return KIND_WORDS.get(_word_key(text))


def _within(area: Area, names_above: list[str]) -> bool:
    """Whether ``names_above`` are names of ``area``'s ancestors, top first (a name path may skip levels:
    青溪县/石桥村), as the tree writes them or as people do (:func:`place_key`: 城关街道 for
    城关街道办事处)."""
    ancestors = [a.name for a in area.ancestors()]
    position = 0
    for name in names_above:
        while position < len(ancestors) and not _same_place(ancestors[position], name):
            position += 1
        if position == len(ancestors):
            return False
        position += 1
    return True


def _same_place(tree_name: str, written: str) -> bool:
    return tree_name == written or place_key(tree_name) == place_key(written)


class OrganisationImporter(Importer):
    code = "organisations"
    label = "单位"
    permission = "organisation.manage"
    read_permission = "organisation.view"
    fields = FIELDS

    def __init__(self) -> None:
        self._areas: dict[str, Area | str] = {}
        self._stored: StoredUnits | None = None  # the stored units' names, read once a file
        self._held: dict[int, set[int]] | None = None  # a stored unit's pk → its area and covered areas
        self._by_key: dict[str, list[Area]] | None = None  # the tree's areas by place_key, read once a file
        self._notices: list[tuple[int, str, str]] = []  # (row, column, message) of the rows imported

    def _units(self) -> StoredUnits:
        """The stored units, from one read of all units a file, not one a row."""
        if self._stored is None:
            self._stored = StoredUnits()
        return self._stored

    def _existing(self, row: Row, name: str) -> tuple[str, int | None]:
        """The stored name and pk of the unit ``name`` names (names are unique; one written with other
        brackets or spaces is that unit), else ``name`` and None."""
        units = self._units()
        alike = units.alike(name)
        if alike:
            row.error(self.field("name"), UNITS_ALIKE.format(names="、".join(alike)), name)
        stored = units.name_of(name)
        return (stored, units.pks[stored]) if stored is not None else (name, None)

    def _held_by(self, existing: int | None) -> set[int]:
        """The areas a stored unit sits in or covers (read once a file): it keeps a retired (撤并) one."""
        if existing is None:
            return set()
        if self._held is None:
            self._held = {}
            for pk, area_id in Organisation.objects.values_list("pk", "area_id"):
                self._held.setdefault(pk, set()).add(area_id)
            for pk, area_id in Organisation.covered_areas.through.objects.values_list(
                "organisation_id", "area_id"
            ):
                self._held.setdefault(pk, set()).add(area_id)
        return self._held.get(existing, set())

    # ── areas ─────────────────────────────────────────────────────────────────

    def _area(self, text: str) -> Area | str:
        """The area a cell names (code or name path), or why it cannot hold an organisation."""
        if text not in self._areas:
            self._areas[text] = self._find_area(text)
        return self._areas[text]

    def _find_area(self, text: str) -> Area | str:
        try:
            compact = read_area_code(text)
        except LossyAreaCode as exc:
            return f"区划代码{exc}"
        if AREA_CODE.match(compact):
            found: Area | str = area_services.find_area(compact) or "系统中没有该区划代码"
        else:
            found = self._area_by_names(text)
        if isinstance(found, str):
            return found
        if found.level == AreaLevel.GRID:
            return "单位不能设在网格一级，请填写村/社区或以上的区划"
        return found

    def _area_by_names(self, text: str) -> Area | str:
        names = [name for name in NAME_PATH_SPLIT.split(text.strip()) if name]
        if not names:
            return "请填写区划代码或区划名称"
        matches = [a for a in self._named(names[-1]) if _within(a, names[:-1])]
        in_force = [a for a in matches if a.is_active]
        if len(in_force) == 1:
            return in_force[0]
        if len(in_force) > 1:
            return "有多个同名区划，请改填区划代码，或连同上级写出（如 青溪县/城关镇）"
        if len(matches) == 1:  # retired (撤并): refused unless the unit has it already
            return matches[0]
        if matches:
            return "该区划已撤销，不能再设单位或划入辖区"
        return "系统中没有这个名称的区划，请核对或改填区划代码"

    def _named(self, name: str) -> list[Area]:
        """The areas of this name: as the tree writes it, else as people write it (城关街道 names the
        statistical list's 城关街道办事处, 城东社区 its 城东社区居民委员会, 龙泉村 its 龙泉村民委员会)."""
        exact = list(Area.objects.filter(name=name))
        if exact:
            return exact
        if self._by_key is None:
            self._by_key = {}
            for area in Area.objects.all():
                self._by_key.setdefault(place_key(area.name), []).append(area)
        return self._by_key.get(place_key(name), [])

    def _one_area(self, row: Row, name: str, held: set[int]) -> Area | None:
        text = row.values.get(name, "")
        if not text:
            return None
        found = self._area(text)
        if isinstance(found, str):
            row.error(self.field(name), found, text)
            return None
        if not found.is_active and found.pk not in held:
            row.error(self.field(name), "该区划已撤销，不能再设单位或划入辖区", text)
            return None
        return found

    def _covered(self, row: Row, held: set[int]) -> list[Area] | None:
        """The covered areas, or None when the cell is blank (an existing organisation keeps its own)."""
        text = row.values.get("covered", "")
        parts = [part.strip() for part in AREA_LIST_SPLIT.split(text) if part.strip()]
        if not parts:
            return None
        areas: list[Area] = []
        for part in parts:
            found = self._area(part)
            if isinstance(found, Area) and not found.is_active and found.pk not in held:
                found = "该区划已撤销，不能再设单位或划入辖区"
            if isinstance(found, str):
                row.error(self.field("covered"), f"管辖区划“{part}”：{found}", part)
            elif found not in areas:
                areas.append(found)
        return areas

    # ── rows ──────────────────────────────────────────────────────────────────

    def _check_texts(self, row: Row) -> str:
        values = row.values
        name = values.get("name", "")
        if not name:
            row.error(self.field("name"), "请填写单位名称")
        elif len(name) > NAME_MAX:
            row.error(self.field("name"), f"单位名称不能超过 {NAME_MAX} 字", name)
        for field_name in ("code", "contact_phone"):
            text = values.get(field_name, "")
            if len(text) > TEXT_MAX:
                f = self.field(field_name)
                row.error(f, f"{f.label}不能超过 {TEXT_MAX} 个字符", text)
        if values.get("parent") and unit_key(values["parent"]) == unit_key(name):
            row.error(self.field("parent"), "上级单位不能是本单位", values["parent"])
        return name

    def _check_kind(self, row: Row) -> str | None:
        text = row.values.get("kind", "")
        if not text:
            return None
        kind = parse_kind(text)
        if kind is None:
            row.error(self.field("kind"), f"未知的单位类型，应为：{KIND_HINT}", text)
        return kind

    def validate_row(self, *, actor: Any, row: Row) -> None:
        name = self._check_texts(row)
        kind = self._check_kind(row)
        stored_name, existing = self._existing(row, name) if name else (name, None)
        held = self._held_by(existing)  # what it has already it keeps, retired (撤并) or not
        area = self._one_area(row, "area", held)
        covered = self._covered(row, held)
        if existing is None and name:
            if not row.values.get("kind"):
                row.error(self.field("kind"), "新单位须填写单位类型")
            if not row.values.get("area"):
                row.error(self.field("area"), "新单位须填写所属区划")
        if row.errors:
            return
        row.cleaned = {
            "name": stored_name,
            "written": name,
            "kind": kind,
            "area": area,
            "covered": covered,
            "parent": row.values.get("parent", ""),
            "code": row.values.get("code", ""),
            "contact_phone": row.values.get("contact_phone", ""),
            "existing": existing,
        }

    def validate_file(self, *, actor: Any, rows: list[Row]) -> None:
        self._reject_duplicate_names(rows)
        by_key = {unit_key(row.cleaned["name"]): row for row in rows if row.cleaned and not row.errors}
        in_file = {row.cleaned["name"]: row for row in by_key.values()}
        for row in rows:
            if not row.errors and row.cleaned.get("parent"):
                self._resolve_parent(row, by_key)
        for row in rows:
            if not row.errors and row.cleaned.get("parent") and self._in_loop(row, in_file):
                row.error(self.field("parent"), LOOP, row.values.get("parent", ""))

    def _resolve_parent(self, row: Row, by_key: dict[str, Row]) -> None:
        """The row's 上级单位 as the unit is named in the file or the system (with other brackets or
        spaces alike), or an error."""
        parent = row.cleaned["parent"]
        named = by_key.get(unit_key(parent))
        resolved = named.cleaned["name"] if named is not None else self._units().name_of(parent)
        alike = self._units().alike(parent)
        if resolved is None and alike:
            row.error(self.field("parent"), UNITS_ALIKE.format(names="、".join(alike)), parent)
        elif resolved is None:
            row.error(self.field("parent"), "系统和本文件中都没有该上级单位", parent)
        else:
            row.cleaned["parent"] = resolved

    def _reject_duplicate_names(self, rows: list[Row]) -> None:
        """A later row naming an earlier row's unit again, as written or with other brackets or spaces."""
        first: dict[str, Row] = {}
        for row in rows:
            if row.errors or not row.cleaned:
                continue
            earlier = first.setdefault(unit_key(row.cleaned["name"]), row)
            if earlier is row:
                continue
            alike = "" if row.cleaned["written"] == earlier.cleaned["written"] else ALIKE_NOTE
            message = f"与第 {earlier.number} 行的单位名称重复{alike}"
            row.error(self.field("name"), message, row.cleaned["written"])

    @staticmethod
    def _in_loop(row: Row, in_file: dict[str, Row]) -> bool:
        """Whether following the file's 上级单位 from ``row`` comes back to it."""
        seen = {row.cleaned["name"]}
        parent = row.cleaned.get("parent", "")
        while parent in in_file:
            if parent in seen:
                return parent == row.cleaned["name"]
            seen.add(parent)
            parent = in_file[parent].cleaned.get("parent", "")
        return False

    def order(self, rows: list[Row]) -> list[Row]:
        """Parents first: a row whose 上级单位 is in the file comes after that row."""
        in_file = {row.cleaned["name"]: row for row in rows}
        depths: dict[str, int] = {}

        def depth(row: Row) -> int:
            name = row.cleaned["name"]
            if name not in depths:
                parent = in_file.get(row.cleaned["parent"])
                depths[name] = 0 if parent is None else depth(parent) + 1
            return depths[name]

        return sorted(rows, key=depth)

    def row_notices(self) -> list[tuple[int, str, str]]:
        return self._notices

    def commit_row(self, *, actor: Any, row: Row) -> str:
        data = row.cleaned
        if data["written"] != data["name"]:
            notice = SAME_UNIT_NOTICE.format(name=data["name"])
            self._notices.append((row.number, self.field("name").label, notice))
        parent = Organisation.objects.get(name=data["parent"]) if data["parent"] else None
        existing = Organisation.objects.get(pk=data["existing"]) if data["existing"] else None
        try:
            if existing is None:
                org_services.organisation_create(
                    actor=actor,
                    name=data["name"],
                    kind=data["kind"],
                    area=data["area"],
                    covered_areas=data["covered"] or (),
                    parent=parent,
                    code=data["code"],
                    contact_phone=data["contact_phone"],
                )
                return NEW
            changes = {name: data[name] for name in ("kind", "area", "code", "contact_phone") if data[name]}
            if parent is not None:
                changes["parent"] = parent
            changed = org_services.organisation_update(
                actor=actor, organisation=existing, covered_areas=data["covered"], **changes
            )
        except ValidationError as exc:
            raise RowRejected(validation_message(exc)) from exc
        return UPDATED if changed else UNCHANGED
