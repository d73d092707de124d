"""audit_search: each filter narrows the result; newest first."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from fanzha.audit import context
from fanzha.audit.selectors import audit_search
from fanzha.audit.services import audit_record
from tests.audit.helpers import write


def test_it_filters_by_time_range(db: None) -> None:
    now = timezone.now()
    old = write(1, at=now - timedelta(days=3))[0]
    mid = write(1, at=now - timedelta(days=2))[0]
    new = write(1, at=now - timedelta(days=1))[0]
    assert list(audit_search(start=now - timedelta(days=2, hours=1))) == [new, mid]
    assert list(audit_search(end=now - timedelta(days=2, hours=-1))) == [mid, old]


def test_it_filters_by_actor_and_action(world) -> None:  # type: ignore[no-untyped-def]
    audit_record(actor=world.users["bank"], action="login.success")
    audit_record(actor=world.users["grid_cd"], action="login.success")
    found = list(audit_search(actor="bank", action="login.success"))
    assert [e.actor_username for e in found] == ["bank"]


def test_it_filters_by_object_ip_and_request(db: None) -> None:
    token = context.bind(context.AuditContext(ip="10.1.2.3", request_id="abc12345", channel="web"))
    try:
        wanted = audit_record(actor=None, action="job.enqueue", object_type="jobs.job", object_id="7")
    finally:
        context.reset(token)
    audit_record(actor=None, action="job.enqueue", object_type="jobs.job", object_id="8")
    assert list(audit_search(object_type="jobs.job", object_id="7")) == [wanted]
    assert list(audit_search(ip="10.1.2.3")) == [wanted]
    assert list(audit_search(request_id="abc12345")) == [wanted]
    assert audit_search(object_type="jobs.job").count() == 2
