"""A warning list merging into open warnings locks them in id order, as every other path that locks several
(a deactivation's redispatch, a regrade, a type alias's re-type: ``sla.HELD``, ``warnings_lock_held``).

The list locked them in the order they were received: two open warnings received in the other order
than their ids (a list read before another but committed after it) were locked by the list in one order
and by a deactivation handing them on in the other; on PostgreSQL the two could wait for each other and
one failed with "deadlock detected" (the list as 导入中断, the deactivation as a server error). SQLite's
writers queue at ``BEGIN IMMEDIATE``.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from typing import Any

import pytest
from django.db import connection, transaction
from django.utils import timezone

from fanzha.core.services import organisations as org_services
from fanzha.imports.pipeline import ImportResult, import_run
from fanzha.warnings.models import Status, Warning
from tests.personas import build_world
from tests.warnings.files import row, warning_csv
from tests.warnings.helpers import make_warning
from tests.warnings.test_s21_assign_race import _in_thread

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite's writers queue at BEGIN IMMEDIATE"),
    pytest.mark.django_db(transaction=True),
]


def _hold_until(pk: int, release: threading.Event) -> tuple[threading.Thread, list[Any]]:
    """Another transaction holding warning ``pk`` (a 签收 being written) until ``release`` is set."""

    def hold() -> None:
        with transaction.atomic():
            Warning.objects.select_for_update().get(pk=pk)
            release.wait(timeout=30)

    return _in_thread(hold)


def test_a_list_merging_while_a_deactivation_hands_the_same_warnings_on_both_complete(  # type: ignore[no-untyped-def]
    allow_audit_flush,
) -> None:
    world = build_world()
    first, second = make_warning(1), make_warning(2)  # both with grid_cd
    now = timezone.now()
    # Received in the other order than their ids: the list would lock the second one first.
    Warning.objects.filter(pk=first.pk).update(received_at=now - dt.timedelta(hours=1))
    Warning.objects.filter(pk=second.pk).update(received_at=now - dt.timedelta(hours=2))
    data = warning_csv(
        [
            row(11, id_number=first.person.id_number, warned_at="2026-11-28 10:00:00"),
            row(12, id_number=second.person.id_number, warned_at="2026-11-28 10:00:00"),
        ]
    )
    release = threading.Event()
    holder, _ = _hold_until(second.pk, release)
    time.sleep(0.5)
    importing, imported = _in_thread(
        lambda: import_run(actor=None, importer="warnings", file_name="清单.csv", data=data)
    )
    time.sleep(1.0)  # the list waits for the held warning
    deactivating, deactivated = _in_thread(
        lambda: org_services.user_deactivate(actor=world.users["admin"], user=world.users["grid_cd"])
    )
    time.sleep(1.0)  # the deactivation waits too
    release.set()
    for thread in (holder, importing, deactivating):
        thread.join(timeout=30)
    assert len(imported) == 1 and isinstance(imported[0], ImportResult), imported
    assert imported[0].batch.rows_updated == 2, imported[0].batch.message  # both merged
    assert len(deactivated) == 1 and isinstance(deactivated[0], list), deactivated
    gone = world.users["grid_cd"].pk
    for warning in (first, second):
        current = Warning.objects.get(pk=warning.pk)
        assert current.status in (Status.NEW, Status.ASSIGNED) and current.assignee_id != gone
