"""Retention: only rows older than their kind's retention are deleted, one audit record per kind."""

from __future__ import annotations

from datetime import timedelta

from django.apps import apps
from django.core.management import call_command
from django.utils import timezone

from fanzha.audit.models import AuditEvent
from fanzha.jobs import retention
from fanzha.jobs.models import Job, JobStatus, Notification, OutboxMessage
from fanzha.jobs.services import job_enqueue


def _age(model, pk, days):  # type: ignore[no-untyped-def]
    model.objects.filter(pk=pk).update(created_at=timezone.now() - timedelta(days=days))


def test_it_deletes_only_expired_rows(world, settings) -> None:  # type: ignore[no-untyped-def]
    settings.RETENTION_JOBS_DAYS = 180
    settings.RETENTION_NOTIFICATIONS_DAYS = 365
    settings.RETENTION_OUTBOX_DAYS = 180
    old_done, old_running, new_done = (job_enqueue(actor=None, kind="jobs.ping") for _ in range(3))
    Job.objects.filter(pk__in=[old_done.pk, new_done.pk]).update(status=JobStatus.SUCCEEDED)
    Job.objects.filter(pk=old_running.pk).update(status=JobStatus.RUNNING)
    _age(Job, old_done.pk, 181)
    _age(Job, old_running.pk, 400)
    _age(Job, new_done.pk, 179)
    user = world.users["analyst"]
    old_note, new_note = (Notification.objects.create(recipient=user, title="t") for _ in range(2))
    _age(Notification, old_note.pk, 366)
    _age(Notification, new_note.pk, 200)
    old_sms = OutboxMessage.objects.create(channel="sms", recipient=user, text="t")
    _age(OutboxMessage, old_sms.pk, 181)

    counts = retention.purge_all()

    assert set(Job.objects.values_list("pk", flat=True)) == {old_running.pk, new_done.pk}
    assert list(Notification.objects.values_list("pk", flat=True)) == [new_note.pk]
    assert not OutboxMessage.objects.exists()
    assert counts["jobs"] == 1 and counts["notifications"] == 1 and counts["outbox"] == 1
    audited = {
        e.details["kind"]: e.details["deleted"] for e in AuditEvent.objects.filter(action="retention.purge")
    }
    assert audited == counts


def test_it_deletes_in_batches(world) -> None:  # type: ignore[no-untyped-def]
    user = world.users["grid_sq"]
    Notification.objects.bulk_create([Notification(recipient=user, title=str(i)) for i in range(7)])
    Notification.objects.update(created_at=timezone.now() - timedelta(days=1000))
    kind = retention.RetentionKind("notifications", "jobs.Notification", "RETENTION_NOTIFICATIONS_DAYS")
    assert retention.purge_kind(kind, batch_size=3) == 7
    assert not Notification.objects.exists()


def test_it_skips_kinds_whose_model_is_not_installed(db) -> None:  # type: ignore[no-untyped-def]
    missing = retention.RetentionKind("ghosts", "nowhere.Ghost", "RETENTION_JOBS_DAYS")
    assert retention.purge_kind(missing) is None
    assert not AuditEvent.objects.filter(action="retention.purge").exists()
    imports_installed = True
    try:
        apps.get_model("imports.ImportBatch")
    except LookupError:
        imports_installed = False
    assert ("imports" in retention.purge_all()) is imports_installed


def test_it_deletes_people_untouched_beyond_their_retention(world, settings) -> None:  # type: ignore[no-untyped-def]
    from fanzha.core.models import Person

    settings.RETENTION_PEOPLE_DAYS = 1825
    stale, fresh = world.people["chengdong"], world.people["shiqiao"]
    Person.objects.filter(pk=stale.pk).update(updated_at=timezone.now() - timedelta(days=1826))
    Person.objects.filter(pk=fresh.pk).update(updated_at=timezone.now() - timedelta(days=1800))

    counts = retention.purge_all()

    assert counts["people"] == 1
    assert list(Person.objects.values_list("pk", flat=True)) == [fresh.pk]


def test_it_keeps_the_people_when_their_purge_cannot_be_audited(world, settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import pytest

    from fanzha.core.models import Person

    Person.objects.update(updated_at=timezone.now() - timedelta(days=4000))

    def broken(**kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("audit log unavailable")

    monkeypatch.setattr(retention, "audit_record", broken)
    with pytest.raises(RuntimeError):
        retention.purge_kind(next(k for k in retention.registered_kinds() if k.name == "people"))
    assert Person.objects.count() == 2


def test_it_names_the_deleted_ids_in_the_audit_record(world) -> None:  # type: ignore[no-untyped-def]
    from fanzha.core.models import Person

    stale = world.people["shiqiao"]
    Person.objects.filter(pk=stale.pk).update(updated_at=timezone.now() - timedelta(days=4000))
    retention.purge_all()
    event = AuditEvent.objects.filter(action="retention.purge", object_type="core.person").latest("id")
    assert event.details["ids"] == [str(stale.pk)]


def test_it_deletes_expired_login_sessions_and_keeps_live_ones(db) -> None:  # type: ignore[no-untyped-def]
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session

    live, expired = SessionStore(), SessionStore()
    live.create()
    expired.set_expiry(timezone.now() - timedelta(minutes=1))
    expired.create()
    Session.objects.filter(session_key=expired.session_key).update(
        expire_date=timezone.now() - timedelta(days=1)
    )
    ran = job_enqueue(actor=None, kind="retention.purge")
    call_command("worker", "--once")
    ran.refresh_from_db()
    assert ran.status == JobStatus.SUCCEEDED and ran.result["expired_sessions"] == 1
    assert list(Session.objects.values_list("session_key", flat=True)) == [live.session_key]
