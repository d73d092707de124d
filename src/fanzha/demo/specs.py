"""The demo county as plain data: what ``plan`` produces and ``build`` writes."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class AreaSpec:
    code: str
    name: str
    level: str  # fanzha.core.models.areas.AreaLevel value
    parent_code: str | None
    residents: int | None = None
    households: int | None = None
    kind: str = ""  # street / town / xiang for townships, community / village for villages


@dataclass(frozen=True)
class OrgSpec:
    name: str
    kind: str  # fanzha.core.models.organisations.OrganisationKind value
    area_code: str
    covered_codes: tuple[str, ...] = ()
    parent_name: str = ""
    code: str = ""
    contact_phone: str = ""


@dataclass(frozen=True)
class UserSpec:
    username: str
    role: str
    organisation: str
    display_name: str


@dataclass(frozen=True)
class PersonSpec:
    name: str
    id_number: str
    phone: str
    address: str
    area_code: str  # a grid
    key_groups: tuple[str, ...]


@dataclass(frozen=True)
class DemoPlan:
    seed: int
    areas: tuple[AreaSpec, ...]
    organisations: tuple[OrgSpec, ...]
    users: tuple[UserSpec, ...]
    people: tuple[PersonSpec, ...]
    notes: dict[str, str] = field(default_factory=dict)

    def areas_of(self, level: str) -> list[AreaSpec]:
        return [a for a in self.areas if a.level == level]

    def area(self, code: str) -> AreaSpec:
        return next(a for a in self.areas if a.code == code)
