"""Leftovers of s20 (s21): a user's work phone can be removed on the 编辑 page; retiring (撤并) and
restoring an area are audited as such, on the area page and by the area import."""

from __future__ import annotations

from django.urls import reverse

from fanzha.audit.models import AuditEvent
from fanzha.core.models import Area, User
from fanzha.core.services import areas as area_services
from fanzha.core.services import organisations as org_services
from fanzha.imports.models import BatchStatus
from fanzha.imports.pipeline import import_run
from tests.imports.files import csv_bytes
from tests.personas import login

PHONE = "13905715678"


def _with_phone(world, username: str = "grid_sq") -> User:  # type: ignore[no-untyped-def]
    user = world.users[username]
    org_services.user_update(actor=world.users["admin"], user=user, work_phone=PHONE)
    return user


def _post_edit(client, world, user: User, **fields: str):  # type: ignore[no-untyped-def]
    data = {"display_name": user.display_name, "work_phone": "", "organisation": str(user.organisation_id)}
    data.update(fields)
    return login(client, world.users["admin"]).post(reverse("user_edit", args=[user.pk]), data)


# --- 1. removing a user's work phone ---------------------------------------------------------------


def test_the_edit_form_offers_to_remove_the_work_phone(world, client) -> None:  # type: ignore[no-untyped-def]
    user = _with_phone(world)
    page = login(client, world.users["admin"]).get(reverse("user_edit", args=[user.pk])).content.decode()
    assert 'name="clear_work_phone"' in page and "删除工作电话" in page
    assert PHONE not in page


def _last_audit() -> int:
    """The newest audit record's id (ids, not the count: PostgreSQL's sequence runs past the rows)."""
    return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def test_an_administrator_removes_a_work_phone_audited_without_the_number(world, client) -> None:  # type: ignore[no-untyped-def]
    user = _with_phone(world)
    before = _last_audit()
    response = _post_edit(client, world, user, clear_work_phone="on")
    assert response.status_code == 302
    assert User.objects.get(pk=user.pk).work_phone == ""
    event = AuditEvent.objects.filter(pk__gt=before, action="record.update", object_id=str(user.pk)).get()
    assert event.fields == ["work_phone"]
    for text in (str(event.details), event.object_label):
        assert PHONE not in text and PHONE[-4:] not in text


def test_a_blank_phone_without_the_box_still_keeps_the_number(world, client) -> None:  # type: ignore[no-untyped-def]
    user = _with_phone(world)
    assert _post_edit(client, world, user).status_code == 302
    assert User.objects.get(pk=user.pk).work_phone == PHONE


def test_removing_and_typing_a_new_number_at_once_is_refused(world, client) -> None:  # type: ignore[no-untyped-def]
    user = _with_phone(world)
    response = _post_edit(client, world, user, clear_work_phone="on", work_phone="0571-5550001")
    assert response.status_code == 400
    assert "不能同时" in response.content.decode()
    assert User.objects.get(pk=user.pk).work_phone == PHONE


def test_removing_a_phone_the_user_has_not_got_changes_nothing(world, client) -> None:  # type: ignore[no-untyped-def]
    user = world.users["grid_sq"]
    before = _last_audit()
    response = _post_edit(client, world, user, clear_work_phone="on")
    assert response.status_code == 302
    assert not AuditEvent.objects.filter(pk__gt=before, action="record.update").exists()


def test_the_service_takes_an_empty_phone_as_a_removal(world) -> None:  # type: ignore[no-untyped-def]
    user = _with_phone(world)
    assert org_services.user_update(actor=world.users["admin"], user=user, work_phone="") == ["work_phone"]
    assert User.objects.get(pk=user.pk).work_phone == ""


# --- 3. retiring an area, audited as such --------------------------------------------------------


def _activity_events(area: Area) -> list[AuditEvent]:
    events = AuditEvent.objects.filter(action__in=["area.retire", "area.restore"], object_id=str(area.pk))
    return list(events.order_by("pk"))


def test_retiring_and_restoring_an_area_are_audited_as_such(world) -> None:  # type: ignore[no-untyped-def]
    village = world.area("城西社区")
    admin = world.users["admin"]
    area_services.area_retire(actor=admin, area=village)
    area_services.area_restore(actor=admin, area=village)
    retired, restored = _activity_events(village)
    assert retired.action == "area.retire" and restored.action == "area.restore"
    assert retired.object_type == "core.area" and retired.actor_id == admin.pk
    assert retired.fields == ["is_active"]
    assert retired.details == {"code": village.code, "is_active": {"from": True, "to": False}}
    assert restored.details == {"code": village.code, "is_active": {"from": False, "to": True}}


def test_a_rename_is_still_a_record_update(world) -> None:  # type: ignore[no-untyped-def]
    village = world.area("城西社区")
    area_services.area_update(actor=world.users["admin"], area=village, name="城西新区社区")
    assert AuditEvent.objects.filter(action="record.update", object_id=str(village.pk)).get().fields == [
        "name"
    ]
    assert _activity_events(village) == []


def test_the_area_page_retirement_is_audited_as_such(world, client) -> None:  # type: ignore[no-untyped-def]
    village = world.area("城西社区")
    login(client, world.users["admin"]).post(reverse("area_detail", args=[village.pk]), {"action": "retire"})
    assert [e.action for e in _activity_events(village)] == ["area.retire"]


def test_the_area_import_retirement_is_audited_as_such(world) -> None:  # type: ignore[no-untyped-def]
    village = world.area("城西社区")
    header = ["区划代码", "名称", "层级", "上级代码", "状态"]
    row = [village.code, "城西社区（原）", "社区", village.parent.code, "撤并"]
    result = import_run(
        actor=world.users["admin"], importer="areas", file_name="区划.csv", data=csv_bytes(header, [row])
    )
    assert result.batch.status == BatchStatus.COMMITTED, result.batch.errors
    (event,) = _activity_events(village)
    assert event.action == "area.retire" and event.fields == ["is_active", "name"]
    assert event.details["is_active"] == {"from": True, "to": False}
