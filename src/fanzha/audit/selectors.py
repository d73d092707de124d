"""Reading the audit log."""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet

from fanzha.audit.models import AuditEvent


def audit_search(
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    actor: str = "",
    action: str = "",
    object_type: str = "",
    object_id: str = "",
    ip: str = "",
    request_id: str = "",
) -> QuerySet[AuditEvent]:
    """Records matching every filter given, newest first. Text filters match exactly."""
    events = AuditEvent.objects.order_by("-id")
    if start is not None:
        events = events.filter(at__gte=start)
    if end is not None:
        events = events.filter(at__lte=end)
    if actor:
        events = events.filter(actor_username=actor)
    if action:
        events = events.filter(action=action)
    if object_type:
        events = events.filter(object_type=object_type)
    if object_id:
        events = events.filter(object_id=object_id)
    if ip:
        events = events.filter(ip=ip)
    if request_id:
        events = events.filter(request_id=request_id)
    return events
