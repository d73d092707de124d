"""Write a demo plan to the database through the services, in one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction

from fanzha.audit.services import audit_record
from fanzha.core.models import Area, Organisation, User
from fanzha.core.services import areas as area_services
from fanzha.core.services import organisations as org_services
from fanzha.core.services import persons as person_services
from fanzha.demo.accounts import DEMO_PASSWORD, MARKER_USERNAME
from fanzha.demo.cases import demo_cases
from fanzha.demo.heads import demo_unit_heads
from fanzha.demo.inbox import demo_inboxes
from fanzha.demo.plan import DEFAULT_SEED, make_plan
from fanzha.demo.specs import DemoPlan
from fanzha.demo.warnings import demo_warnings


class DemoRefused(Exception):
    """The database already holds data; the demo loads only into an empty one."""


@dataclass(frozen=True)
class DemoSummary:
    seed: int
    areas: int
    organisations: int
    users: int
    people: int

    def as_details(self) -> dict[str, int]:
        return {
            "seed": self.seed,
            "areas": self.areas,
            "organisations": self.organisations,
            "users": self.users,
            "people": self.people,
        }


def database_is_empty() -> bool:
    return not Area.objects.exists()


def demo_users_present() -> bool:
    return User.objects.filter(username=MARKER_USERNAME).exists()


def _create_areas(plan: DemoPlan) -> dict[str, Area]:
    created: dict[str, Area] = {}
    for spec in plan.areas:
        created[spec.code] = area_services.area_create(
            actor=None,
            code=spec.code,
            name=spec.name,
            level=spec.level,
            parent=created[spec.parent_code] if spec.parent_code else None,
            residents=spec.residents,
            households=spec.households,
        )
    return created


def _create_organisations(plan: DemoPlan, areas: dict[str, Area]) -> dict[str, Organisation]:
    created: dict[str, Organisation] = {}
    for spec in plan.organisations:
        created[spec.name] = org_services.organisation_create(
            actor=None,
            name=spec.name,
            kind=spec.kind,
            area=areas[spec.area_code],
            covered_areas=[areas[code] for code in spec.covered_codes],
            parent=created[spec.parent_name] if spec.parent_name else None,
            code=spec.code,
            contact_phone=spec.contact_phone,
        )
    return created


def _create_users(plan: DemoPlan, organisations: dict[str, Organisation]) -> dict[str, User]:
    return {
        spec.username: org_services.user_create(
            actor=None,
            username=spec.username,
            password=DEMO_PASSWORD,
            organisation=organisations[spec.organisation],
            roles=[spec.role],
            display_name=spec.display_name,
        )
        for spec in plan.users
    }


def _create_people(plan: DemoPlan, areas: dict[str, Area], actor: Any) -> int:
    for spec in plan.people:
        person_services.person_create(
            actor=actor,
            data=person_services.PersonData(
                name=spec.name,
                area=areas[spec.area_code],
                id_number=spec.id_number,
                phone=spec.phone,
                address=spec.address,
                key_groups=list(spec.key_groups),
            ),
        )
    return len(plan.people)


@transaction.atomic
def demo_load(*, seed: int = DEFAULT_SEED, now: datetime | None = None) -> DemoSummary:
    """Build the demo county into an empty database; refuses (DemoRefused) when any area exists."""
    if not database_is_empty():
        raise DemoRefused("数据库中已有区划数据，演示数据只能载入空数据库。")
    plan = make_plan(seed)
    areas = _create_areas(plan)
    organisations = _create_organisations(plan, areas)
    users = _create_users(plan, organisations)
    heads = demo_unit_heads(seed)  # a head for each station and each township with grid workers
    # The people are registered by the centre leader: person_create checks the actor's jurisdiction.
    people = _create_people(plan, areas, users[MARKER_USERNAME])
    # Twelve months of warnings up to ``now``, through the intake's grading and routing.
    warnings = demo_warnings(plan=plan, leader=users[MARKER_USERNAME], now=now)
    # Cases from the year's 已被骗 warnings and the counter, with bank measures, statements and returns.
    cases = demo_cases(seed=seed, now=now)
    summary = DemoSummary(seed, len(areas), len(organisations), len(users), people)
    details = {**summary.as_details(), "unit_heads": heads, **warnings, **cases}
    audit_record(actor=None, action="demo.load", details=details)
    # The services' messages are written once this transaction commits; then the inboxes are dated by
    # their steps and what was read long ago is marked read (registered last, so it runs after them).
    transaction.on_commit(lambda: demo_inboxes(seed=seed, now=now))
    return summary
