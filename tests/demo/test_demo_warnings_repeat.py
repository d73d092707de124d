"""The demo with its warnings, loaded twice into an empty database: same seed and time, same data."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import transaction

from fanzha.demo.build import demo_load
from fanzha.warnings.models import Contact, Warning, WarningEvent, WarningRepush

NOW = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)


def _snapshot() -> tuple[list[tuple[Any, ...]], int, int, list[tuple[Any, ...]]]:
    rows = [
        (
            w.source,
            w.source_id,
            w.person.id_number,
            w.person.name,
            w.area.code,
            w.fraud_type,
            w.grade,
            w.status,
            w.outcome,
            w.assignee.username if w.assignee else "",
            w.received_at,
            w.acknowledged_at,
            w.closed_at,
            w.escalated,
            w.grade_reasons,
        )
        for w in Warning.objects.select_related("person", "area", "assignee").order_by("source", "source_id")
    ]
    again = sorted(WarningRepush.objects.values_list("ref__source_id", "received_at", "batch__file_name"))
    return rows, Contact.objects.count(), WarningEvent.objects.count(), again


def _load_once() -> tuple[list[tuple[Any, ...]], int, int, list[tuple[Any, ...]]]:
    with transaction.atomic():
        assert not Warning.objects.exists()
        demo_load(now=NOW)
        snapshot = _snapshot()
        transaction.set_rollback(True)
    return snapshot


@pytest.mark.django_db
def test_it_loads_the_same_warnings_twice() -> None:
    first = _load_once()
    second = _load_once()
    assert len(first[0]) > 3000 and first[3]
    assert first == second
