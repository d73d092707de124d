from __future__ import annotations

import pytest

from tests.personas import World, build_world


@pytest.fixture
def world(db: None) -> World:
    return build_world()


FLUSH_ALL = 2**63 - 1


@pytest.fixture
def allow_audit_flush(transactional_db: None):  # type: ignore[no-untyped-def]
    """Transactional tests flush the database afterwards; the audit triggers must permit it."""
    yield
    from fanzha.audit.models import AuditEvent, AuditPurgePermit

    # Django empties tables in no fixed order: remove the audit rows while the permit exists.
    AuditPurgePermit.objects.create(upto_id=FLUSH_ALL)
    AuditEvent.objects.all().delete()
