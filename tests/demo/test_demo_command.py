"""``fanzha demo`` into a database: built once for this module, in a transaction rolled back at the end."""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from fanzha.audit.models import AuditEvent
from fanzha.core.models import Area, Organisation, Person, User
from fanzha.core.pii.idcard import check_id_number
from fanzha.core.pii.phone import phone_info
from fanzha.core.roles import ROLES
from fanzha.demo.accounts import DEMO_PASSWORD
from fanzha.demo.organisations import grid_village
from fanzha.demo.plan import make_plan
from fanzha.demo.specs import DemoPlan


@dataclass
class Built:
    plan: DemoPlan
    output: str


@pytest.fixture(scope="module")
def demo(django_db_setup: None, django_db_blocker: Any) -> Iterator[Built]:
    """The demo, loaded once (through the command); each test runs in a savepoint inside this transaction."""
    with django_db_blocker.unblock(), transaction.atomic():
        out = io.StringIO()
        call_command("demo", "--if-empty", stdout=out)
        yield Built(make_plan(), out.getvalue())
        transaction.set_rollback(True)


pytestmark = pytest.mark.django_db


def test_it_builds_the_planned_areas(demo: Built) -> None:
    stored = list(Area.objects.order_by("code").values_list("code", "name", "level", "residents"))
    planned = sorted((a.code, a.name, a.level, a.residents) for a in demo.plan.areas)
    assert stored == planned
    assert Area.objects.filter(level="township").count() == 12
    assert Area.objects.get(code="331199000000").path == "/331100000000/331199000000/"


def test_it_gives_every_village_a_grid_and_a_committee(demo: Built) -> None:
    villages = Area.objects.filter(level="village")
    assert 180 <= villages.count() <= 220
    for village in villages:
        assert village.children.filter(level="grid").exists(), village.code
    committees = Counter(
        Organisation.objects.filter(kind="village_committee").values_list("area__code", flat=True)
    )
    assert set(committees) == set(villages.values_list("code", flat=True))
    assert set(committees.values()) == {1}


def test_it_creates_the_organisations_with_their_jurisdictions(demo: Built) -> None:
    assert Organisation.objects.count() == len(demo.plan.organisations)
    assert 50 <= Organisation.objects.exclude(kind="village_committee").count() <= 70
    police = User.objects.get(username="police").organisation
    assert police is not None and police.kind == "police_station"
    assert police.covered_areas.filter(level="township").exists()


def test_it_has_a_demo_user_for_every_role_with_the_demo_password(demo: Built) -> None:
    roles = set(User.objects.values_list("roles__role", flat=True))
    assert roles == set(ROLES)
    leader = User.objects.get(username="leader")
    assert leader.check_password(DEMO_PASSWORD)
    assert leader.role_codes == {"centre_leader"}


def test_it_registers_people_with_valid_identifiers(demo: Built) -> None:
    people = list(Person.objects.exclude(notes="由预警登记"))  # the others came with the demo's warnings
    assert len(people) == len(demo.plan.people)
    for person in people:
        assert check_id_number(person.id_number).valid
        assert not person.phone or phone_info(person.phone).valid
        assert person.area.level == "grid"
        assert person.birth_year is not None and person.sex


def test_it_lets_the_grid_worker_see_only_their_village(demo: Built) -> None:
    for username in ("grid", "grid2"):
        user = User.objects.get(username=username)
        village = Area.objects.get(code=grid_village(demo.plan.areas, username).code)
        visible = set(Person.objects.visible_to(user).values_list("pk", flat=True))
        in_village = set(
            Person.objects.filter(area__path__startswith=village.path).values_list("pk", flat=True)
        )
        assert visible == in_village
        assert 0 < len(visible) < Person.objects.count()


def test_it_lets_the_police_station_see_its_townships_only(demo: Built) -> None:
    user = User.objects.get(username="police2")
    visible = Person.objects.visible_to(user)
    assert visible.exists()
    townships = list(user.organisation.covered_areas.all())  # type: ignore[union-attr]
    assert all(any(p.area.path.startswith(t.path) for t in townships) for p in visible)
    assert visible.count() < Person.objects.count()


def test_it_writes_one_demo_load_record(demo: Built) -> None:
    records = AuditEvent.objects.filter(action="demo.load")
    assert records.count() == 1
    assert records.get().details["people"] == len(demo.plan.people)


def test_it_does_nothing_with_if_empty_the_second_time(demo: Built) -> None:
    before = (Area.objects.count(), Person.objects.count(), AuditEvent.objects.count())
    out = io.StringIO()
    call_command("demo", "--if-empty", stdout=out)
    assert out.getvalue() == ""
    assert (Area.objects.count(), Person.objects.count(), AuditEvent.objects.count()) == before


def test_it_refuses_to_load_twice(demo: Built) -> None:
    before = AuditEvent.objects.count()
    with pytest.raises(CommandError, match="空数据库"):
        call_command("demo", stdout=io.StringIO())
    assert AuditEvent.objects.count() == before


def test_it_prints_the_demo_logins(demo: Built) -> None:
    assert "leader" not in demo.output  # built with --if-empty, as `make run` does: `fanzha run` prints them
    out = io.StringIO()
    call_command("demo_logins", stdout=out)
    text = out.getvalue()
    for user in demo.plan.users:
        assert user.username in text
    assert DEMO_PASSWORD in text and "中心领导" in text and "网格员" in text
    assert User.objects.get(username="grid").organisation.name in text  # type: ignore[union-attr]
