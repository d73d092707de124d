"""The SLA job and a warning changing hands while it runs: the notice goes to whoever holds it then.

The job reads the warnings whose moment has come, then reminds or escalates each in a transaction of
its own. A handover to a colleague of the same unit (a shift change), or a colleague's 签收, committed
in between keeps the unit's clock — the step is still due — and its reminder or 超时督办 went to the
previous assignee, read before the change. A handover to another unit restarts the clock: nothing is
sent for the old one, and the receiving unit is escalated on its own deadline, as itself.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fanzha.jobs.models import Notification
from fanzha.warnings import escalation
from fanzha.warnings.escalation import sla_check
from fanzha.warnings.models import Status, Warning
from fanzha.warnings.workflow import warning_acknowledge, warning_handover
from tests.warnings.helpers import make_warning
from tests.warnings.test_s19_field_refusals import colleague
from tests.warnings.test_s20_handover_clock import _shift

REMINDER, ESCALATION = "预警即将超时", "预警超时督办"


def _meanwhile(monkeypatch, step: str, change: Callable[[], Any]) -> list[Any]:  # type: ignore[no-untyped-def]
    """``change()`` once, after the job read the warnings and before its ``step`` (``_remind`` or
    ``_escalate``) for the first of them; its result in the list returned."""
    original, done = getattr(escalation, step), []

    def changed_meanwhile(*args: Any) -> Any:
        if not done:
            done.append(change())
        return original(*args)

    monkeypatch.setattr(escalation, step, changed_meanwhile)
    return done


def _handing(world, warning: Warning, to_user: Any) -> Callable[[], Any]:  # type: ignore[no-untyped-def]
    """The grid worker handing ``warning`` over to ``to_user``, when called."""
    grid = world.users["grid_cd"]
    return lambda: warning_handover(actor=grid, warning=warning, reason="换班", to_user=to_user)


def _told(title: str) -> list[str]:
    rows = Notification.objects.filter(title__startswith=title).order_by("recipient__username")
    return list(rows.values_list("recipient__username", flat=True))


def test_a_reminder_due_at_a_shift_change_reaches_the_colleague_who_took_it_over(world, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    warning = _shift(make_warning(1), 200)  # medium: 200 of the 240 minutes to 签收 gone
    other = colleague(world)
    handed = _meanwhile(monkeypatch, "_remind", _handing(world, warning, other))
    assert sla_check().reminded == 1 and handed
    assert _told(REMINDER) == ["grid_cd2"]  # was: grid_cd, who had handed it on


def test_an_escalation_due_at_a_shift_change_names_and_tells_the_colleague(world, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    warning = _shift(make_warning(1), 300)  # 签收 overdue by an hour
    other = colleague(world)
    _meanwhile(monkeypatch, "_escalate", _handing(world, warning, other))
    assert sla_check().escalated == 1  # the unit's clock is kept: still overdue
    assert _told(ESCALATION) == ["analyst", "grid_cd2", "leader"]
    body = Notification.objects.filter(title__startswith=ESCALATION).first().body
    assert f"城东社区居委会 {other}" in body


def test_a_contact_reminder_after_a_colleagues_sign_for_reaches_that_colleague(world, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    warning = make_warning(1)
    other = colleague(world)
    warning = _shift(warning, 20 * 60)  # 20 of the 24 hours to make contact gone (and 签收 overdue)
    _meanwhile(
        monkeypatch,
        "_remind",
        lambda: warning_acknowledge(actor=other, warning=warning, version=warning.version),
    )
    assert sla_check().reminded == 1
    assert Warning.objects.get(pk=warning.pk).assignee == other
    assert _told(REMINDER) == ["grid_cd2"]


def test_a_reminder_due_at_a_handover_to_another_unit_is_not_sent(world, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    warning = _shift(make_warning(1), 200)
    _meanwhile(monkeypatch, "_remind", _handing(world, warning, world.users["police_cg"]))
    assert sla_check().reminded == 0  # the police's own clock has just started
    assert _told(REMINDER) == []


def test_handed_to_another_unit_it_is_escalated_on_that_units_clock_to_that_unit(world) -> None:  # type: ignore[no-untyped-def]
    warning = _shift(make_warning(1), 300)
    warning_handover(
        actor=world.users["grid_cd"], warning=warning, reason="需民警上门", to_user=world.users["police_cg"]
    )
    assert sla_check().escalated == 0
    _shift(warning, 241, received=False)  # past the police's own 240 minutes
    assert sla_check().escalated == 1
    assert _told(ESCALATION) == ["analyst", "head_cg", "leader", "police_cg"]  # with the station's head
    (body,) = set(Notification.objects.filter(title__startswith=ESCALATION).values_list("body", flat=True))
    assert "城关派出所" in body and "城东社区" not in body
    handed = Warning.objects.get(pk=warning.pk)
    assert handed.status == Status.ASSIGNED and handed.ack_breached
