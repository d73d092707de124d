"""Warnings for the tests, received through the services as an import or the API would."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.db import OperationalError, connection

from fanzha.core.services import organisations as org_services
from fanzha.warnings import services, workflow
from fanzha.warnings.intake import WarningInput
from fanzha.warnings.models import Warning
from tests.personas import PASSWORD, id_number, login


def make_warning(n: int = 1, **overrides: Any) -> Warning:
    """Warning ``n`` for a new person of 城东社区, aged 60-69 (medium: to the grid worker) by default."""
    values: dict[str, Any] = {
        "source": "上级推送",
        "source_id": f"T{n:05d}",
        "name": f"测试{n}",
        "id_number": id_number("331102", f"{1956 + n % 10}0301", f"{n % 1000:03d}"),
        "phone": f"136{n:08d}",
        "address": "青溪县城关镇城东社区幸福路1号",
        "fraud_type": "网络游戏产品虚假交易",
        "warned_at": "2026-11-28 09:00:00",
    }
    values.update(overrides)
    return services.receive(intake=services.Intake(), data=WarningInput(**values)).warning


def chengdong_warning(world: Any) -> Warning:
    """The matrix's warning: one per test database, made on first use."""
    existing = Warning.objects.filter(source_id="MATRIX").first()
    return existing or make_warning(9001, source_id="MATRIX")


def waiting(call: Callable[[], Any], tries: int = 500) -> Any:
    """Run ``call``, waiting while the test database is locked by another writer.

    A deployed SQLite database is a file: a second writer waits at BEGIN IMMEDIATE (busy timeout 20 s).
    The test database is in memory with a shared cache, whose table locks fail at once instead of
    waiting; retrying the whole call is that same wait. PostgreSQL waits for its locks by itself.
    """
    for _ in range(tries):
        try:
            return call()
        except OperationalError as exc:
            if connection.vendor != "sqlite" or "locked" not in str(exc):
                raise
            time.sleep(0.02)
    raise AssertionError("the database stayed locked")


def second_grid_worker(world: Any) -> Any:
    """A second grid worker of 城东社区居委会, ``grid_cd2`` (made after ``grid_cd``: chosen after them on a
    tie; made after a warning, routing would share the next ones out)."""
    return org_services.user_create(
        actor=None,
        username="grid_cd2",
        password=PASSWORD,
        organisation=world.orgs["城东社区居委会"],
        roles=["grid_worker"],
    )


def acknowledged_by_grid_worker(world: Any, client: Any) -> Warning:
    """Warning 1, acknowledged by the grid worker who holds it, logged in on ``client`` to record what
    they did (the contact form posts the version returned)."""
    warning = make_warning(1)
    worker = world.users["grid_cd"]
    warning = workflow.warning_acknowledge(actor=worker, warning=warning, version=warning.version)
    login(client, worker)
    return warning
