"""How long each kind of record is kept, and the purge that deletes what is older.

Each kind names a model (by label, resolved lazily so an app that is not installed is skipped), the
date field that ages it, and the setting holding its retention in days. Apps register their own kinds
with :func:`register_kind` in their ``AppConfig.ready``. The task "retention.purge" deletes expired rows
in batches and writes one "retention.purge" audit record per kind with the count.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import models, transaction
from django.utils import timezone

from fanzha.audit.services import audit_record

logger = logging.getLogger("fanzha.jobs.retention")
BATCH_SIZE = 1000


@dataclass(frozen=True)
class RetentionKind:
    name: str  # short code, e.g. "jobs"
    model_label: str  # "app_label.ModelName"
    days_setting: str  # name of the setting with the retention in days
    date_field: str = "created_at"
    only: Callable[[], models.Q] | None = None  # rows eligible at all (e.g. finished jobs only)

    @property
    def days(self) -> int:
        return int(getattr(settings, self.days_setting))

    def model(self) -> type[models.Model] | None:
        try:
            model = apps.get_model(self.model_label)
            model._meta.get_field(self.date_field)
        except (LookupError, ValueError, FieldDoesNotExist):
            return None
        return model


_KINDS: dict[str, RetentionKind] = {}


def register_kind(kind: RetentionKind) -> RetentionKind:
    """Add (or replace) a kind of record the purge looks after."""
    _KINDS[kind.name] = kind
    return kind


def registered_kinds() -> list[RetentionKind]:
    return list(_KINDS.values())


def _finished_jobs() -> models.Q:
    from fanzha.jobs.models import FINISHED_STATUSES

    return models.Q(status__in=FINISHED_STATUSES)


register_kind(RetentionKind("jobs", "jobs.Job", "RETENTION_JOBS_DAYS", only=_finished_jobs))
register_kind(RetentionKind("notifications", "jobs.Notification", "RETENTION_NOTIFICATIONS_DAYS"))
register_kind(RetentionKind("outbox", "jobs.OutboxMessage", "RETENTION_OUTBOX_DAYS"))
register_kind(RetentionKind("imports", "imports.ImportBatch", "RETENTION_IMPORTS_DAYS"))
register_kind(RetentionKind("people", "core.Person", "RETENTION_PEOPLE_DAYS", date_field="updated_at"))


def expired(kind: RetentionKind, model: type[models.Model], now: datetime) -> Any:
    cutoff = now - timedelta(days=kind.days)
    rows = model._default_manager.filter(**{f"{kind.date_field}__lt": cutoff})
    if kind.only is not None:
        rows = rows.filter(kind.only())
    return rows


def purge_kind(kind: RetentionKind, now: datetime | None = None, batch_size: int = BATCH_SIZE) -> int | None:
    """Delete the expired rows of one kind in batches; None when its model is not installed."""
    now = now or timezone.now()
    model = kind.model()
    if model is None:
        logger.info("retention kind skipped", extra={"kind": kind.name})
        return None
    deleted = 0
    batches = 0
    while True:
        ids = list(expired(kind, model, now).order_by("pk").values_list("pk", flat=True)[:batch_size])
        if not ids:
            break
        with transaction.atomic():  # the deletion and its audit record commit together or not at all
            _, per_model = model._default_manager.filter(pk__in=ids).delete()
            count = per_model.get(model._meta.label, 0)
            _audit_purge(kind, model, now, count, ids)
        deleted += count
        batches += 1
    if batches == 0:
        _audit_purge(kind, model, now, 0, [])
    logger.info("retention purge", extra={"kind": kind.name, "deleted": deleted})
    return deleted


def _audit_purge(
    kind: RetentionKind, model: type[models.Model], now: datetime, count: int, ids: list[Any]
) -> None:
    """One record per batch, naming the ids deleted (ids, never personal data)."""
    audit_record(
        actor=None,
        action="retention.purge",
        object_type=model._meta.label_lower,
        details={
            "kind": kind.name,
            "deleted": count,
            "ids": [str(pk) for pk in ids],
            "days": kind.days,
            "cutoff": (now - timedelta(days=kind.days)).isoformat(),
        },
    )


def purge_all(
    now: datetime | None = None, progress: Callable[[int, str], None] | None = None
) -> dict[str, int]:
    """Purge every registered kind; returns the count per kind that was purged."""
    now = now or timezone.now()
    kinds = registered_kinds()
    counts: dict[str, int] = {}
    for index, kind in enumerate(kinds, start=1):
        deleted = purge_kind(kind, now)
        if deleted is not None:
            counts[kind.name] = deleted
        if progress is not None:
            progress(index * 100 // len(kinds), f"已清理：{kind.name}")
    return counts


def purge_expired_sessions(now: datetime) -> int:
    """Delete the login sessions past their expiry (Django keeps them until told): they piled up, and
    ending a user's sessions (a password change, a reactivation) reads every one still stored."""
    from django.contrib.sessions.models import Session

    deleted, _ = Session.objects.filter(expire_date__lt=now).delete()
    return deleted
