"""A warning whose person was reached in time is not overdue, and its follow-up (回访) date is the next
thing due on the worker's task list."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from fanzha.cases.models import Case
from fanzha.jobs.models import Notification
from fanzha.warnings import selectors
from fanzha.warnings.follow_ups import follow_up_remind
from fanzha.warnings.models import Contact, Status, Warning
from fanzha.warnings.workflow import Conflict, ContactData, warning_acknowledge, warning_contact_record
from tests.personas import login
from tests.warnings.helpers import make_warning


def _contacted(world, n: int, follow_up_on: dt.date | None = None, outcome: str = "refused") -> Warning:  # type: ignore[no-untyped-def]
    worker = world.users["grid_cd"]
    warning = make_warning(n)
    warning_acknowledge(actor=worker, warning=warning, version=warning.version)
    data = ContactData(kind="call", outcome=outcome, follow_up_on=follow_up_on)
    warning_contact_record(actor=worker, warning=Warning.objects.get(pk=warning.pk), data=data)
    contacted = Warning.objects.get(pk=warning.pk)
    assert contacted.status == (Status.CONTACTED if outcome == "refused" else Status.CLOSED)
    return contacted


def _past_every_deadline(*warnings: Warning) -> None:
    long_ago = timezone.now() - dt.timedelta(days=3)
    Warning.objects.filter(pk__in=[w.pk for w in warnings]).update(
        due_ack_at=long_ago, due_contact_at=long_ago
    )


def test_a_warning_contacted_in_time_is_not_counted_or_shown_overdue(world, client) -> None:  # type: ignore[no-untyped-def]
    done = _contacted(world, 1)
    waiting = make_warning(2)  # not yet acknowledged: really overdue
    _past_every_deadline(done, waiting)
    figures = selectors.home_figures(world.users["grid_cd"])
    assert (figures["mine"], figures["mine_overdue"]) == (2, 1)
    assert selectors.home_figures(world.users["leader"])["overdue"] == 1
    login(client, world.users["grid_cd"])
    body = client.get(reverse("warning_mine")).content.decode()
    item = body[body.index(f"/warnings/{done.pk}/") :].split("</li>")[0]
    assert "超时" not in item and "已联系" in item
    assert body.index(f"/warnings/{waiting.pk}/") < body.index(f"/warnings/{done.pk}/")  # overdue first
    board = client.get(reverse("warning_board")).content.decode()
    row = board[board.index(f"/warnings/{done.pk}/") :].split("</tr>")[0]
    assert "超时" not in row


def test_a_follow_up_date_shows_on_my_tasks_and_a_due_one_comes_first(world, client) -> None:  # type: ignore[no-untyped-def]
    today = timezone.localdate()
    later = _contacted(world, 1, follow_up_on=today + dt.timedelta(days=5))
    due = _contacted(world, 2, follow_up_on=today)
    none = _contacted(world, 3)
    login(client, world.users["grid_cd"])
    body = client.get(reverse("warning_mine")).content.decode()
    assert body.index(f"/warnings/{due.pk}/") < body.index(f"/warnings/{later.pk}/")
    assert body.index(f"/warnings/{later.pk}/") < body.index(f"/warnings/{none.pk}/")
    due_item = body[body.index(f"/warnings/{due.pk}/") :].split("</li>")[0]
    assert "今天回访" in due_item
    later_item = body[body.index(f"/warnings/{later.pk}/") :].split("</li>")[0]
    assert (
        f"{later_item}".count("回访") == 1 and (today + dt.timedelta(days=5)).strftime("%m-%d") in later_item
    )


def test_a_follow_up_after_dissuasion_is_recorded_on_the_closed_warning(world, client) -> None:  # type: ignore[no-untyped-def]
    worker = world.users["grid_cd"]
    today = timezone.localdate()
    closed = _contacted(world, 1, follow_up_on=today, outcome="dissuaded")
    closed_at, contacted_at = closed.closed_at, closed.contacted_at
    login(client, worker)
    assert f"/warnings/{closed.pk}/" in client.get(reverse("warning_mine")).content.decode()
    assert "记录回访" in client.get(reverse("warning_detail", args=[closed.pk])).content.decode()
    response = client.post(
        reverse("warning_contact", args=[closed.pk]),
        {"kind": "call", "outcome": "dissuaded", "notes": "回访：已卸载可疑软件", "version": closed.version},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    after = Warning.objects.get(pk=closed.pk)
    assert (after.status, after.outcome, after.closed_at, after.contacted_at) == (
        Status.CLOSED,
        "dissuaded",
        closed_at,
        contacted_at,
    )
    assert after.events.filter(message="回访（电话劝阻）：劝阻成功").exists()
    assert f"/warnings/{closed.pk}/" not in client.get(reverse("warning_mine")).content.decode()
    with pytest.raises(Conflict, match="不能再记录劝阻"):  # made: no follow-up pending any more
        warning_contact_record(
            actor=worker, warning=after, data=ContactData(kind="call", outcome="dissuaded")
        )


def test_a_follow_up_finding_the_person_defrauded_after_all_opens_a_case_draft(world) -> None:  # type: ignore[no-untyped-def]
    closed = _contacted(world, 1, follow_up_on=timezone.localdate(), outcome="dissuaded")
    data = ContactData(kind="visit", outcome="defrauded", arrived_at=timezone.now())
    warning_contact_record(actor=world.users["grid_cd"], warning=closed, data=data)
    after = Warning.objects.get(pk=closed.pk)
    assert after.status == Status.CLOSED and after.outcome == "defrauded"
    assert Case.objects.filter(warning=after).count() == 1


def test_a_closed_warning_without_a_follow_up_takes_no_contact(world) -> None:  # type: ignore[no-untyped-def]
    closed = _contacted(world, 1, outcome="dissuaded")
    with pytest.raises(Conflict, match="已办结"):
        warning_contact_record(
            actor=world.users["grid_cd"], warning=closed, data=ContactData(kind="call", outcome="dissuaded")
        )


def test_the_morning_reminder_tells_each_worker_their_follow_ups_due_and_late(world) -> None:  # type: ignore[no-untyped-def]
    today = timezone.localdate()
    _contacted(world, 1, follow_up_on=today, outcome="dissuaded")
    _contacted(world, 2, follow_up_on=today)
    late = _contacted(world, 3, follow_up_on=today)
    Contact.objects.filter(warning=late).update(follow_up_on=today - dt.timedelta(days=2))
    _contacted(world, 4, follow_up_on=today + dt.timedelta(days=1))  # not yet
    report = follow_up_remind()
    assert (report.workers, report.due, report.late) == (1, 2, 1)
    message = Notification.objects.get(recipient=world.users["grid_cd"])
    assert message.title == "预警回访提醒：今天 2 条，已逾期 1 条" and message.link == reverse("warning_mine")
    assert follow_up_remind(now=timezone.now() - dt.timedelta(days=10)).workers == 0  # nothing due then
