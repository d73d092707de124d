"""The demo county as data: deterministic, well-formed codes, valid identifiers, plausible counts."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from fanzha.core.pii.idcard import check_id_number
from fanzha.core.pii.phone import phone_info
from fanzha.core.roles import ROLES
from fanzha.demo.plan import make_plan
from fanzha.demo.specs import DemoPlan


@pytest.fixture(scope="module")
def plan() -> DemoPlan:
    return make_plan()


def test_it_gives_the_same_county_for_the_same_seed(plan: DemoPlan) -> None:
    again = make_plan()
    assert [(a.code, a.name, a.residents) for a in again.areas] == [
        (a.code, a.name, a.residents) for a in plan.areas
    ]
    assert again.people == plan.people
    assert again.organisations == plan.organisations


def test_it_gives_another_county_for_another_seed(plan: DemoPlan) -> None:
    other = make_plan(7)
    assert [a.name for a in other.areas_of("village")] != [a.name for a in plan.areas_of("village")]
    assert other.people[0].id_number != plan.people[0].id_number


def test_it_has_about_twelve_townships_and_two_hundred_villages(plan: DemoPlan) -> None:
    kinds = Counter(t.kind for t in plan.areas_of("township"))
    assert kinds == {"street": 3, "town": 6, "xiang": 3}
    assert 180 <= len(plan.areas_of("village")) <= 220
    assert [a.name for a in plan.areas[:2]] == ["江州市", "青溪县"]


def test_it_gives_unique_official_format_codes(plan: DemoPlan) -> None:
    codes = [a.code for a in plan.areas]
    assert len(codes) == len(set(codes))
    for area in plan.areas:
        if area.level == "grid":
            assert re.fullmatch(r"\d{15}", area.code) and area.code[:12] == area.parent_code
        else:
            assert re.fullmatch(r"\d{12}", area.code)
        if area.level == "village":
            number = int(area.code[9:])
            assert (1 <= number <= 199) if area.kind == "community" else (201 <= number <= 399)
            assert area.code[:9] == (area.parent_code or "")[:9]


def test_it_names_villages_by_kind_and_uniquely_within_a_township(plan: DemoPlan) -> None:
    for township in plan.areas_of("township"):
        villages = [a for a in plan.areas if a.parent_code == township.code]
        assert len({v.name for v in villages}) == len(villages)
        for village in villages:
            assert village.name.endswith("社区" if village.kind == "community" else "村")
        if township.kind == "street":
            assert {v.kind for v in villages} == {"community"}
        if township.kind == "xiang":
            assert {v.kind for v in villages} == {"village"}


def test_it_rolls_resident_counts_up_the_tree(plan: DemoPlan) -> None:
    def children(code: str) -> list:  # type: ignore[type-arg]
        return [a for a in plan.areas if a.parent_code == code]

    for area in plan.areas:
        if area.level in {"district", "township", "village"}:
            assert area.residents == sum(c.residents or 0 for c in children(area.code))
            assert area.households == sum(c.households or 0 for c in children(area.code))
        if area.kind == "village":
            assert 800 <= (area.residents or 0) <= 4000
            assert 2.3 < (area.residents or 0) / (area.households or 1) < 2.9


def test_it_has_every_kind_of_organisation_and_a_committee_per_village(plan: DemoPlan) -> None:
    kinds = Counter(o.kind for o in plan.organisations)
    assert kinds["centre"] == 1
    assert 8 <= kinds["police_station"] <= 10
    assert kinds["township_government"] == 12
    assert kinds["telecom"] == 4 and kinds["bank"] >= 10 and kinds["school"] >= 8 and kinds["hospital"] >= 4
    assert 50 <= sum(n for kind, n in kinds.items() if kind != "village_committee") <= 70
    committees = Counter(o.area_code for o in plan.organisations if o.kind == "village_committee")
    assert set(committees) == {v.code for v in plan.areas_of("village")}
    assert set(committees.values()) == {1}
    names = [o.name for o in plan.organisations]
    assert len(names) == len(set(names))


def test_it_covers_every_township_with_exactly_one_police_station(plan: DemoPlan) -> None:
    covered = Counter(
        code for o in plan.organisations if o.kind == "police_station" for code in o.covered_codes
    )
    assert set(covered) == {t.code for t in plan.areas_of("township")}
    assert set(covered.values()) == {1}


def test_it_has_a_user_for_every_role(plan: DemoPlan) -> None:
    assert {u.role for u in plan.users} == set(ROLES)
    usernames = {u.username for u in plan.users}
    assert {
        "leader",
        "analyst",
        "police",
        "police2",
        "grid",
        "grid2",
        "bank",
        "telecom",
        "auditor",
        "admin",
    } <= usernames


def test_it_gives_every_person_a_valid_id_number_and_mobile(plan: DemoPlan) -> None:
    assert 1800 <= len(plan.people) <= 2200
    assert len({p.id_number for p in plan.people}) == len(plan.people)
    phones = [p.phone for p in plan.people if p.phone]
    assert len(phones) == len(set(phones)) and len(phones) > 0.9 * len(plan.people)
    for person in plan.people:
        check = check_id_number(person.id_number)
        assert check.valid and not check.warnings, person.id_number
        assert not person.phone or phone_info(person.phone).kind == "mobile"


def test_it_gives_birth_years_that_fit_the_key_group(plan: DemoPlan) -> None:
    for person in plan.people:
        born = int(person.id_number[6:10])
        if person.key_groups[0] == "student":
            assert born >= 2005
        if person.key_groups[0] in {"elderly", "elderly_alone"}:
            assert born <= 1962


def test_it_places_people_in_grids_with_addresses_from_the_area_names(plan: DemoPlan) -> None:
    by_code = {a.code: a for a in plan.areas}
    for person in plan.people:
        grid = by_code[person.area_code]
        village = by_code[grid.parent_code or ""]
        township = by_code[village.parent_code or ""]
        assert grid.level == "grid"
        assert person.address.startswith(f"青溪县{township.name}{village.name}")
