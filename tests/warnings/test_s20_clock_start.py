"""When the warning's SLA clock started (``Warning.clock_started_at``): at receipt, and again at a
handover to another unit or the centre's placement out of its queue. Every recomputation of the
deadlines — a regrade, a merge — counts from it, not from the receipt."""

from __future__ import annotations

import datetime as dt
import importlib

from django.apps import apps
from django.utils import timezone

from fanzha.warnings import bulk, selectors, services, sla
from fanzha.warnings.escalation import sla_check
from fanzha.warnings.intake import WarningInput
from fanzha.warnings.models import EventKind, GradingRule, Outcome, Status, Warning
from fanzha.warnings.rules import grading_rule_save
from fanzha.warnings.type_aliases import fraud_type_alias_save
from fanzha.warnings.workflow import (
    ContactData,
    warning_acknowledge,
    warning_contact_record,
    warning_handover,
    warning_place,
)
from tests.warnings.helpers import make_warning
from tests.warnings.test_s20_handover_clock import MEDIUM_ACK, MEDIUM_CONTACT, _hand_to_police, _shift

HIGH_ACK, HIGH_CONTACT = dt.timedelta(minutes=30), dt.timedelta(hours=4)


def _handed_after_five_hours(world, n: int = 1, **overrides):  # type: ignore[no-untyped-def]
    """A medium warning received 5 h ago at the grid, handed to the police now: (warning, handover)."""
    warning = _shift(make_warning(n, **overrides), 300)
    return _hand_to_police(world, warning)


def test_receipt_starts_the_clock(world) -> None:  # type: ignore[no-untyped-def]
    warning = make_warning(1)
    assert warning.clock_started_at == warning.received_at
    assert Warning.objects.get(pk=warning.pk).clock_started_at == warning.received_at


def test_a_handover_to_another_unit_moves_the_clocks_start(world) -> None:  # type: ignore[no-untyped-def]
    warning, at = _handed_after_five_hours(world)
    warning.refresh_from_db()
    assert warning.clock_started_at == at and warning.received_at < at


# ── 1. regrading ────────────────────────────────────────────────────────────────────


def test_a_grading_rule_change_regrades_from_the_handover_not_from_receipt(world) -> None:  # type: ignore[no-untyped-def]
    warning, at = _handed_after_five_hours(world)
    rule = GradingRule(
        name="游戏交易",
        enabled=True,
        position=5,
        grade="high",
        reason="类型：{type}",
        fraud_types=["game_trade"],
    )
    grading_rule_save(actor=world.users["leader"], rule=rule)
    warning.refresh_from_db()
    assert warning.grade == "high"
    assert warning.due_ack_at == at + HIGH_ACK  # not received_at + 30 min: 4 h 30 min past already
    assert warning.due_contact_at == at + HIGH_CONTACT
    assert warning.remind_ack_at == sla.remind_at(at, warning.due_ack_at)
    assert sla_check().escalated == 0


def test_a_fraud_type_alias_regrades_from_the_handover_not_from_receipt(world) -> None:  # type: ignore[no-untyped-def]
    warning, at = _handed_after_five_hours(world, fraud_type="0103")
    assert warning.fraud_type == "other_fraud"
    fraud_type_alias_save(actor=world.users["leader"], text="0103", fraud_type="impersonate_authority")
    warning.refresh_from_db()
    assert warning.grade == "high"
    assert warning.due_ack_at == at + HIGH_ACK
    assert warning.remind_contact_at == sla.remind_at(at, at + HIGH_CONTACT)
    assert sla_check().escalated == 0


def test_a_regrade_keeps_a_reached_persons_met_contact_deadline(world) -> None:  # type: ignore[no-untyped-def]
    warning = make_warning(1)
    warning_contact_record(
        actor=world.users["grid_cd"],
        warning=warning,
        data=ContactData(kind="call", outcome=Outcome.REFUSED, version=warning.version),
    )
    warning = _shift(warning, 25 * 60)
    due_contact = warning.due_contact_at
    warning, at = _hand_to_police(world, warning)
    rule = GradingRule(
        name="游戏交易",
        enabled=True,
        position=5,
        grade="high",
        reason="类型：{type}",
        fraud_types=["game_trade"],
    )
    grading_rule_save(actor=world.users["leader"], rule=rule)
    warning.refresh_from_db()
    assert warning.due_ack_at == at + HIGH_ACK and warning.due_contact_at == due_contact


# ── 2. merges ───────────────────────────────────────────────────────────────────────


def test_a_merge_after_a_handover_reminds_on_the_restarted_clock_not_at_once(world) -> None:  # type: ignore[no-untyped-def]
    warning, at = _handed_after_five_hours(world)
    merged = make_warning(2, id_number=warning.person.id_number, amount="20000")
    assert merged.pk == warning.pk and merged.grade == "high"
    merged.refresh_from_db()
    assert merged.due_ack_at <= at + HIGH_ACK + dt.timedelta(seconds=5)
    assert merged.remind_ack_at > timezone.now()  # 80 % of the police's 30 minutes, not of 5 h 30
    assert merged.remind_ack_at == sla.remind_at(at, merged.due_ack_at)
    assert sla_check().reminded == 0


def test_a_bulk_merge_after_a_handover_reminds_on_the_restarted_clock(world) -> None:  # type: ignore[no-untyped-def]
    from fanzha.warnings.intake import clean_warning
    from tests.personas import id_number

    warning, at = _handed_after_five_hours(world)
    data = WarningInput(
        source="上级推送",
        source_id="T00002",
        name="测试1",
        id_number=id_number("331102", "19570301", "001"),
        phone="13600000001",
        address="青溪县城关镇城东社区幸福路1号",
        fraud_type="网络游戏产品虚假交易",
        warned_at="2026-11-28 09:00:00",
        amount="20000",
    )
    rows = [(data, clean_warning(data, now=timezone.now()))]
    results = bulk.receive_many(intake=services.Intake(), rows=rows)
    assert [r.outcome for r in results] == [services.MERGED]
    warning.refresh_from_db()
    assert warning.grade == "high" and warning.clock_started_at == at
    assert warning.remind_ack_at == sla.remind_at(at, warning.due_ack_at) > timezone.now()
    assert sla_check().reminded == 0


# ── 3. the centre's placement ───────────────────────────────────────────────────────


def _queued_five_hours():  # type: ignore[no-untyped-def]
    lost = make_warning(1, address="青溪县某某新村7号", phone="")
    assert lost.status == Status.NEW and lost.organisation_id is None
    return _shift(lost, 300)


def test_placing_a_queued_warning_restarts_the_clock_for_the_unit(world) -> None:  # type: ignore[no-untyped-def]
    lost = _queued_five_hours()
    assert sla_check().escalated == 1  # the queue let it run out
    placed = warning_place(actor=world.users["analyst"], warning=lost, area=world.area("城东社区"))
    assert placed.assignee is not None
    routed = placed.events.filter(kind=EventKind.ROUTED).latest("id")
    placed.refresh_from_db()
    assert placed.clock_started_at == routed.at
    assert placed.due_ack_at == routed.at + MEDIUM_ACK
    assert placed.due_contact_at == routed.at + MEDIUM_CONTACT
    assert not (placed.ack_breached or placed.escalated or placed.ack_reminded)
    assert "签收时限" in routed.message
    assert sla_check().escalated == 0


def test_placing_without_a_unit_to_route_to_keeps_the_queues_clock(world) -> None:  # type: ignore[no-untyped-def]
    lost = _queued_five_hours()
    due_ack, started = lost.due_ack_at, lost.clock_started_at
    county = world.area("城东社区")
    from fanzha.warnings import routing

    original = routing.Assigner.assign
    routing.Assigner.assign = lambda self, area, grade: (None, None)  # type: ignore[method-assign]
    try:
        placed = warning_place(actor=world.users["analyst"], warning=lost, area=county)
    finally:
        routing.Assigner.assign = original  # type: ignore[method-assign]
    placed.refresh_from_db()
    assert placed.status == Status.NEW
    assert (placed.due_ack_at, placed.clock_started_at) == (due_ack, started)


def test_a_later_report_whose_address_places_a_queued_warning_restarts_the_clock(world) -> None:  # type: ignore[no-untyped-def]
    lost = _queued_five_hours()
    merged = make_warning(
        2, id_number=lost.person.id_number, address="青溪县城关镇城东社区幸福路1号", phone=""
    )
    assert merged.pk == lost.pk and merged.assignee is not None
    routed = merged.events.filter(kind=EventKind.ROUTED).latest("id")
    merged.refresh_from_db()
    assert merged.clock_started_at == routed.at
    assert merged.due_ack_at == routed.at + MEDIUM_ACK
    assert not (merged.ack_breached or merged.escalated)
    assert sla_check().escalated == 0


# ── 4. the board and the home page ──────────────────────────────────────────────────


def _reached_then_handed_and_acknowledged(world):  # type: ignore[no-untyped-def]
    warning = make_warning(1)
    warning_contact_record(
        actor=world.users["grid_cd"],
        warning=warning,
        data=ContactData(kind="call", outcome=Outcome.REFUSED, version=warning.version),
    )
    warning = _shift(warning, 25 * 60)  # the contact deadline met, and long past now
    warning, _ = _hand_to_police(world, warning)
    return warning


def test_a_reached_warning_handed_over_is_not_overdue_while_waiting_to_be_acknowledged(world) -> None:  # type: ignore[no-untyped-def]
    warning = _reached_then_handed_and_acknowledged(world)
    assert warning.status == Status.ASSIGNED
    assert not Warning.objects.filter(selectors.overdue_q(timezone.now())).exists()


def test_a_reached_warning_handed_over_and_acknowledged_is_not_overdue_for_contact(world) -> None:  # type: ignore[no-untyped-def]
    warning = _reached_then_handed_and_acknowledged(world)
    police = world.users["police_cg"]
    warning = warning_acknowledge(actor=police, warning=warning, version=warning.version)
    warning.refresh_from_db()
    assert warning.status == Status.ACKNOWLEDGED and warning.contacted_at is not None
    assert not Warning.objects.filter(selectors.overdue_q(timezone.now())).exists()
    row = selectors.board(police).get(pk=warning.pk)
    assert row.next_due_at is None
    assert warning.next_due() is None
    figures = selectors.home_figures(police)
    assert figures["mine_overdue"] == 0
    assert selectors.home_figures(world.users["leader"])["overdue"] == 0


def test_an_unreached_acknowledged_warning_past_its_contact_deadline_is_still_overdue(world) -> None:  # type: ignore[no-untyped-def]
    warning = make_warning(1)
    warning = warning_acknowledge(actor=world.users["grid_cd"], warning=warning, version=warning.version)
    warning = _shift(warning, 25 * 60)
    assert Warning.objects.filter(selectors.overdue_q(timezone.now()), pk=warning.pk).exists()
    assert warning.next_due() == warning.due_contact_at


# ── the data migration ──────────────────────────────────────────────────────────────


def test_the_migration_starts_each_clock_at_receipt_or_at_the_latest_handover_to_another_unit(world) -> None:  # type: ignore[no-untyped-def]
    from tests.warnings.test_s19_field_refusals import colleague

    handed, at = _handed_after_five_hours(world)
    plain = make_warning(2)
    inside = make_warning(3)
    warning_handover(actor=world.users["grid_cd"], warning=inside, reason="换班", to_user=colleague(world))
    Warning.objects.update(clock_started_at=timezone.now() + dt.timedelta(days=1))
    migration = importlib.import_module("fanzha.warnings.migrations.0010_clock_started_at")
    migration.fill_clock_started_at(apps, None)
    values = dict(Warning.objects.values_list("pk", "clock_started_at"))
    assert values[handed.pk] == at
    assert values[plain.pk] == Warning.objects.get(pk=plain.pk).received_at
    assert values[inside.pk] == Warning.objects.get(pk=inside.pk).received_at
