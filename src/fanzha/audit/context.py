"""Who is acting and from where, for the audit records written during a request or a job."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class AuditContext:
    ip: str = ""
    request_id: str = ""
    channel: str = "system"  # web, api, cli, worker, system


_NONE = AuditContext()
_current: ContextVar[AuditContext | None] = ContextVar("fanzha_audit_context", default=None)


def current() -> AuditContext:
    return _current.get() or _NONE


def bind(context: AuditContext) -> object:
    return _current.set(context)


def reset(token: object) -> None:
    _current.reset(token)  # type: ignore[arg-type]


@contextmanager
def bound(channel: str, request_id: str = "", ip: str = "") -> Iterator[AuditContext]:
    """Audit records written inside carry this channel (cli, worker, …) and request id."""
    ctx = AuditContext(ip=ip, request_id=request_id, channel=channel)
    token = bind(ctx)
    try:
        yield ctx
    finally:
        reset(token)
