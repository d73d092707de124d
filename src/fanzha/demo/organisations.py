"""The organisations and users of the demo county.

Besides the ~60 centre, police, government, bank, operator, school and hospital units, every
village gets its 村(居)委会: grid workers belong to one, and their jurisdiction is its village.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from fanzha.demo.accounts import DEMO_LOGINS
from fanzha.demo.data import names
from fanzha.demo.specs import AreaSpec, OrgSpec, UserSpec

# Which townships (by position: 3 streets, 6 towns, 3 乡) each police station covers.
STATION_GROUPS = ((0,), (1, 2), (3,), (4,), (5, 9), (6,), (7,), (8, 10), (11,))
# The village of each demo grid worker: (township position, kind of village or "" for any).
GRID_VILLAGES = {
    "grid": (0, ""),
    "grid2": (11, "village"),
    "grid3": (5, "village"),
    "grid4": (3, "community"),
}
BUREAU = "青溪县公安局"
CENTRE = "青溪县反诈中心"


def _short(township: AreaSpec) -> str:
    return township.name.removesuffix("街道").removesuffix("镇").removesuffix("乡")


def _landline(rng: random.Random) -> str:
    return f"0578-{rng.randint(5100000, 5899999)}"


def _stations(rng: random.Random, townships: Sequence[AreaSpec]) -> list[OrgSpec]:
    stations = []
    for group in STATION_GROUPS:
        covered = [townships[i] for i in group]
        stations.append(
            OrgSpec(
                f"{_short(covered[0])}派出所",
                "police_station",
                covered[0].code,
                tuple(t.code for t in covered),
                BUREAU,
                contact_phone=_landline(rng),
            )
        )
    return stations


def _governments(rng: random.Random, townships: Sequence[AreaSpec]) -> list[OrgSpec]:
    return [
        OrgSpec(
            t.name + ("办事处" if t.kind == "street" else "人民政府"),
            "township_government",
            t.code,
            contact_phone=_landline(rng),
        )
        for t in townships
    ]


def committee_name(township: AreaSpec, village: AreaSpec) -> str:
    return f"{township.name}{village.name}{'居委会' if village.kind == 'community' else '村委会'}"


def _committees(areas: Sequence[AreaSpec], townships: Sequence[AreaSpec]) -> list[OrgSpec]:
    by_code = {t.code: t for t in townships}
    governments = {t.code: t.name + ("办事处" if t.kind == "street" else "人民政府") for t in townships}
    return [
        OrgSpec(
            committee_name(by_code[v.parent_code or ""], v),
            "village_committee",
            v.code,
            parent_name=governments[v.parent_code or ""],
        )
        for v in areas
        if v.level == "village"
    ]


def _from_templates(
    rng: random.Random, kind: str, templates: list[list[str]], townships: Sequence[AreaSpec]
) -> list[OrgSpec]:
    """Units named from templates: "city" ones sit in the county seat, "{t}" ones in a town or 乡."""
    seat = townships[0]
    pools = {
        k: rng.sample([t for t in townships if t.kind == k], len([t for t in townships if t.kind == k]))
        for k in ("town", "xiang")
    }
    used = {"town": 0, "xiang": 0}
    result = []
    for template, where in templates:
        if where == "city":
            result.append(OrgSpec(template, kind, seat.code, contact_phone=_landline(rng)))
            continue
        township = pools[where][used[where] % len(pools[where])]
        used[where] += 1
        result.append(
            OrgSpec(template.format(t=_short(township)), kind, township.code, contact_phone=_landline(rng))
        )
    return result


def plan_organisations(rng: random.Random, areas: Sequence[AreaSpec]) -> list[OrgSpec]:
    townships = [a for a in areas if a.level == "township"]
    county = next(a for a in areas if a.level == "district")
    data = names()
    others = [OrgSpec(name, "other", county.code) for name in data["others"]]
    centre = OrgSpec(CENTRE, "centre", county.code, parent_name=BUREAU, contact_phone=_landline(rng))
    return [
        *others[:1],
        centre,
        *_stations(rng, townships),
        *_governments(rng, townships),
        *others[1:],
        *_from_templates(rng, "bank", data["banks"], townships),
        *[OrgSpec(name, "telecom", townships[0].code) for name in data["telecoms"]],
        *_from_templates(rng, "school", data["schools"], townships),
        *_from_templates(rng, "hospital", data["hospitals"], townships),
        *_committees(areas, townships),
    ]


def grid_village(areas: Sequence[AreaSpec], slot: str) -> AreaSpec:
    """The village of a demo grid worker (see GRID_VILLAGES)."""
    position, kind = GRID_VILLAGES[slot]
    township = [a for a in areas if a.level == "township"][position]
    return next(
        a
        for a in areas
        if a.parent_code == township.code and a.level == "village" and (not kind or a.kind == kind)
    )


def _slot_org(slot: str, areas: Sequence[AreaSpec], orgs: Sequence[OrgSpec]) -> str:
    kind, _, which = slot.partition(":")
    if kind == "centre":
        return CENTRE
    if kind == "committee":
        village = grid_village(areas, which)
        return next(o.name for o in orgs if o.kind == "village_committee" and o.area_code == village.code)
    if kind == "township":  # the government of a grid worker's township
        township = grid_village(areas, which).parent_code
        return next(o.name for o in orgs if o.kind == "township_government" and o.area_code == township)
    of_kind = [o for o in orgs if o.kind == {"station": "police_station"}.get(kind, kind)]
    if which.startswith("grid"):
        township = grid_village(areas, which).parent_code
        return next(o.name for o in of_kind if township in o.covered_codes)
    return of_kind[int(which)].name


def plan_users(areas: Sequence[AreaSpec], orgs: Sequence[OrgSpec]) -> list[UserSpec]:
    return [
        UserSpec(login.username, login.role, _slot_org(login.slot, areas, orgs), login.display_name)
        for login in DEMO_LOGINS
    ]
