"""A warning is never left with a user moved out of the unit while it was being assigned (s21).

An intake (and a handover) picks the user among the unit's active users of the right role; a transfer
(调动, ``user_update``) locks the user's row and refuses while the user holds open warnings. On
PostgreSQL (READ COMMITTED) the intake used to read the users without a lock, so a transfer could read
"no open warnings" and commit between the intake's choice and its commit: the new warning stayed with a
user of another unit. The users an intake or a handover picks from are now locked (FOR KEY SHARE) for
the rest of its transaction: a transfer waits for it and then sees the warning, and an intake that
waits for a transfer re-reads the user and picks a colleague. On SQLite every writing transaction
begins IMMEDIATE, so the two queue one behind the other (the tests' ``waiting`` retries that queue).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from fanzha.core.models import User
from fanzha.core.services import organisations as org_services
from fanzha.warnings import routing, workflow
from fanzha.warnings.models import Warning
from tests.personas import World, build_world
from tests.warnings.helpers import make_warning, waiting
from tests.warnings.helpers import second_grid_worker as _colleague

pytestmark = pytest.mark.django_db(transaction=True)


def _in_thread(call: Callable[[], Any]) -> tuple[threading.Thread, list[Any]]:
    """``call`` on a connection of its own, started now; its result (or the exception) lands in the list."""
    outcome: list[Any] = []

    def run() -> None:
        try:
            outcome.append(waiting(call))
        except Exception as exc:  # noqa: BLE001 - the test reports it (a refusal, or a deadlock)
            outcome.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def _transfer(world: World, user: User) -> Callable[[], Any]:
    def call() -> Any:
        fresh = User.objects.get(pk=user.pk)
        return org_services.user_update(
            actor=world.users["admin"], user=fresh, organisation=world.orgs["石桥村村委会"]
        )

    return call


def _held_in_its_unit(warning: Warning) -> bool:
    current = Warning.objects.select_related("assignee").get(pk=warning.pk)
    return current.assignee is not None and current.assignee.organisation_id == current.organisation_id


def test_a_transfer_during_an_intake_that_chose_the_user_waits_and_is_refused(allow_audit_flush) -> None:  # type: ignore[no-untyped-def]
    world = build_world()
    grid_cd = world.users["grid_cd"]
    with transaction.atomic():  # the intake, not committed yet
        warning = make_warning(1)
        assert warning.assignee_id == grid_cd.pk
        other, outcome = _in_thread(_transfer(world, grid_cd))
        time.sleep(0.5)
        waited = other.is_alive()
    other.join(timeout=20)
    assert waited, outcome  # the transfer read "no open warnings" and went ahead
    assert len(outcome) == 1 and isinstance(outcome[0], ValidationError), outcome
    assert "未办结的预警" in " ".join(outcome[0].message_dict["organisation"])
    assert User.objects.get(pk=grid_cd.pk).organisation == world.orgs["城东社区居委会"]
    assert _held_in_its_unit(warning)


def test_an_intake_during_a_transfer_of_the_user_it_would_choose_picks_a_colleague(allow_audit_flush) -> None:  # type: ignore[no-untyped-def]
    world = build_world()
    grid_cd, colleague = world.users["grid_cd"], _colleague(world)
    with transaction.atomic():  # the transfer, not committed yet
        _transfer(world, grid_cd)()
        other, outcome = _in_thread(lambda: make_warning(2))
        time.sleep(0.5)
        waited = other.is_alive()
    other.join(timeout=20)
    assert waited
    assert len(outcome) == 1 and isinstance(outcome[0], Warning), outcome
    assert outcome[0].assignee_id == colleague.pk  # not grid_cd, in 石桥村 now
    assert _held_in_its_unit(outcome[0])


def test_a_transfer_during_a_handover_to_the_user_waits_and_is_refused(allow_audit_flush) -> None:  # type: ignore[no-untyped-def]
    world = build_world()
    colleague = _colleague(world)
    warning = make_warning(3)
    assert warning.assignee == world.users["grid_cd"]
    with transaction.atomic():  # the handover, not committed yet
        workflow.warning_handover(
            actor=world.users["leader"], warning=warning, reason="休假", to_user=colleague
        )
        other, outcome = _in_thread(_transfer(world, colleague))
        time.sleep(0.5)
        waited = other.is_alive()
    other.join(timeout=20)
    assert waited, outcome
    assert len(outcome) == 1 and isinstance(outcome[0], ValidationError), outcome
    assert Warning.objects.get(pk=warning.pk).assignee_id == colleague.pk
    assert _held_in_its_unit(warning)


def test_a_pages_candidates_are_read_outside_a_transaction_in_one_query_a_unit(allow_audit_flush) -> None:  # type: ignore[no-untyped-def]
    world = build_world()
    _colleague(world)
    assert not connection.in_atomic_block
    with CaptureQueriesContext(connection) as queries:
        found = routing.candidates(world.area("城东社区"))
    assert {u.username for _, u in found} == {"police_cg", "grid_cd", "grid_cd2"}
    users = [q["sql"] for q in queries.captured_queries if 'FROM "core_user"' in q["sql"]]
    assert len(users) == 2 and not any("FOR " in sql for sql in users), users
