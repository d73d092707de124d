"""The whole demo county as data, from one seed: the same seed always gives the same county."""

from __future__ import annotations

import random

from fanzha.demo.areas import plan_areas
from fanzha.demo.organisations import plan_organisations, plan_users
from fanzha.demo.people import plan_people
from fanzha.demo.specs import DemoPlan

DEFAULT_SEED = 2026


def make_plan(seed: int = DEFAULT_SEED) -> DemoPlan:
    # One stream per part, so adding organisations never changes the villages or the people.
    areas = plan_areas(random.Random(f"{seed}:areas"))
    organisations = plan_organisations(random.Random(f"{seed}:organisations"), areas)
    users = plan_users(areas, organisations)
    people = plan_people(random.Random(f"{seed}:people"), areas)
    return DemoPlan(seed, tuple(areas), tuple(organisations), tuple(users), tuple(people))
