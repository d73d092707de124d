"""The centre's views read by hand: what a period that cannot be read says (list, statistics, export)."""

from __future__ import annotations

from django.contrib.messages import get_messages
from django.urls import reverse

from fanzha.audit.models import AuditEvent
from tests.personas import login
from tests.warnings.helpers import make_warning

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
