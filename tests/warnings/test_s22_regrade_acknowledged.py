"""A grading-rule change does not judge a 签收 already made by the new rule's deadline (s22).

Before, a regrade recomputed the deadline to acknowledge of every open warning, acknowledged or not: a
medium warning acknowledged 60 minutes into its 4 hours counted late once a rule made its type urgent
(5 minutes), and the unit's on-time rate fell from 100 % to 0 % for what it did under the rules of the day.
"""

from __future__ import annotations

import datetime as dt

from fanzha.warnings import selectors
from fanzha.warnings.models import GradingRule, Warning
from fanzha.warnings.rules import grading_rule_save
from fanzha.warnings.workflow import warning_acknowledge
from tests.warnings.helpers import make_warning
from tests.warnings.test_s20_handover_clock import _shift


def _urgent_games(world) -> None:  # type: ignore[no-untyped-def]
    rule = GradingRule(
        name="游戏交易",
        enabled=True,
        position=5,
        grade="urgent",
        reason="类型：{type}",
        fraud_types=["game_trade"],
    )
    grading_rule_save(actor=world.users["leader"], rule=rule)


def test_an_acknowledged_warning_keeps_its_deadline_to_acknowledge_when_a_rule_regrades_it(world) -> None:  # type: ignore[no-untyped-def]
    warning = _shift(make_warning(1), 60)  # medium: 4 h to acknowledge, 60 min gone
    warning = warning_acknowledge(actor=world.users["grid_cd"], warning=warning, version=warning.version)
    due_ack = Warning.objects.get(pk=warning.pk).due_ack_at
    _urgent_games(world)
    warning.refresh_from_db()
    assert warning.grade == "urgent" and warning.due_ack_at == due_ack
    assert warning.due_contact_at == warning.clock_start + dt.timedelta(minutes=30)  # still to do: tightened
    (totals,) = selectors.summary(Warning.objects.all())
    assert (totals["acked_on_time"], totals["ack_due"]) == (1, 1)


def test_a_warning_not_yet_acknowledged_gets_the_new_grades_deadline(world) -> None:  # type: ignore[no-untyped-def]
    warning = make_warning(1)
    _urgent_games(world)
    warning.refresh_from_db()
    assert warning.due_ack_at == warning.clock_start + dt.timedelta(minutes=5)
