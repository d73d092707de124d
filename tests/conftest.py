from __future__ import annotations

import pytest

from tests.personas import World, build_world


@pytest.fixture
def world(db: None) -> World:
    return build_world()


FLUSH_ALL = 2**63 - 1


def restore_seeded_data() -> None:
    """What the data migrations seed (the grading rules), put back when a transactional test's flush
    emptied it: without it every later transactional and live-server test graded by the fallback."""
    import importlib

    from django.apps import apps

    for migration in ("0002_seed", "0013_seed_callback_rule", "0016_pushed_levels"):
        importlib.import_module(f"fanzha.warnings.migrations.{migration}").seed(apps, None)


@pytest.fixture(autouse=True)
def _seeded_data_in_transactional_tests(request: pytest.FixtureRequest) -> None:
    if "transactional_db" in request.fixturenames or "live_server" in request.fixturenames:
        request.getfixturevalue("transactional_db")
        restore_seeded_data()


@pytest.fixture
def allow_audit_flush(transactional_db: None):  # type: ignore[no-untyped-def]
    """Transactional tests flush the database afterwards; the audit triggers must permit it."""
    yield
    from fanzha.audit.models import AuditEvent, AuditPurgePermit

    # Django empties tables in no fixed order: remove the audit rows while the permit exists.
    AuditPurgePermit.objects.create(upto_id=FLUSH_ALL)
    AuditEvent.objects.all().delete()


@pytest.fixture(autouse=True, scope="session")
def _var_dir_of_the_session(tmp_path_factory: pytest.TempPathFactory) -> None:
    """What the platform writes under ``VAR_DIR`` while it runs (the worker's exports, var/exports) goes
    to a folder of the test session, not the checkout's var/."""
    from django.conf import settings

    settings.VAR_DIR = tmp_path_factory.mktemp("var")
