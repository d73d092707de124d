"""The calendar page: viewable by everyone signed in, editable with "calendar.edit" (audited)."""

from __future__ import annotations

from datetime import date

from django.urls import reverse

from fanzha.audit.models import AuditEvent
from fanzha.jobs.models import CalendarDay
from tests.personas import login


def test_it_shows_a_month_with_holidays_and_make_up_days(world, client) -> None:  # type: ignore[no-untyped-def]
    page = (
        login(client, world.users["grid_cd"]).get(reverse("calendar"), {"month": "2025-09"}).content.decode()
    )
    assert "2025 年 9 月" in page
    assert 'data-date="2025-09-28" data-kind="makeup"' in page
    assert 'data-date="2025-10-01" data-kind="holiday"' in page
    assert "?month=2025-08" in page and "?month=2025-10" in page
    assert "calendar/set/" not in page  # no editing form without calendar.edit


def test_it_falls_back_to_the_current_month_for_a_bad_month(world, client) -> None:  # type: ignore[no-untyped-def]
    response = login(client, world.users["bank"]).get(reverse("calendar"), {"month": "2025-13"})
    assert response.status_code == 200
    assert f"{response.context['year']} 年 {response.context['month']} 月" in response.content.decode()


def test_it_lets_an_editor_mark_a_day_and_audits_it(world, client) -> None:  # type: ignore[no-untyped-def]
    login(client, world.users["analyst"])
    assert "calendar/set/" in client.get(reverse("calendar")).content.decode()
    response = client.post(
        reverse("calendar_set_day"), {"date": "2025-10-13", "mode": "holiday", "name": "防汛调休", "note": ""}
    )
    assert response.status_code == 302 and response["Location"].endswith("?month=2025-10")
    day = CalendarDay.objects.get(date=date(2025, 10, 13))
    assert day.is_working_day is False and day.name == "防汛调休" and day.updated_by == world.users["analyst"]
    assert AuditEvent.objects.filter(action="calendar.update", object_id=str(day.pk)).exists()
    page = client.get(reverse("calendar"), {"month": "2025-10"}).content.decode()
    assert 'data-date="2025-10-13" data-kind="holiday"' in page and "防汛调休" in page
    client.post(reverse("calendar_set_day"), {"date": "2025-10-13", "mode": "default"})
    assert not CalendarDay.objects.exists()


def test_it_refuses_editing_without_permission_and_bad_input(world, client) -> None:  # type: ignore[no-untyped-def]
    data = {"date": "2025-10-13", "mode": "holiday"}
    assert login(client, world.users["police_cg"]).post(reverse("calendar_set_day"), data).status_code == 403
    login(client, world.users["leader"])
    response = client.post(
        reverse("calendar_set_day"), {"date": "not-a-date", "mode": "holiday"}, follow=True
    )
    assert "日期格式应为 YYYY-MM-DD" in response.content.decode()
    assert not CalendarDay.objects.exists()


def test_it_keeps_what_the_editor_typed_when_the_form_has_errors(world, client) -> None:  # type: ignore[no-untyped-def]
    login(client, world.users["analyst"])
    data = {
        "date": "2025-10-3x",
        "mode": "working",
        "name": "防汛值班",
        "note": "全员在岗",
        "month": "2025-10",
    }
    response = client.post(reverse("calendar_set_day"), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "未保存，请修改后重新提交" in page and "日期：日期格式应为 YYYY-MM-DD" in page
    assert 'value="2025-10-3x"' in page and 'value="防汛值班"' in page and 'value="全员在岗"' in page
    assert '<option value="working" selected>' in page
    assert "2025 年 10 月" in page  # the month the editor was looking at
    too_long = {"date": "2025-11-05", "mode": "holiday", "name": "长" * 51, "note": "说明"}
    page = client.post(reverse("calendar_set_day"), too_long).content.decode()
    assert "2025 年 11 月" in page and 'value="2025-11-05"' in page and 'value="说明"' in page
    assert "名称：确保该变量包含不超过 50 字符" in page and "is-invalid" in page
    assert not CalendarDay.objects.exists()
    assert not AuditEvent.objects.filter(action="calendar.update").exists()
