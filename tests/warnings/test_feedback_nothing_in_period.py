"""The feedback page when the chosen source and period hold no pushed warning: it says so on the form,
names the source and the period, and makes no file (nor a ``pii.export`` record for nothing exported)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone

from fanzha.audit.models import AuditEvent
from tests.personas import World, login
from tests.warnings.helpers import make_warning


def _feedback(client: Any, **query: str) -> Any:
    return client.get(reverse("warning_feedback"), {"source": "superior", "format": "xlsx", **query})


def test_a_period_without_a_pushed_warning_is_answered_on_the_form(world: World, client: Any) -> None:
    make_warning(1)  # received today, not in the period asked for
    login(client, world.users["analyst"])
    for fmt in ("xlsx", "csv"):
        response = _feedback(client, start="2026-11-03", end="2026-11-05", format=fmt)
        assert response.status_code == 200
        assert "Content-Disposition" not in response
        page = response.content.decode()
        assert "2026-11-03 至 2026-11-05 没有来自 上级推送 的预警，未生成文件" in page
        assert response.context["form"]["start"].value() == "2026-11-03"  # the form as it was sent
    assert not AuditEvent.objects.filter(action="pii.export").exists()


def test_one_day_without_a_warning_of_the_source_names_that_day(world: World, client: Any) -> None:
    make_warning(1, source="运营商")  # today
    login(client, world.users["analyst"])
    response = _feedback(client, source="operator", start="2026-11-03", end="2026-11-03", format="csv")
    assert "Content-Disposition" not in response
    assert "2026-11-03 没有来自 运营商 的预警，未生成文件" in response.content.decode()


def test_a_period_with_a_pushed_warning_still_gives_its_file(world: World, client: Any) -> None:
    make_warning(1)
    login(client, world.users["analyst"])
    today = timezone.localdate().isoformat()
    response = _feedback(client, start=today, end=today)
    assert response.status_code == 200 and response.content.startswith(b"PK")
    assert AuditEvent.objects.filter(action="pii.export", object_type="warnings.feedback").count() == 1
