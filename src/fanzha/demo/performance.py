"""How well each unit of the demo county works its warnings, so the centre's monthly 考核 has something
to rank: per-unit and per-area on-time rates, dissuasion rates and mean times differ.

Every police station gets a profile from the seed: two fast and reliable, two slow, the others
ordinary, and one of them a bad month (staff away, a special operation) in which it misses deadlines
and dissuades fewer. Every village (and its grids, its 村(居)委会) gets a smaller lean of its own, a few
clearly better or worse. A warning is worked with its unit's profile leaned by its village's.

The bounds keep the figures realistic: over a year a station acknowledges between about 75 % and 99 % of
its warnings in time and dissuades between about 65 % and 93 % of the people reached. Drawn from a
random stream of their own, so the rest of the demo (areas, people, warnings' times) is as it was.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, replace

from django.utils import timezone

from fanzha.demo.specs import DemoPlan
from fanzha.warnings.models import Outcome

# (speed, chance to acknowledge late, chance to reach the person late, share dissuaded), each a range.
# speed scales the time taken when in time (1: anywhere up to 85 % of the time allowed).
TIERS: dict[str, tuple[tuple[float, float], ...]] = {
    "fast": ((0.4, 0.55), (0.01, 0.02), (0.01, 0.025), (0.91, 0.93)),
    "ordinary": ((0.8, 1.0), (0.04, 0.08), (0.05, 0.09), (0.83, 0.88)),
    "slow": ((1.05, 1.12), (0.14, 0.19), (0.15, 0.2), (0.74, 0.78)),
}
STATION_TIERS = ("fast", "fast", "slow", "slow")  # the other stations are ordinary
# The bad month: this much more often late, slower, this many points fewer dissuaded; one of the months
# between BAD_MONTH_AGO ago (so the 考核 of the last full months may show it).
BAD_MONTH_BREACH = 0.3
BAD_MONTH_SPEED = 1.3
BAD_MONTH_DISSUASION = 0.15
BAD_MONTH_AGO = (1, 10)
# A village leans its unit's profile: slightly in most, clearly in STRONG / WEAK of them.
VILLAGE_SPEED = (0.85, 1.15)
VILLAGE_BREACH = (0.7, 1.3)
VILLAGE_DISSUASION = (-0.03, 0.03)
VILLAGE_STRONG = 0.12  # share of villages clearly better (quick grid, people who listen)
VILLAGE_WEAK = 0.12  # … and clearly worse
VILLAGE_LEAN = {"strong": (0.8, 0.6, 0.04), "weak": (1.15, 1.6, -0.06)}  # speed ×, breach ×, dissuasion +
DISSUASION_BOUNDS = (0.62, 0.94)
# Of the closed outcomes, 未接触到人 and 无效预警 keep their weights (of 100); the rest, the people reached,
# are split by the profile's share dissuaded, the others three quarters 拒绝配合 to one quarter 已被骗.
NOT_REACHED_WEIGHT = 11
INVALID_WEIGHT = 9
REACHED_WEIGHT = 80
IN_TIME_SHARE = 0.97  # a unit in time takes at most this share of the time allowed


@dataclass(frozen=True)
class Profile:
    """How one unit (or one unit in one village) works its warnings."""

    speed: float
    ack_breach: float
    contact_breach: float
    dissuasion: float

    def delay(self, rng: random.Random, minutes: int, breach: float) -> dt.timedelta:
        """Time taken against ``minutes`` allowed: past them with chance ``breach``, else within them."""
        if rng.random() < breach:
            share = rng.uniform(1.05, 2.5)
        else:
            share = min(IN_TIME_SHARE, rng.uniform(0.05, 0.85) * self.speed)
        return dt.timedelta(minutes=max(1.0, minutes * share))

    def outcomes(self) -> dict[str, float]:
        """Weights of the closed outcomes (an ordinary unit's: about 68 劝阻成功, 11 未接触到人, 9 无效预警,
        9 拒绝配合, 3 已被骗)."""
        others = REACHED_WEIGHT * (1 - self.dissuasion)
        return {
            Outcome.DISSUADED: REACHED_WEIGHT * self.dissuasion,
            Outcome.NOT_REACHED: NOT_REACHED_WEIGHT,
            Outcome.INVALID: INVALID_WEIGHT,
            Outcome.REFUSED: others * 3 / 4,
            Outcome.DEFRAUDED: others / 4,
        }

    def in_time(self) -> Profile:
        """The same unit never late: the demo logins' own open tasks stay within their deadlines."""
        return replace(self, ack_breach=0.0, contact_breach=0.0)

    def leaned(self, speed: float, breach: float, dissuasion: float) -> Profile:
        low, high = DISSUASION_BOUNDS
        return Profile(
            self.speed * speed,
            min(0.5, self.ack_breach * breach),
            min(0.5, self.contact_breach * breach),
            max(low, min(high, self.dissuasion + dissuasion)),
        )


ORDINARY = Profile(0.9, 0.06, 0.07, 0.85)


def _drawn(rng: random.Random, tier: str) -> Profile:
    speed, ack, contact, dissuasion = (rng.uniform(*bounds) for bounds in TIERS[tier])
    return Profile(speed, ack, contact, dissuasion)


def _village_lean(rng: random.Random) -> tuple[float, float, float]:
    roll = rng.random()
    speed, breach = rng.uniform(*VILLAGE_SPEED), rng.uniform(*VILLAGE_BREACH)
    dissuasion = rng.uniform(*VILLAGE_DISSUASION)
    kind = "strong" if roll < VILLAGE_STRONG else "weak" if roll < VILLAGE_STRONG + VILLAGE_WEAK else ""
    if kind:
        lean_speed, lean_breach, lean_dissuasion = VILLAGE_LEAN[kind]
        speed, breach, dissuasion = speed * lean_speed, breach * lean_breach, dissuasion + lean_dissuasion
    return speed, breach, dissuasion


def _month(day: dt.date, back: int) -> tuple[int, int]:
    index = day.year * 12 + day.month - 1 - back
    return index // 12, index % 12 + 1


@dataclass
class Performance:
    """The profiles of the demo's stations (by name) and villages (by code), and the bad month."""

    stations: dict[str, Profile]
    villages: dict[str, tuple[float, float, float]]
    bad_station: str
    bad_month: tuple[int, int]

    def of(self, unit: str, village: str, at: dt.datetime) -> Profile:
        """How ``unit`` (a station's name; a 村(居)委会 works as ordinary) works a warning of ``village``
        received ``at``."""
        profile = self.stations.get(unit, ORDINARY)
        local = timezone.localtime(at)
        if unit == self.bad_station and (local.year, local.month) == self.bad_month:
            profile = Profile(
                profile.speed * BAD_MONTH_SPEED,
                profile.ack_breach + BAD_MONTH_BREACH,
                profile.contact_breach + BAD_MONTH_BREACH,
                profile.dissuasion - BAD_MONTH_DISSUASION,
            )
        return profile.leaned(*self.villages.get(village, (1.0, 1.0, 0.0)))


def plan_performance(plan: DemoPlan, now: dt.datetime) -> Performance:
    """Every station's and village's profile from the plan's seed (the same seed: the same ranking)."""
    rng = random.Random(f"{plan.seed}:performance")
    names = [o.name for o in plan.organisations if o.kind == "police_station"]
    rng.shuffle(names)
    stations = {
        name: _drawn(rng, STATION_TIERS[i] if i < len(STATION_TIERS) else "ordinary")
        for i, name in enumerate(names)
    }
    villages = {v.code: _village_lean(rng) for v in plan.areas_of("village")}
    bad_station = rng.choice(names[len(STATION_TIERS) :] or names)
    bad_month = _month(timezone.localdate(now), rng.randint(*BAD_MONTH_AGO))
    return Performance(stations, villages, bad_station, bad_month)
