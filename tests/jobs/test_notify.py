"""Notifications: inbox rows at once, other channels to the gateway after commit, masked."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from fanzha.jobs.gateways import LogGateway, OutboxGateway, OutgoingMessage
from fanzha.jobs.models import Notification, OutboxMessage, OutboxStatus
from fanzha.jobs.services import notification_mark_read, notify
from tests.personas import login


def test_it_writes_the_inbox_now_and_the_outbox_after_commit(
    world, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    analyst, leader = world.users["analyst"], world.users["leader"]
    with django_capture_on_commit_callbacks() as callbacks:
        result = notify(
            recipients=[analyst, leader, analyst],
            title="新预警",
            body="请回拨 13905710001 的当事人",
            link="/jobs/1/",
            channels=("inbox", "sms"),
        )
        assert Notification.objects.count() == 2
        assert not OutboxMessage.objects.exists()
    assert result.handed_to_gateway == 2 and len(callbacks) == 1
    assert not OutboxMessage.objects.exists()  # nothing until the transaction commits
    callbacks[0]()
    rows = list(OutboxMessage.objects.order_by("recipient_id"))
    assert [r.recipient_id for r in rows] == sorted([analyst.pk, leader.pk])
    assert all(r.channel == "sms" and r.status == OutboxStatus.PENDING for r in rows)
    assert "13905710001" not in rows[0].text and "139****0001" in rows[0].text and "/jobs/1/" in rows[0].text
    assert all("13905710001" not in n.body for n in Notification.objects.all())


def test_it_sends_nothing_outside_the_inbox_by_default(world, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notify(recipients=[world.users["bank"]], title="止付请求", body="")
    assert callbacks == [] and not OutboxMessage.objects.exists()
    assert Notification.objects.get().recipient == world.users["bank"]


def test_it_uses_the_configured_gateway(world, settings, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    settings.NOTIFICATION_GATEWAY = "fanzha.jobs.gateways.LogGateway"
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[world.users["leader"]], title="日报", body="", channels=("im",))
    assert not OutboxMessage.objects.exists()
    assert not Notification.objects.exists()


def test_it_refuses_links_that_are_not_plain_paths(world) -> None:  # type: ignore[no-untyped-def]
    for link in ("https://example.com/", "//evil.example/", "/people/?q=13905710001", "people/1/"):
        with pytest.raises(ValidationError, match="站内路径"):
            notify(recipients=[world.users["leader"]], title="x", body="", link=link)
    with pytest.raises(ValidationError, match="未知的通知渠道"):
        notify(recipients=[world.users["leader"]], title="x", body="", channels=("fax",))
    assert not Notification.objects.exists()


def test_it_masks_the_text_each_gateway_receives(world, caplog) -> None:  # type: ignore[no-untyped-def]
    message = OutgoingMessage(
        channel="im",
        recipient_id=world.users["leader"].pk,
        title="回访",
        text="身份证 331102195003120028 手机 13905710001",
    )
    OutboxGateway().send(message)
    text = OutboxMessage.objects.get().text
    assert "331102195003120028" not in text and "13905710001" not in text
    LogGateway().send(message)
    assert "13905710001" not in caplog.text


def test_it_lists_the_inbox_newest_first_with_the_unread_count(world, client) -> None:  # type: ignore[no-untyped-def]
    analyst = world.users["analyst"]
    notify(recipients=[analyst], title="第一条", body="")
    notify(recipients=[analyst], title="第二条", body="")
    notify(recipients=[world.users["leader"]], title="别人的", body="")
    page = login(client, analyst).get(reverse("inbox")).content.decode()
    assert page.index("第二条") < page.index("第一条") and "别人的" not in page
    assert "2 条未读" in page


def test_it_marks_own_notifications_read_and_hides_others(world, client) -> None:  # type: ignore[no-untyped-def]
    own = notify(recipients=[world.users["analyst"]], title="任务完成", body="", link="/jobs/").inbox[0]
    other = notify(recipients=[world.users["leader"]], title="别人的", body="").inbox[0]
    login(client, world.users["analyst"])
    response = client.post(reverse("notification_read", kwargs={"pk": own.pk}), {"open": "1"})
    assert response.status_code == 302 and response["Location"] == "/jobs/"
    own.refresh_from_db()
    assert own.read_at is not None
    assert client.post(reverse("notification_read", kwargs={"pk": other.pk})).status_code == 404
    other.refresh_from_db()
    assert other.read_at is None
    assert "0 条未读" in client.get(reverse("inbox")).content.decode()


def test_it_marks_read_at_the_time_given_and_only_once(world) -> None:  # type: ignore[no-untyped-def]
    """The demo's history passes when its users read their messages; a second mark changes nothing."""
    analyst = world.users["analyst"]
    message = notify(recipients=[analyst], title="止付请求", body="").inbox[0]
    read = message.created_at + dt.timedelta(minutes=7)
    assert notification_mark_read(actor=analyst, notification=message, at=read) is True
    message.refresh_from_db()
    assert message.read_at == read
    assert notification_mark_read(actor=analyst, notification=message) is False
    message.refresh_from_db()
    assert message.read_at == read
    with pytest.raises(ValidationError):
        notification_mark_read(actor=world.users["leader"], notification=message, at=read)


class BrokenGateway:
    """A gateway whose set-up fails (an unreachable SMS service read at construction)."""

    def __init__(self) -> None:
        raise ConnectionError("gateway down")

    def send(self, message: OutgoingMessage) -> None:  # pragma: no cover - never built
        raise AssertionError


def test_a_gateway_that_fails_to_start_is_logged_not_raised_after_the_commit(
    world, settings, django_capture_on_commit_callbacks, caplog
) -> None:  # type: ignore[no-untyped-def]
    settings.NOTIFICATION_GATEWAY = "tests.jobs.test_notify.BrokenGateway"
    with django_capture_on_commit_callbacks(execute=True):
        result = notify(recipients=[world.users["leader"]], title="预警", body="", channels=("inbox", "sms"))
    assert result.handed_to_gateway == 1
    assert Notification.objects.get().recipient == world.users["leader"]
    assert "notification gateway could not be created" in caplog.text
