"""The demo's unit heads (单位负责人): a 所长 for every police station and a 分管领导 for every township
whose villages have grid workers, so a missed deadline in the demo reaches the head of the unit that
missed it (超时督办). The demo logins ``head`` and ``town`` are two of them; the others are made here.
"""

from __future__ import annotations

import random

from django.db.models import QuerySet

from fanzha.core.models import Organisation, User
from fanzha.core.services import organisations as org_services
from fanzha.demo.accounts import DEMO_PASSWORD
from fanzha.demo.data import names

ROLE = "unit_leader"


def _stations() -> QuerySet[Organisation]:
    """Every police station: each has a demo login or gets a duty officer (demo.warnings)."""
    return Organisation.objects.filter(kind="police_station").order_by("id")


def _townships() -> QuerySet[Organisation]:
    """Every township government with a grid worker in a village committee below it."""
    below = Organisation.objects.filter(
        kind="village_committee", users__is_active=True, users__roles__role="grid_worker"
    )
    return (
        Organisation.objects.filter(kind="township_government", children__in=below).distinct().order_by("id")
    )


def _name(rng: random.Random) -> str:
    data = names()
    sex = rng.choice(["男", "女"])
    return rng.choice(data["surnames"]) + rng.choice(data["given_names"]["middle"][sex])


def demo_unit_heads(seed: int) -> int:
    """A head (``head<n>`` for the n-th station, ``town<n>`` for the n-th township) for each unit above
    without one; returns how many were made."""
    rng = random.Random(f"{seed}:heads")
    made = 0
    for prefix, units in (("head", _stations()), ("town", _townships())):
        for number, unit in enumerate(units, start=1):
            if User.objects.filter(organisation=unit, roles__role=ROLE).exists():
                continue
            org_services.user_create(
                actor=None,
                username=f"{prefix}{number}",
                password=DEMO_PASSWORD,
                organisation=unit,
                roles=[ROLE],
                display_name=_name(rng),
            )
            made += 1
    return made
