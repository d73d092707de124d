"""A sweep that finds many breaches (a morning's pushed list nobody acted on): each user is told of their
first five one notice each and of the rest in one summary notice for the sweep, linking to the board;
every warning still carries its own history line, flag and audit record. Written in chunks, a sweep
stopped midway leaves the summary counting exactly the breaches it committed."""

from __future__ import annotations

from typing import Any

import pytest

from fanzha.audit.models import AuditEvent
from fanzha.audit.services import audit_verify_chain
from fanzha.jobs.models import Notification
from fanzha.warnings import escalation
from fanzha.warnings.escalation import sla_check
from fanzha.warnings.models import EventKind, Warning
from fanzha.warnings.notify import ONE_BY_ONE
from tests.warnings.helpers import make_warning
from tests.warnings.test_escalation_sweep import ESCALATION, REMINDER, _shift


def _overdue(first: int, n: int, minutes: int = 300) -> list[Warning]:
    """``n`` medium warnings of 城东社区 (the grid worker's), their clock ``minutes`` in the past: numbers
    from ``first`` on, but for the tens (a person of 70: graded 高, the police's)."""
    numbers = [i for i in range(first, first + 2 * n) if i % 10][:n]
    return [_shift(make_warning(i), minutes) for i in numbers]


def _inbox(username: str, title: str) -> list[Notification]:
    rows = Notification.objects.filter(recipient__username=username, title__startswith=title)
    return list(rows.order_by("id"))


def test_a_leader_is_told_of_five_breaches_one_by_one_and_of_the_rest_in_one_summary(world) -> None:  # type: ignore[no-untyped-def]
    """Before, one notice a breach: 8 here, 18,330 for a list of 10,000 left a day."""
    warnings = _overdue(1, 8)
    assert sla_check().escalated == 8
    inbox = _inbox("leader", ESCALATION)
    assert len(inbox) == ONE_BY_ONE + 1
    summary = inbox[-1]
    assert summary.title == f"{ESCALATION}：本轮另有 3 条（签收 3 条）"
    assert summary.body.startswith("等级：中 3 条。本轮前 5 条已逐条通知")
    assert summary.link == "/warnings/board/" and summary.level == "danger"
    assert len(_inbox("grid_cd", ESCALATION)) == ONE_BY_ONE + 1  # the holder alike
    for warning in warnings:  # each warning keeps its own trail
        warning.refresh_from_db()
        assert warning.escalated and warning.ack_breached
        line = warning.events.get(kind=EventKind.ESCALATED).message
        assert line == "签收超时，已升级督办（已通知反诈中心）"
    records = AuditEvent.objects.filter(action="warning.escalate")
    assert sorted(records.values_list("object_id", flat=True)) == sorted(str(w.pk) for w in warnings)
    assert audit_verify_chain().ok


def test_the_next_sweep_tells_one_by_one_again(world) -> None:  # type: ignore[no-untyped-def]
    _overdue(1, 6)
    assert sla_check().escalated == 6
    _overdue(20, 2)
    assert sla_check().escalated == 2
    titles = [n.title for n in _inbox("leader", ESCALATION)]
    assert len(titles) == ONE_BY_ONE + 1 + 2 and titles[ONE_BY_ONE].endswith("另有 1 条（签收 1 条）")


def test_reminders_are_summed_up_the_same_way(world) -> None:  # type: ignore[no-untyped-def]
    _overdue(1, 7, minutes=200)  # 200 of the 240 minutes to 签收 gone
    assert sla_check().reminded == 7
    inbox = _inbox("grid_cd", REMINDER)
    assert len(inbox) == ONE_BY_ONE + 1
    assert inbox[-1].title == f"{REMINDER}：本轮另有 2 条（签收 2 条）" and inbox[-1].level == "warning"
    assert Warning.objects.filter(ack_reminded=True).count() == 7


def test_a_summary_spans_the_chunks_and_a_sweep_stopped_midway_counts_what_it_committed(
    world, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(escalation, "CHUNK", 3)
    _overdue(1, 11)
    original, calls = escalation._escalate, []

    def stopping_at_the_third_chunk(*args: Any) -> int:
        calls.append(args[0])
        if len(calls) == 3:
            raise RuntimeError("the worker stopped")
        return original(*args)

    monkeypatch.setattr(escalation, "_escalate", stopping_at_the_third_chunk)
    with pytest.raises(RuntimeError):
        sla_check()
    assert Warning.objects.filter(ack_breached=True).count() == 6  # two chunks committed, whole
    inbox = _inbox("leader", ESCALATION)
    assert len(inbox) == ONE_BY_ONE + 1 and inbox[-1].title.endswith("另有 1 条（签收 1 条）")
    assert AuditEvent.objects.filter(action="warning.escalate").count() == 6
    monkeypatch.setattr(escalation, "_escalate", original)
    assert sla_check().escalated == 5  # the next sweep takes up the rest, and tells of them anew
    assert len(_inbox("leader", ESCALATION)) == ONE_BY_ONE + 1 + ONE_BY_ONE
    assert Warning.objects.filter(ack_breached=True).count() == 11


def test_a_summary_read_before_a_later_chunk_is_unread_again(world, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(escalation, "CHUNK", 4)
    _overdue(1, 12)
    original = escalation._escalate

    def reading_meanwhile(*args: Any) -> int:
        Notification.objects.filter(title__contains="本轮另有").update(read_at=escalation.timezone.now())
        return original(*args)

    monkeypatch.setattr(escalation, "_escalate", reading_meanwhile)
    assert sla_check().escalated == 12
    summary = _inbox("leader", ESCALATION)[-1]
    assert summary.title.endswith("另有 7 条（签收 7 条）") and summary.read_at is None


def test_a_summary_counts_across_the_two_deadlines_and_names_the_grades_in_order(world) -> None:  # type: ignore[no-untyped-def]
    """One count a user for the sweep's 签收 and 联系 breaches together: the police holder of 4 urgent
    and 4 high warnings, each past both deadlines, is told of 5 one by one and of 11 in the summary, the
    grades named most urgent first."""
    urgent = [_shift(make_warning(n, transfer_in_progress=True), 300) for n in (1, 2, 3, 4)]
    high = [_shift(make_warning(n), 300) for n in (10, 20, 30, 40)]  # people of 70
    holders = {w.assignee.username for w in urgent + high}
    assert sla_check().escalated == 16 and len(holders) == 1
    inbox = _inbox(holders.pop(), ESCALATION)
    assert len(inbox) == ONE_BY_ONE + 1
    summary = inbox[-1]
    assert summary.title == f"{ESCALATION}：本轮另有 11 条（签收 3 条、联系 8 条）"
    grades = summary.body.split("。")[0]
    assert grades.startswith("等级：紧急 ") and grades.index("紧急") < grades.index("高")
    assert sum(int(part.split(" ")[1]) for part in grades.removeprefix("等级：").split("、")) == 11
    assert summary.link == "/warnings/board/"
