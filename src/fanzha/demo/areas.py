"""The area tree of the demo county, with official-format codes.

Codes follow the statistical division code (GB/T 10114 practice): 6 digits of county, 3 of township
(001–099 街道, 100–199 镇, 200–399 乡), 3 of village (001–199 社区/居委会, 200–399 村委会); a grid
extends its village's code by 3 digits. Resident counts are drawn for villages and summed upwards.
"""

from __future__ import annotations

import random

from fanzha.demo.data import names
from fanzha.demo.specs import AreaSpec

TOWNSHIP_MIX = (("street", 3), ("town", 6), ("xiang", 3))
TOWNSHIP_BASE = {"street": 1, "town": 101, "xiang": 201}
TOWNSHIP_SUFFIX = {"street": "街道", "town": "镇", "xiang": "乡"}
VILLAGE_COUNT = {"street": (8, 11), "town": (17, 22), "xiang": (15, 19)}
TOWN_CENTRE_COMMUNITIES = (2, 4)
RESIDENTS = {"community": (2000, 6000), "village": (800, 4000)}
GRID_NUMERALS = "一二三"


def _households(rng: random.Random, residents: int) -> int:
    return max(1, round(residents / rng.uniform(2.4, 2.8)))


def _split(rng: random.Random, total: int, parts: int) -> list[int]:
    """``total`` split into ``parts`` roughly equal shares that add up exactly."""
    weights = [rng.uniform(0.8, 1.2) for _ in range(parts)]
    shares = [int(total * w / sum(weights)) for w in weights]
    shares[-1] += total - sum(shares)
    return shares


def _village_names(rng: random.Random, kind: str) -> list[tuple[str, str]]:
    """(name, community|village) of one township, unique within it."""
    low, high = VILLAGE_COUNT[kind]
    count = rng.randint(low, high)
    if kind == "street":
        return [(n + "社区", "community") for n in rng.sample(names()["community_names"], count)]
    centre = rng.randint(*TOWN_CENTRE_COMMUNITIES) if kind == "town" else 0
    result = [(n + "社区", "community") for n in rng.sample(names()["community_names"], centre)]
    result += [(n + "村", "village") for n in rng.sample(names()["village_names"], count - centre)]
    return result


def _village(rng: random.Random, code: str, name: str, kind: str, parent: str) -> list[AreaSpec]:
    residents = rng.randint(*RESIDENTS[kind])
    grid_count = rng.choice((1, 2, 2, 3)) if kind == "village" else rng.choice((2, 3))
    grids = []
    for i, share in enumerate(_split(rng, residents, grid_count)):
        grids.append(
            AreaSpec(
                f"{code}{i + 1:03d}",
                f"{name}第{GRID_NUMERALS[i]}网格",
                "grid",
                code,
                share,
                _households(rng, share),
            )
        )
    households = sum(g.households or 0 for g in grids)
    return [AreaSpec(code, name, "village", parent, residents, households, kind), *grids]


def _township(rng: random.Random, county: str, number: int, name: str, kind: str) -> list[AreaSpec]:
    code = f"{county[:6]}{number:03d}000"
    children: list[AreaSpec] = []
    numbers = {"community": 1, "village": 201}
    for village_name, village_kind in _village_names(rng, kind):
        village_code = f"{code[:9]}{numbers[village_kind]:03d}"
        numbers[village_kind] += 1
        children += _village(rng, village_code, village_name, village_kind, code)
    villages = [c for c in children if c.level == "village"]
    township = AreaSpec(
        code,
        name + TOWNSHIP_SUFFIX[kind],
        "township",
        county,
        sum(v.residents or 0 for v in villages),
        sum(v.households or 0 for v in villages),
        kind,
    )
    return [township, *children]


def plan_areas(rng: random.Random) -> list[AreaSpec]:
    """City, county, townships, villages and grids, parents before children."""
    county = names()["county"]
    townships: list[AreaSpec] = []
    for kind, count in TOWNSHIP_MIX:
        for i, name in enumerate(rng.sample(names()["township_names"][kind], count)):
            townships += _township(rng, county["code"], TOWNSHIP_BASE[kind] + i, name, kind)
    tops = [t for t in townships if t.level == "township"]
    residents = sum(t.residents or 0 for t in tops)
    households = sum(t.households or 0 for t in tops)
    return [
        # The city has other districts the demo does not model, so it carries no counts.
        AreaSpec(county["city_code"], county["city"], "city", None),
        AreaSpec(county["code"], county["name"], "district", county["city_code"], residents, households),
        *townships,
    ]
