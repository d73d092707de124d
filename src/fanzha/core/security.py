"""Account security: lockout (django-axes) glue, session limits, password age, TOTP helpers.

Lockout: ``AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]`` makes axes count failures per
username and per address separately (a nested list would mean "this username from this address").
``FanzhaAxesHandler`` locks a username at ``AXES_FAILURE_LIMIT`` failures but an address only at
``LOGIN_IP_FAILURE_LIMIT`` (many users may share one address behind a NAT or proxy); a lock lasts
``AXES_COOLOFF_TIME``. Failed logins and lockouts are written to the audit log by the receivers
below (connected in ``CoreConfig.ready``).
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

import pyotp
from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off, get_failure_limit, get_lockout_parameters
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.auth.signals import user_login_failed
from django.contrib.sessions.models import Session
from django.db.models import Q, Sum
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from pyotp.exceptions import OTPVerificationError

from fanzha.audit.services import audit_record
from fanzha.core import access
from fanzha.core.pii.masking import scrub_text

# Session keys.
LOGIN_AT = "fanzha_login_at"
LAST_SEEN = "fanzha_last_seen"
PENDING = "fanzha_pending_login"
EXPIRED_NOTICE = "fanzha_session_expired"
ORGANISATION_NOTICE = "fanzha_organisation_inactive"

# A page that refreshes itself (the live board, a running job's status) sends this header with each
# refresh (its polling element's hx-headers): such a GET is answered while the session is valid but
# is not the person's activity, so it does not move the idle clock.
POLL_HEADER = "X-Fanzha-Poll"

# Told only to someone who typed the right password (an unknown username or a wrong password gets the
# one generic message), and at the next request of a session open when the organisation was deactivated.
ORGANISATION_INACTIVE_MESSAGE = "所在单位已停用，无法登录系统；如有疑问请联系系统管理员。"
ORGANISATION_INACTIVE_CODE = "organisation_inactive"

# A password set by an administrator carries this change time: it must be changed at next login.
MUST_CHANGE_AT = datetime(2000, 1, 1, tzinfo=UTC)

TOTP_PERMISSION = "account.totp"  # centre leaders and analysts, system administrators
TOTP_PENDING_SECONDS = 300
USERNAME_MAX = 150


# ── lockout ───────────────────────────────────────────────────────────────────


def lockout_minutes(request: HttpRequest | None = None) -> int:
    cool_off = get_cool_off(request)
    return int(cool_off.total_seconds() // 60) if cool_off else 0


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict | None = None
) -> HttpResponse:
    """What a locked-out visitor sees (AXES_LOCKOUT_CALLABLE): a Chinese page, status 429."""
    request.session.pop(PENDING, None)
    context = {"cooloff_minutes": lockout_minutes(request)}
    return render(request, settings.AXES_LOCKOUT_TEMPLATE, context, status=429)


def is_login_allowed(request: HttpRequest, username: str) -> bool:
    """False while the username or the client address is locked."""
    return bool(AxesProxyHandler.is_allowed(request, {"username": username}))


def record_failed_login(request: HttpRequest, username: str, step: str) -> None:
    """Counts a failure (e.g. a wrong TOTP code) exactly like a wrong password."""
    user_login_failed.send(sender=__name__, credentials={"username": username, "step": step}, request=request)


class FanzhaAxesHandler(AxesDatabaseHandler):
    """The database handler with a separate, higher limit for the per-address counter (AXES_HANDLER)."""

    def get_failures(self, request: HttpRequest, credentials: dict | None = None) -> int:
        """The username's failures, or the address's once it reaches LOGIN_IP_FAILURE_LIMIT
        (then at least AXES_FAILURE_LIMIT, so axes locks)."""
        parameters = get_lockout_parameters(request, credentials)
        counts: dict[str, int] = {}
        for parameter, attempts in zip(parameters, self.get_user_attempts(request, credentials), strict=True):
            total = attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            counts[str(parameter)] = int(total)
        by_username = counts.get("username", 0)
        by_address = counts.get("ip_address", 0)
        if by_address >= settings.LOGIN_IP_FAILURE_LIMIT:
            return max(by_username, by_address, get_failure_limit(request, credentials))
        return by_username


def unlock_username(username: str) -> int:
    """Forgets the failures counted against ``username`` and, for each address it failed from,
    the failures counted against that address (for any username). Returns the rows removed."""
    addresses = AccessAttempt.objects.filter(username=username).values_list("ip_address", flat=True)
    attempts = AccessAttempt.objects.filter(Q(username=username) | Q(ip_address__in=list(addresses)))
    _, removed = attempts.delete()
    return int(removed.get(AccessAttempt._meta.label, 0))


def locked_usernames(usernames: list[str]) -> set[str]:
    """Which of ``usernames`` are locked now."""
    cool_off = get_cool_off()
    attempts = AccessAttempt.objects.filter(username__in=usernames)
    if cool_off is not None:
        attempts = attempts.filter(attempt_time__gte=timezone.now() - cool_off)
    limit = get_failure_limit(None, None)
    totals = attempts.values("username").annotate(total=Sum("failures_since_start"))
    return {row["username"] for row in totals if row["total"] >= limit}


@receiver(user_login_failed, dispatch_uid="fanzha_login_failure_audit")
def audit_login_failure(
    sender: Any, credentials: dict, request: HttpRequest | None = None, **kwargs: Any
) -> None:
    username = scrub_text(str(credentials.get("username") or ""))[:USERNAME_MAX]
    details: dict[str, Any] = {"username": username, "step": credentials.get("step", "password")}
    if request is not None and getattr(request, "axes_locked_out", False):
        details["locked"] = True
    audit_record(actor=None, action="login.failure", details=details)


@receiver(user_locked_out, dispatch_uid="fanzha_login_locked_audit")
def audit_lockout(sender: Any, request: HttpRequest, username: str | None = None, **kwargs: Any) -> None:
    """Only the failure that causes the lock; refused attempts during the lock are login.failure."""
    failures = getattr(request, "axes_failures_since_start", None)
    if failures is None:
        return
    details = {
        "username": scrub_text(str(username or ""))[:USERNAME_MAX],
        "failures": failures,
        "minutes": lockout_minutes(request),
    }
    audit_record(actor=None, action="login.locked", details=details)


# ── sessions ──────────────────────────────────────────────────────────────────


def session_started(session: Any) -> None:
    now = time.time()
    session[LOGIN_AT] = now
    session[LAST_SEEN] = now


def is_poll(request: HttpRequest) -> bool:
    """A page's automatic refresh (a GET carrying POLL_HEADER), not something the person did."""
    return request.method in ("GET", "HEAD") and bool(request.headers.get(POLL_HEADER))


def session_expiry(session: Any, now: float, *, activity: bool = True) -> str:
    """ "idle", "absolute" or "" (still valid); a valid session is marked as seen when the request is
    the person's ``activity`` (not a page's automatic refresh)."""
    started = session.setdefault(LOGIN_AT, now)
    last_seen = session.get(LAST_SEEN, now)
    if now - started > settings.SESSION_ABSOLUTE_TIMEOUT:
        return "absolute"
    if now - last_seen > settings.SESSION_IDLE_TIMEOUT:
        return "idle"
    if activity:
        session[LAST_SEEN] = now
    return ""


def sessions_end(user_ids: Iterable[int]) -> int:
    """Deletes the sessions still naming these users; returns how many. Called when an account or its
    unit is reactivated: every such session was open when it was deactivated (nobody can log in
    meanwhile), and it only stopped working while the account was off — reactivated, a session left
    open on a lost phone worked again. Sessions are not indexed by user, so each unexpired one is read;
    a reactivation is rare."""
    wanted = {str(pk) for pk in user_ids}
    if not wanted:
        return 0
    open_sessions = Session.objects.filter(expire_date__gt=timezone.now()).only("session_key", "session_data")
    ended = [s.pk for s in open_sessions.iterator() if str(s.get_decoded().get(SESSION_KEY)) in wanted]
    Session.objects.filter(pk__in=ended).delete()
    return len(ended)


def organisation_inactive(user: Any) -> bool:
    """The user's organisation was deactivated: they may not log in, and an open session ends."""
    organisation = getattr(user, "organisation", None)
    return organisation is not None and not organisation.is_active


# ── password age ──────────────────────────────────────────────────────────────


def password_must_change(user: Any) -> bool:
    """Set by an administrator, or older than PASSWORD_MAX_AGE_DAYS (0 = never too old)."""
    changed = user.password_changed_at
    if changed is None or changed <= MUST_CHANGE_AT:
        return True
    max_age = settings.PASSWORD_MAX_AGE_DAYS
    return bool(max_age) and timezone.now() - changed > timedelta(days=max_age)


def password_change_reason(user: Any) -> str:
    if user.password_changed_at is None or user.password_changed_at <= MUST_CHANGE_AT:
        return "管理员为您设置了临时密码，请先修改密码。"
    return f"密码已超过 {settings.PASSWORD_MAX_AGE_DAYS} 天未修改，请先修改密码。"


# ── TOTP ──────────────────────────────────────────────────────────────────────


def totp_allowed(user: Any) -> bool:
    return access.user_can(user, TOTP_PERMISSION)


def totp_required(user: Any) -> bool:
    return bool(user.totp_enabled and user.totp_secret)


def totp_new_secret() -> str:
    return pyotp.random_base32()


def totp_uri(user: Any, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.get_username(), issuer_name=settings.TOTP_ISSUER)


def totp_now() -> float:
    """The clock codes are checked against (a seam for the tests)."""
    return time.time()


def totp_step(secret: str, code: str) -> int | None:
    """The 30-second time step ``code`` belongs to (the current one, or the one just before or after)."""
    code = (code or "").strip().replace(" ", "")
    if not secret or len(code) != 6 or not code.isdigit():
        return None
    try:
        return int(pyotp.TOTP(secret).verify_and_get_timecode(code, for_time=totp_now(), valid_window=1))
    except OTPVerificationError:
        return None


def totp_verify(secret: str, code: str) -> bool:
    """A 6-digit code of the current 30-second step, or of the step just before or after."""
    return totp_step(secret, code) is not None


def totp_consume(user: Any, code: str) -> bool:
    """Accepts a login code once: its step must be later than the last accepted one (no replay).

    A single conditional UPDATE claims the step, so two concurrent logins with the same code
    cannot both pass (the second finds the row already advanced and updates nothing).
    """
    step = totp_step(user.totp_secret, code)
    if step is None:
        return False
    newer = Q(totp_last_step__isnull=True) | Q(totp_last_step__lt=step)
    users = get_user_model().objects.filter(newer, pk=user.pk, totp_enabled=True)
    claimed = users.update(totp_last_step=step)
    if claimed != 1:
        return False
    user.totp_last_step = step
    return True


def totp_secret_display(secret: str) -> str:
    """The secret in groups of four, easier to type into an authenticator app."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def pending_login_set(session: Any, user: Any, backend: str, next_url: str) -> None:
    session[PENDING] = {"id": user.pk, "backend": backend, "next": next_url, "at": time.time()}


def pending_login_get(session: Any) -> dict | None:
    pending = session.get(PENDING)
    if not isinstance(pending, dict):
        return None
    if time.time() - float(pending.get("at", 0)) > TOTP_PENDING_SECONDS:
        session.pop(PENDING, None)
        return None
    return pending
