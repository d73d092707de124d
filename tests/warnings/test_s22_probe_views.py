"""The centre's views read by hand: what a period that cannot be read says (list, statistics, export)."""

from __future__ import annotations

from django.contrib.messages import get_messages
from django.urls import reverse

from fanzha.audit.models import AuditEvent
from fanzha.warnings import selectors
from fanzha.warnings.models import Warning
from fanzha.warnings.workflow import warning_close
from tests.personas import login
from tests.warnings.helpers import make_warning
from tests.warnings.test_s20_handover_clock import _shift

REVERSED = "start=2026-12-01&end=2026-11-01"
NO_DATE = "start=2026-02-30"  # 30 February: a hand-edited address, or a browser without a date picker


def _told(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_a_period_that_ends_before_it_starts_is_said_so_on_the_list_and_the_statistics(world, client) -> None:  # type: ignore[no-untyped-def]
    make_warning(1)
    login(client, world.users["analyst"])
    for name in ("warning_list", "warning_stats"):
        response = client.get(reverse(name) + "?" + REVERSED)
        assert response.status_code == 200
        assert any("起始日期不能晚于截止日期" in text for text in _told(response)), name


def test_a_date_that_is_no_date_is_said_so_not_silently_dropped(world, client) -> None:  # type: ignore[no-untyped-def]
    make_warning(1)
    login(client, world.users["analyst"])
    for name in ("warning_list", "warning_stats"):
        response = client.get(reverse(name) + "?" + NO_DATE)
        assert response.status_code == 200
        assert any("接收自" in text and "无法识别" in text for text in _told(response)), name
    response = client.get(reverse("warning_list") + "?end=10000-01-01")
    assert any("至" in text and "无法识别" in text for text in _told(response))


def test_the_export_refuses_a_period_it_cannot_read_rather_than_export_every_warning(world, client) -> None:  # type: ignore[no-untyped-def]
    # Dropping 30 February exported every warning of the scope (personal data, masked, but far more
    # than asked for); a reversed period exported an empty sheet. Both go back to the list, told why.
    make_warning(1)
    login(client, world.users["analyst"])
    for query in (NO_DATE, REVERSED):
        response = client.get(reverse("warning_export") + "?" + query)
        assert response.status_code == 302, query
        assert response["Location"].startswith(reverse("warning_list"))
        assert any("未导出" in text for text in _told(response)), query
    assert not AuditEvent.objects.filter(action="pii.export").exists()


def test_a_warning_closed_unacknowledged_past_its_deadline_counts_as_missed_unflagged(world) -> None:  # type: ignore[no-untyped-def]
    # The grid worker let a medium warning (4 h to acknowledge) run 5 h; the centre then closed it as
    # invalid. The SLA job had not flagged it (the worker was down, or the close came within its
    # minute): the unit's on-time rate read "—" (nothing owed), not 0 of 1 — as a handover at that
    # moment counts it (sla.ack_kept: missed by the time, not by the flag).
    late = _shift(make_warning(1), 300)
    warning_close(actor=world.users["leader"], warning=late, outcome="invalid", reason="非诈骗")
    assert not Warning.objects.get(pk=late.pk).ack_breached
    on_time = _shift(make_warning(2), 60)  # closed unacknowledged within its time: not counted
    warning_close(actor=world.users["leader"], warning=on_time, outcome="invalid", reason="非诈骗")
    totals = selectors.summary(Warning.objects.all())[0]
    assert (totals["acked_on_time"], totals["ack_due"], totals["on_time_rate"]) == (0, 1, "0.0%")
    (unit,) = selectors.summary(Warning.objects.all(), ("organisation__name", "organisation_id"))
    assert (unit["organisation__name"], unit["ack_due"]) == ("城东社区居委会", 1)


def test_the_board_says_when_it_shows_only_the_most_urgent(world, client, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # The board cut at its row limit without a word: a leader read the open warnings shown as all of them.
    for n in range(1, 4):
        make_warning(n)
    monkeypatch.setattr("fanzha.warnings.views.BOARD_ROWS", 2)
    login(client, world.users["leader"])
    for headers in ({}, {"HTTP_HX_REQUEST": "true"}):  # the page, and the rows htmx refreshes
        body = client.get(reverse("warning_board"), **headers).content.decode()
        assert body.count('class="fw-semibold stretched-link">#') == 2
        assert "仅显示剩余时限最短的 2 条" in body
    monkeypatch.setattr("fanzha.warnings.views.BOARD_ROWS", 3)
    assert "仅显示" not in client.get(reverse("warning_board")).content.decode()
