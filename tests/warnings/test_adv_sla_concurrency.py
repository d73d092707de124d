"""SLA clocks and work at the same moment: a regrade (a rule changed, a type re-typed) and a handover.

The regrade read the open warnings, then wrote each one's deadlines worked out from what it had read.
A handover committed in between restarted the clock for the receiving unit — and the regrade wrote the
first unit's clock back over it: the station received a warning already hours past its deadline to
acknowledge, and was escalated at once (PostgreSQL; SQLite's writers already queue). The regrade now
holds the warnings it reads to its commit, as a file merging into them does; the handover waits.

And two SLA sweeps at once escalate each breach once (run on SQLite and on PostgreSQL).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from typing import Any

import pytest

from fanzha.jobs.models import Notification
from fanzha.warnings import rules, type_aliases
from fanzha.warnings.escalation import sla_check
from fanzha.warnings.models import EventKind, GradingRule, Warning, WarningEvent
from fanzha.warnings.rules import grading_rule_save
from fanzha.warnings.type_aliases import fraud_type_alias_save
from fanzha.warnings.workflow import warning_handover
from tests.personas import build_world
from tests.warnings.helpers import make_warning
from tests.warnings.test_s20_handover_clock import _shift
from tests.warnings.test_s21_assign_race import _in_thread

pytestmark = pytest.mark.django_db(transaction=True)

HIGH_ACK = dt.timedelta(minutes=30)


def _handing_over_meanwhile(monkeypatch, module: Any, reader: str, world: Any, warning: Warning) -> list[Any]:  # type: ignore[no-untyped-def]
    """After the regrade read the open warnings (``module.reader``), the grid worker hands ``warning``
    to the station on another connection; [thread, outcome, whether it was still waiting]."""
    original: Callable[..., Any] = getattr(module, reader)
    handing: list[Any] = []

    def read_then_hand_over(*args: Any, **kwargs: Any) -> Any:
        found = original(*args, **kwargs)
        if not handing:
            thread, outcome = _in_thread(
                lambda: warning_handover(
                    actor=world.users["grid_cd"],
                    warning=Warning.objects.get(pk=warning.pk),
                    reason="需民警上门",
                    to_user=world.users["police_cg"],
                )
            )
            time.sleep(0.5)
            handing.extend([thread, outcome, thread.is_alive()])
        return found

    monkeypatch.setattr(module, reader, read_then_hand_over)
    return handing


def _restarted_for_the_station(warning: Warning, handing: list[Any]) -> Warning:
    thread, outcome, waited = handing
    thread.join(timeout=30)
    assert waited  # the handover waited for the regrade to commit
    assert len(outcome) == 1 and isinstance(outcome[0], Warning), outcome
    current = Warning.objects.get(pk=warning.pk)
    assert current.organisation.name == "城关派出所" and current.grade == "high"
    assert current.clock_started_at > warning.received_at + dt.timedelta(hours=4)  # the handover's
    assert current.due_ack_at == current.clock_started_at + HIGH_ACK  # not 5 h past already
    assert sla_check().escalated == 0
    return current


def test_a_rule_change_while_the_warning_is_handed_over_keeps_the_receiving_units_clock(
    allow_audit_flush, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    world = build_world()
    warning = _shift(make_warning(1), 300)  # medium, 5 h at the grid: its 签收 deadline passed
    handing = _handing_over_meanwhile(monkeypatch, rules, "_open_regrades", world, warning)
    rule = GradingRule(
        name="游戏交易",
        enabled=True,
        position=5,
        grade="high",
        reason="类型：{type}",
        fraud_types=["game_trade"],
    )
    grading_rule_save(actor=world.users["leader"], rule=rule)
    _restarted_for_the_station(warning, handing)


def test_a_fraud_type_entry_while_the_warning_is_handed_over_keeps_the_receiving_units_clock(
    allow_audit_flush, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    world = build_world()
    warning = _shift(make_warning(1, fraud_type="0103"), 300)
    assert warning.fraud_type == "other_fraud" and warning.grade == "medium"
    handing = _handing_over_meanwhile(monkeypatch, type_aliases, "_candidates", world, warning)
    fraud_type_alias_save(actor=world.users["leader"], text="0103", fraud_type="impersonate_authority")
    _restarted_for_the_station(warning, handing)


def test_two_sweeps_at_once_escalate_each_breach_once(allow_audit_flush) -> None:  # type: ignore[no-untyped-def]
    # Two workers running the SLA job together (a manual run on top of the schedule's): each breach's flag
    # is set by one conditional UPDATE, which the other waits for and then finds done.
    build_world()
    breached = [
        _shift(make_warning(n, address=f"青溪县城关镇城东社区幸福路{n}号"), 300) for n in range(1, 13)
    ]
    sweeps = [_in_thread(sla_check) for _ in range(2)]
    for thread, _ in sweeps:
        thread.join(timeout=60)
    outcomes = [outcome for _, outcome in sweeps]
    assert all(len(o) == 1 and not isinstance(o[0], Exception) for o in outcomes), outcomes
    lines = WarningEvent.objects.filter(kind=EventKind.ESCALATED, message__startswith="签收超时")
    assert sorted(lines.values_list("warning_id", flat=True)) == sorted(w.pk for w in breached)
    assert (
        not WarningEvent.objects.filter(kind=EventKind.ESCALATED).exclude(message__contains="超时").exists()
    )
    contact = WarningEvent.objects.filter(kind=EventKind.ESCALATED, message__startswith="联系超时")
    assert contact.count() == len(set(contact.values_list("warning_id", flat=True)))  # a 高 one's, once
    notices = Notification.objects.filter(title__startswith="预警超时督办")
    assert notices.count() == notices.values("recipient", "link", "title").distinct().count()
    assert sla_check().escalated == 0
