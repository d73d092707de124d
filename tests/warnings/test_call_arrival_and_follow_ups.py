"""A call takes no arrival time; a 回访 that found nobody stays to be made; a warning closed as 无效预警
has no 回访 left."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from fanzha.warnings import follow_ups, selectors, workflow
from fanzha.warnings.models import ContactKind, Outcome, Status, Warning
from tests.personas import World, login
from tests.warnings.helpers import make_warning

ARRIVAL_IGNORED = "电话劝阻不记到达时间，所填的到达时间未保存；如实为上门，请添加备注说明。"


def _signed(world: World) -> Warning:
    warning = make_warning(1)
    worker = world.users["grid_cd"]
    return workflow.warning_acknowledge(actor=worker, warning=warning, version=warning.version)


def _contact(client: Any, warning: Warning, **data: Any) -> Any:
    warning.refresh_from_db()
    posted = {"kind": "call", "outcome": Outcome.DISSUADED, "version": warning.version, **data}
    return client.post(reverse("warning_contact", args=[warning.pk]), posted)


def _told(response: Any) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


# ── a call and the arrival time ──────────────────────────────────────────────────────────────────────


def test_a_call_with_no_arrival_time_is_recorded(world: World, client: Any) -> None:
    warning = _signed(world)
    login(client, world.users["grid_cd"])
    response = _contact(client, warning, arrived_at="")
    assert response.status_code == 302
    assert ARRIVAL_IGNORED not in _told(response)
    assert warning.contacts.get().arrived_at is None


def test_a_call_with_an_arrival_in_the_future_is_recorded_without_it(world: World, client: Any) -> None:
    """The arrival box (上门时填) filled, then 电话劝阻 chosen: the call was refused with a visit's
    “到达时间不能晚于现在”, for a time a call does not have."""
    warning = _signed(world)
    login(client, world.users["grid_cd"])
    future = (timezone.localtime() + dt.timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")
    response = _contact(client, warning, arrived_at=future)
    assert response.status_code == 302, response.context["form"].errors
    assert ARRIVAL_IGNORED in _told(response)
    contact = warning.contacts.get()
    assert contact.kind == ContactKind.CALL and contact.arrived_at is None


def test_a_call_with_an_arrival_before_the_warning_or_a_date_alone_is_recorded(
    world: World, client: Any
) -> None:
    """“到达时间不能早于预警时间” and “请填写到达的日期和时间…（只填了日期）” refused a call too."""
    warning = _signed(world)  # warned 2026-11-28 09:00
    login(client, world.users["grid_cd"])
    early = _contact(client, warning, outcome=Outcome.NOT_REACHED, arrived_at="2026-01-01T08:00")
    assert early.status_code == 302, early.context["form"].errors
    day_only = _contact(client, warning, outcome=Outcome.NOT_REACHED, arrived_at="2026-11-30")
    assert day_only.status_code == 302, day_only.context["form"].errors
    assert ARRIVAL_IGNORED in _told(day_only)
    assert [c.arrived_at for c in warning.contacts.all()] == [None, None]


def test_the_service_takes_a_call_with_an_arrival_and_keeps_none(world: World) -> None:
    warning = _signed(world)
    later = timezone.now() + dt.timedelta(hours=3)
    data = workflow.ContactData(kind=ContactKind.CALL, outcome=Outcome.DISSUADED, arrived_at=later)
    assert workflow.contact_problems(data, warning) == {}
    recorded = workflow.warning_contact_record(actor=world.users["grid_cd"], warning=warning, data=data)
    assert recorded.contact.arrived_at is None
    assert recorded.contact.contacted_at <= timezone.now()  # when saved, not the arrival typed


def test_a_visit_still_needs_a_good_arrival(world: World, client: Any) -> None:
    warning = _signed(world)
    login(client, world.users["grid_cd"])
    future = (timezone.localtime() + dt.timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")
    ahead = _contact(client, warning, kind="visit", arrived_at=future)
    assert ahead.status_code == 400
    assert ahead.context["form"].errors["arrived_at"] == ["到达时间不能晚于现在"]
    missing = _contact(client, warning, kind="visit", arrived_at="")
    assert missing.context["form"].errors["arrived_at"] == ["上门劝阻请填写到达时间"]
    day_only = _contact(client, warning, kind="visit", arrived_at="2026-11-30")
    assert day_only.context["form"].errors["arrived_at"] == [
        "请填写到达的日期和时间，如 2026-11-28 10:30（只填了日期）"
    ]
    assert not warning.contacts.exists()


# ── 回访 ──────────────────────────────────────────────────────────────────────────────────────────────


def _dissuaded_with_follow_up(world: World, on: dt.date) -> Warning:
    warning = _signed(world)
    data = workflow.ContactData(kind=ContactKind.CALL, outcome=Outcome.DISSUADED, follow_up_on=on)
    workflow.warning_contact_record(actor=world.users["grid_cd"], warning=warning, data=data)
    warning.refresh_from_db()
    assert warning.status == Status.CLOSED and workflow.pending_follow_up(warning) == on
    return warning


def test_a_follow_up_that_found_nobody_stays_to_be_made(world: World, client: Any) -> None:
    """劝阻成功 with a 回访; the 回访 call found nobody (未接触到人), no new date: the task ended, and the
    closed warning took no more contacts — the 回访 could never be recorded."""
    today = timezone.localdate()
    warning = _dissuaded_with_follow_up(world, today)
    worker = world.users["grid_cd"]
    login(client, worker)
    response = _contact(client, warning, outcome=Outcome.NOT_REACHED)
    assert response.status_code == 302
    warning.refresh_from_db()
    assert workflow.pending_follow_up(warning) == today
    assert workflow.can_record_contact(warning)
    assert warning in selectors.mine(worker)
    assert follow_ups._counts(today)[0][worker.pk] == 1
    reached = _contact(client, warning, outcome=Outcome.DISSUADED)  # the next try reaches them
    assert reached.status_code == 302
    warning.refresh_from_db()
    assert workflow.pending_follow_up(warning) is None and not workflow.can_record_contact(warning)


def test_a_follow_up_that_found_nobody_may_set_a_new_date(world: World, client: Any) -> None:
    today = timezone.localdate()
    warning = _dissuaded_with_follow_up(world, today)
    login(client, world.users["grid_cd"])
    later = today + dt.timedelta(days=3)
    assert _contact(client, warning, outcome=Outcome.NOT_REACHED, follow_up_on=later).status_code == 302
    warning.refresh_from_db()
    assert workflow.pending_follow_up(warning) == later


def test_an_open_warning_keeps_its_follow_up_date_after_a_call_that_found_nobody(
    world: World, client: Any
) -> None:
    warning = _signed(world)
    login(client, world.users["grid_cd"])
    on = timezone.localdate() + dt.timedelta(days=2)
    assert _contact(client, warning, outcome=Outcome.REFUSED, follow_up_on=on).status_code == 302
    assert _contact(client, warning, outcome=Outcome.NOT_REACHED).status_code == 302
    warning.refresh_from_db()
    assert warning.status == Status.CONTACTED and workflow.pending_follow_up(warning) == on


def test_closing_as_invalid_ends_a_pending_follow_up(world: World, client: Any) -> None:
    """拒绝配合 with a 回访 date, then 办结 as 无效预警 (no fraud after all): the 回访 stayed a task and a
    morning reminder for a warning that was wrong — the contact form refuses that date with 无效预警."""
    warning = _signed(world)
    worker = world.users["grid_cd"]
    login(client, worker)
    today = timezone.localdate()
    assert _contact(client, warning, outcome=Outcome.REFUSED, follow_up_on=today).status_code == 302
    warning.refresh_from_db()
    closing = {"outcome": Outcome.INVALID, "reason": "核实为正常交易", "version": warning.version}
    assert client.post(reverse("warning_close", args=[warning.pk]), closing).status_code == 302
    warning.refresh_from_db()
    assert warning.status == Status.CLOSED and warning.outcome == Outcome.INVALID
    assert workflow.pending_follow_up(warning) is None
    assert not workflow.can_record_contact(warning)
    assert warning not in selectors.mine(worker)
    assert follow_ups._counts(today) == ({}, {})
    page = client.get(reverse("warning_detail", args=[warning.pk])).content.decode()
    assert "记录回访" not in page


def test_closing_as_dissuaded_keeps_a_pending_follow_up(world: World, client: Any) -> None:
    warning = _signed(world)
    worker = world.users["grid_cd"]
    login(client, worker)
    today = timezone.localdate()
    assert _contact(client, warning, outcome=Outcome.REFUSED, follow_up_on=today).status_code == 302
    warning.refresh_from_db()
    closing = {"outcome": Outcome.DISSUADED, "reason": "家属协助劝阻成功", "version": warning.version}
    assert client.post(reverse("warning_close", args=[warning.pk]), closing).status_code == 302
    warning.refresh_from_db()
    assert workflow.pending_follow_up(warning) == today and warning in selectors.mine(worker)


# ── 转交 on a phone ──────────────────────────────────────────────────────────────────────────────────


def test_a_handover_without_a_reason_says_what_to_fill_in(world: World, client: Any) -> None:
    """A reason left empty (or spaces) on a phone: “这个字段是必填项。”, not what the field wants."""
    warning = _signed(world)
    login(client, world.users["grid_cd"])
    for reason in ("", "   "):
        posted = {"to_user": "centre", "reason": reason, "version": warning.version}
        response = client.post(reverse("warning_handover", args=[warning.pk]), posted)
        assert response.status_code == 400
        assert response.context["form"].errors["reason"] == ["请填写转交原因"]
    closing = {"outcome": Outcome.DISSUADED, "reason": " ", "version": warning.version}
    response = client.post(reverse("warning_close", args=[warning.pk]), closing)
    assert response.context["form"].errors["reason"] == ["请填写办结说明"]
    warning.refresh_from_db()
    assert warning.status == Status.ACKNOWLEDGED
