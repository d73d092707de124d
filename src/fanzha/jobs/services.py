"""Writes of the jobs app: enqueue a job, notify users, mark a notification read, adjust the calendar."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from fanzha.audit.services import audit_record
from fanzha.core import access
from fanzha.core.pii.masking import scrub_text
from fanzha.jobs import registry
from fanzha.jobs.gateways import NotificationGateway, OutgoingMessage
from fanzha.jobs.models import CalendarDay, Job, Notification, NotificationLevel, OutboxChannel

logger = logging.getLogger("fanzha.jobs")


def _is_user(actor: Any) -> bool:
    return actor is not None and getattr(actor, "is_authenticated", False)


def _check_args(args: dict[str, Any]) -> str:
    try:
        encoded = json.dumps(args, ensure_ascii=False, sort_keys=True)
    except (TypeError, ValueError) as exc:
        raise ValidationError({"args": "任务参数必须是可序列化为 JSON 的字典"}) from exc
    if scrub_text(encoded) != encoded:
        raise ValidationError({"args": "任务参数中不得包含身份证号、手机号或银行卡号明文，请改传记录编号"})
    return encoded


@transaction.atomic
def job_enqueue(
    *,
    actor: Any,
    kind: str,
    args: dict[str, Any] | None = None,
    run_at: datetime | None = None,
    max_attempts: int = 3,
) -> Job:
    """Queue a job (a row: safe to call inside any transaction; the worker sees it once committed)."""
    args = dict(args or {})
    if not registry.is_registered(kind):
        raise ValidationError({"kind": f"未知的任务类型：{kind}"})
    if max_attempts < 1:
        raise ValidationError({"max_attempts": "最多尝试次数至少为 1"})
    _check_args(args)
    job = Job.objects.create(
        kind=kind,
        args=args,
        run_at=run_at or timezone.now(),
        max_attempts=max_attempts,
        created_by=actor if _is_user(actor) else None,
    )
    if _is_user(actor):
        audit_record(actor=actor, action="job.enqueue", obj=job, details={"kind": kind})
    return job


# ── notifications ────────────────────────────────────────────────────────────
NOTIFY_CHANNELS = ("inbox", *OutboxChannel.values)


def check_link(link: str) -> str:
    """A path inside the platform, without a query string (which could carry personal data)."""
    link = link.strip()
    if not link:
        return ""
    bad = not link.startswith("/") or link.startswith("//") or "\\" in link
    if bad or "?" in link or "#" in link or scrub_text(link) != link or len(link) > 300:
        raise ValidationError({"link": "消息链接必须是站内路径，且不得带查询参数或个人信息"})
    return link


def gateway() -> NotificationGateway:
    return import_string(settings.NOTIFICATION_GATEWAY)()  # type: ignore[no-any-return]


def _deliver(messages: list[OutgoingMessage]) -> None:
    """Hand the messages to the gateway after the commit: a failing gateway is logged (the inbox rows
    are written already), never raised into the request that committed."""
    try:
        sender = gateway()
    except Exception:
        logger.exception("notification gateway could not be created", extra={"messages": len(messages)})
        return
    for message in messages:
        try:
            sender.send(message)
        except Exception:
            logger.exception("notification gateway failed", extra={"channel": message.channel})


@dataclass(frozen=True)
class NotifyResult:
    inbox: list[Notification]
    handed_to_gateway: int


@transaction.atomic
def notify(
    *,
    recipients: Iterable[Any],
    title: str,
    body: str,
    link: str = "",
    channels: Iterable[str] = ("inbox",),
    level: str = NotificationLevel.INFO,
) -> NotifyResult:
    """Write inbox rows now; hand other channels (sms, im) to the gateway once the transaction commits.

    Title and body are scrubbed of ID, phone and card numbers; callers pass masked names only.
    """
    channels = tuple(dict.fromkeys(channels))
    unknown = [c for c in channels if c not in NOTIFY_CHANNELS]
    if unknown:
        raise ValidationError({"channels": f"未知的通知渠道：{'、'.join(unknown)}"})
    if level not in NotificationLevel.values:
        raise ValidationError({"level": f"未知的消息级别：{level}"})
    link = check_link(link)
    title = scrub_text(title.strip())[:200]
    body = scrub_text(body.strip())
    if not title:
        raise ValidationError({"title": "请填写消息标题"})
    users = list({u.pk: u for u in recipients if u is not None and u.is_active}.values())
    inbox: list[Notification] = []
    if "inbox" in channels:
        inbox = Notification.objects.bulk_create(
            [Notification(recipient=u, title=title, body=body, link=link, level=level) for u in users]
        )
    outgoing = [
        OutgoingMessage(channel=channel, recipient_id=u.pk, title=title, text=body, link=link)
        for channel in channels
        if channel != "inbox"
        for u in users
    ]
    if outgoing:
        transaction.on_commit(lambda: _deliver(outgoing))
    return NotifyResult(inbox=inbox, handed_to_gateway=len(outgoing))


@transaction.atomic
def notification_mark_read(*, actor: Any, notification: Notification, at: datetime | None = None) -> bool:
    """Mark the actor's own notification read (at ``at``, now by default: the demo's history passes when
    its users read); True when it was unread."""
    if not _is_user(actor) or notification.recipient_id != actor.pk:
        raise ValidationError("只能标记自己的消息")
    if notification.read_at is not None:
        return False
    now = at or timezone.now()
    updated = Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=now)
    notification.read_at = now
    return updated == 1


# ── working-day calendar ─────────────────────────────────────────────────────
@transaction.atomic
def calendar_day_set(
    *, actor: Any, day: date, is_working_day: bool, name: str = "", note: str = ""
) -> CalendarDay:
    """Override the statutory calendar for one day (audited "calendar.update")."""
    access.require(actor, "calendar.edit")
    entry, created = CalendarDay.objects.get_or_create(
        date=day,
        defaults={
            "is_working_day": is_working_day,
            "name": name.strip(),
            "note": note.strip(),
            "updated_by": actor,
        },
    )
    if not created:
        entry.is_working_day = is_working_day
        entry.name = name.strip()
        entry.note = note.strip()
        entry.updated_by = actor
    entry.full_clean()
    entry.save()
    audit_record(
        actor=actor,
        action="calendar.update",
        obj=entry,
        fields=["is_working_day", "name", "note"],
        details={"date": day.isoformat(), "is_working_day": is_working_day, "created": created},
    )
    return entry


@transaction.atomic
def calendar_day_clear(*, actor: Any, day: date) -> bool:
    """Remove a day's override so the statutory calendar applies again; True when there was one."""
    access.require(actor, "calendar.edit")
    entry = CalendarDay.objects.filter(date=day).first()
    if entry is None:
        return False
    audit_record(
        actor=actor,
        action="calendar.update",
        obj=entry,
        fields=["is_working_day"],
        details={"date": day.isoformat(), "cleared": True},
    )
    entry.delete()
    return True
