"""Key residents (重点人群) of the demo county: fictional people with valid-looking identifiers.

ID numbers follow GB 11643 (address code of a real neighbouring county, a birth date fitting the
key group, a sequence whose parity gives the sex, the check digit); mobiles come from real 号段 and
are kept only when ``phone_info`` accepts them; addresses are built from the area names.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence

from fanzha.core.pii.idcard import check_id_number
from fanzha.core.pii.phone import phone_info
from fanzha.demo.data import names
from fanzha.demo.specs import AreaSpec, PersonSpec

TARGET_PEOPLE = 2000
MIN_PER_VILLAGE = 3
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
BIRTH_YEARS = {
    "elderly_alone": (1936, 1958),
    "elderly": (1940, 1962),
    "student": (2005, 2016),
    "left_behind": (1948, 1972),
    "former_victim": (1955, 2002),
    "finance_staff": (1975, 2000),
    "card_seller": (1996, 2007),
}
GROUP_WEIGHTS = {
    "village": {
        "elderly_alone": 30,
        "elderly": 22,
        "student": 15,
        "left_behind": 15,
        "former_victim": 8,
        "finance_staff": 3,
        "card_seller": 7,
    },
    "community": {
        "elderly_alone": 18,
        "elderly": 22,
        "student": 25,
        "left_behind": 3,
        "former_victim": 12,
        "finance_staff": 12,
        "card_seller": 8,
    },
}


def id_number(region: str, born: dt.date, sequence: int) -> str:
    body = f"{region}{born:%Y%m%d}{sequence:03d}"
    total = sum(int(digit) * weight for digit, weight in zip(body, ID_WEIGHTS, strict=True))
    return body + "10X98765432"[total % 11]


class _Generator:
    """Draws people from one random stream, never repeating an ID number or phone."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.data = names()
        self.ids: set[str] = set()
        self.phones: set[str] = set()

    def identity(self, group: str) -> tuple[str, str, int]:
        """(ID number, sex, birth year) for someone of the key group."""
        low, high = BIRTH_YEARS[group]
        while True:
            born = dt.date(self.rng.randint(low, high), 1, 1) + dt.timedelta(days=self.rng.randint(0, 364))
            number = id_number(
                self.rng.choice(self.data["region_codes"]["codes"]), born, self.rng.randint(1, 999)
            )
            check = check_id_number(number)
            if number not in self.ids and check.valid and not check.warnings:
                self.ids.add(number)
                return number, check.sex, born.year

    def name(self, sex: str, birth_year: int) -> str:
        era = "old" if birth_year < 1965 else "middle" if birth_year < 1995 else "young"
        return self.rng.choice(self.data["surnames"]) + self.rng.choice(self.data["given_names"][era][sex])

    def phone(self) -> str:
        while True:
            number = self.rng.choice(self.data["mobile_prefixes"]) + f"{self.rng.randint(0, 99_999_999):08d}"
            if number not in self.phones and phone_info(number).valid:
                self.phones.add(number)
                return number

    def address(self, county: str, township: AreaSpec, village: AreaSpec) -> str:
        place = f"{county}{township.name}{village.name}"
        if village.kind == "village":
            return f"{place}{self.rng.randint(1, 12)}组{self.rng.randint(1, 80)}号"
        road = self.rng.choice(self.data["road_names"])
        return (
            f"{place}{road}{self.rng.randint(1, 300)}号{self.rng.randint(1, 20)}幢"
            f"{self.rng.randint(1, 4)}单元{self.rng.randint(1, 18)}{self.rng.randint(1, 4):02d}室"
        )

    def groups(self, village_kind: str) -> tuple[str, ...]:
        weights = GROUP_WEIGHTS[village_kind]
        first = self.rng.choices(list(weights), weights=list(weights.values()))[0]
        if first != "former_victim" and self.rng.random() < 0.08:
            return (first, "former_victim")
        return (first,)

    def person(self, county: str, township: AreaSpec, village: AreaSpec, grid: AreaSpec) -> PersonSpec:
        groups = self.groups(village.kind)
        number, sex, birth_year = self.identity(groups[0])
        without_phone = groups[0] == "elderly_alone" and self.rng.random() < 0.1
        return PersonSpec(
            self.name(sex, birth_year),
            number,
            "" if without_phone else self.phone(),
            self.address(county, township, village),
            grid.code,
            groups,
        )


def _shares(villages: Sequence[AreaSpec]) -> list[int]:
    total = sum(v.residents or 0 for v in villages)
    return [max(MIN_PER_VILLAGE, round(TARGET_PEOPLE * (v.residents or 0) / total)) for v in villages]


def plan_people(rng: random.Random, areas: Sequence[AreaSpec]) -> list[PersonSpec]:
    county = next(a for a in areas if a.level == "district")
    by_code = {a.code: a for a in areas}
    villages = [a for a in areas if a.level == "village"]
    grids: dict[str, list[AreaSpec]] = {}
    for area in areas:
        if area.level == "grid":
            grids.setdefault(area.parent_code or "", []).append(area)
    generator = _Generator(rng)
    people = []
    for village, count in zip(villages, _shares(villages), strict=True):
        township = by_code[village.parent_code or ""]
        for _ in range(count):
            grid = rng.choice(grids[village.code])
            people.append(generator.person(county.name, township, village, grid))
    return people
