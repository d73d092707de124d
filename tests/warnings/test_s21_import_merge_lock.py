"""A file that merges a row into an open warning holds that warning from reading it to its commit, as a
single report does: a handover (or a 签收) committed meanwhile used to be overwritten when the file
rewrote the merged warning at its end (PostgreSQL; SQLite's writers already queue)."""

from __future__ import annotations

import time
from typing import Any

import pytest

from fanzha.imports.pipeline import import_run
from fanzha.warnings import bulk
from fanzha.warnings.models import Warning
from fanzha.warnings.workflow import warning_handover
from tests.personas import build_world
from tests.warnings.files import row, warning_csv
from tests.warnings.helpers import make_warning
from tests.warnings.test_s21_assign_race import _in_thread

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_handover_while_a_file_merges_into_it_waits_and_is_kept(allow_audit_flush, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    world = build_world()
    first = make_warning(1)
    assert first.assignee == world.users["grid_cd"]
    handing: list[Any] = []
    finish = bulk._Writes.finish

    def finish_after_a_handover(self: bulk._Writes) -> None:
        """The file has read the open warning and merged into it in memory; a handover comes now."""
        thread, outcome = _in_thread(
            lambda: warning_handover(
                actor=world.users["grid_cd"],
                warning=Warning.objects.get(pk=first.pk),
                reason="需民警上门",
                to_user=world.users["police_cg"],
            )
        )
        time.sleep(0.5)
        handing.extend([thread, outcome, thread.is_alive()])
        finish(self)

    monkeypatch.setattr(bulk._Writes, "finish", finish_after_a_handover)
    data = warning_csv([row(7, id_number=first.person.id_number, warned_at="2026-11-28 10:00:00")])
    result = import_run(actor=None, importer="warnings", file_name="list.csv", data=data)
    thread, outcome, waited = handing
    thread.join(timeout=30)
    assert result.ok and result.batch.rows_updated == 1
    assert waited, outcome  # the handover went through while the file held the warning in memory
    assert len(outcome) == 1 and isinstance(outcome[0], Warning), outcome
    current = Warning.objects.select_related("assignee").get(pk=first.pk)
    assert current.merged_count == 1  # the file's merge
    assert current.assignee == world.users["police_cg"]  # and the handover, not overwritten by it
