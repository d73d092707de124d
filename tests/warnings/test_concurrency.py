"""Two people acknowledge the same warning at once: exactly one wins, the other is told who did."""

from __future__ import annotations

import threading

import pytest
from django.db import connections

from fanzha.audit.models import AuditEvent
from fanzha.warnings.models import Status, Warning
from fanzha.warnings.workflow import Conflict, warning_acknowledge
from tests.personas import build_world
from tests.warnings.helpers import make_warning, second_grid_worker, waiting


def test_it_lets_only_the_first_of_two_stale_acknowledgements_win(world) -> None:  # type: ignore[no-untyped-def]
    warning = make_warning(1)
    other = second_grid_worker(world)
    seen_by_first = Warning.objects.get(pk=warning.pk)
    seen_by_second = Warning.objects.get(pk=warning.pk)
    warning_acknowledge(actor=world.users["grid_cd"], warning=seen_by_first, version=seen_by_first.version)
    with pytest.raises(Conflict, match="已由 grid_cd 于 .* 签收"):
        warning_acknowledge(actor=other, warning=seen_by_second, version=seen_by_second.version)
    warning.refresh_from_db()
    assert warning.status == Status.ACKNOWLEDGED and warning.acknowledged_by == world.users["grid_cd"]
    assert AuditEvent.objects.filter(action="warning.acknowledge").count() == 1


def _acknowledger(user, pk, version, barrier, results) -> None:  # type: ignore[no-untyped-def]
    try:
        warning = Warning.objects.get(pk=pk)
        barrier.wait(timeout=30)
        waiting(lambda: warning_acknowledge(actor=user, warning=warning, version=version))
        results.append(("won", user.username))
    except Conflict as exc:
        results.append(("lost", str(exc)))
    except BaseException as exc:  # noqa: BLE001 - reported by the test
        results.append(("error", repr(exc)))
    finally:
        connections.close_all()


def test_it_lets_exactly_one_of_two_concurrent_acknowledgements_win(allow_audit_flush) -> None:  # type: ignore[no-untyped-def]
    world = build_world()
    warning = make_warning(2)
    users = [world.users["grid_cd"], second_grid_worker(world)]
    for user in users:  # roles and organisation loaded before the race
        _ = user.role_codes, user.organisation
    barrier = threading.Barrier(2)
    results: list[tuple[str, str]] = []
    threads = [
        threading.Thread(target=_acknowledger, args=(u, warning.pk, warning.version, barrier, results))
        for u in users
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    outcomes = sorted(kind for kind, _ in results)
    assert outcomes == ["lost", "won"], results
    winner = next(name for kind, name in results if kind == "won")
    loser_message = next(text for kind, text in results if kind == "lost")
    assert f"已由 {winner} 于" in loser_message
    warning.refresh_from_db()
    assert warning.acknowledged_by.username == winner and warning.version == 2
    assert AuditEvent.objects.filter(action="warning.acknowledge").count() == 1
