"""Auditor pages: search, export, one record, chain verification; every use is itself recorded."""

from __future__ import annotations

import csv
import io

from django.urls import reverse

from fanzha.audit.models import AuditEvent
from fanzha.audit.services import audit_record
from tests.audit.helpers import guard_dropped, raw, write
from tests.personas import login


def _auditor(client, world):  # type: ignore[no-untyped-def]
    return login(client, world.users["auditor"])


def _csv(response) -> list[list[str]]:  # type: ignore[no-untyped-def]
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_it_lists_newest_first_fifty_a_page(client, world) -> None:  # type: ignore[no-untyped-def]
    write(120)
    response = _auditor(client, world).get(reverse("audit_list"))
    assert response.status_code == 200
    ids = [event.pk for event, _ in response.context["rows"]]
    assert len(ids) == 50
    assert ids == sorted(ids, reverse=True)
    assert ids[0] == AuditEvent.objects.order_by("-id").first().pk  # type: ignore[union-attr]
    second = client.get(reverse("audit_list"), {"page": 2}).context["rows"]
    assert len(second) == 50  # the log grew by one: the second search itself
    assert second[0][0].pk == ids[-1]


def test_it_searches_by_action_and_records_the_search(client, world) -> None:  # type: ignore[no-untyped-def]
    write(3, action="calendar.update")
    response = _auditor(client, world).get(reverse("audit_list"), {"action": "calendar.update"})
    rows = response.context["rows"]
    assert len(rows) == 3
    assert {event.action for event, _ in rows} == {"calendar.update"}
    assert rows[0][1] == "修改工作日历"
    assert "修改工作日历" in response.content.decode()
    search = AuditEvent.objects.filter(action="audit.search").latest("id")
    assert search.actor_username == "auditor"
    assert search.details["filters"] == {"action": "calendar.update"}


def test_it_searches_by_actor_object_ip_and_request_id(client, world, settings) -> None:  # type: ignore[no-untyped-def]
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")  # client request ids: proxy only
    person = world.people["chengdong"]
    client = _auditor(client, world)
    by_object = client.get(reverse("audit_list"), {"object_type": "core.person", "object_id": person.pk})
    found = {(e.object_type, e.object_id) for e, _ in by_object.context["rows"]}
    assert found == {("core.person", str(person.pk))}
    client.get(reverse("audit_list"), HTTP_X_REQUEST_ID="req-0123456789")
    by_request = client.get(
        reverse("audit_list"), {"request_id": "req-0123456789", "ip": "127.0.0.1", "actor": "auditor"}
    )
    assert [e.action for e, _ in by_request.context["rows"]] == ["audit.search"]


def test_it_rejects_a_reversed_time_range_without_searching(client, world) -> None:  # type: ignore[no-untyped-def]
    before = AuditEvent.objects.count()
    response = _auditor(client, world).get(
        reverse("audit_list"), {"start": "2026-05-02T00:00", "end": "2026-05-01T00:00"}
    )
    assert response.status_code == 400
    assert "起始时间不能晚于截止时间" in response.content.decode()
    assert AuditEvent.objects.count() == before


def test_it_rejects_a_time_outside_the_years_it_can_search(client, world) -> None:  # type: ignore[no-untyped-def]
    """0001-01-01 in Beijing time is a day before year 1 in UTC: the search failed with a server error."""
    client = _auditor(client, world)
    before = AuditEvent.objects.count()
    for url in (reverse("audit_list"), reverse("audit_export")):
        response = client.get(url, {"start": "0001-01-01T00:00"})
        assert response.status_code == 400
        assert "起始时间应在 1900 年至 9998 年之间" in response.content.decode()
        response = client.get(url, {"end": "9999-12-31T23:59"})
        assert response.status_code == 400
        assert "截止时间应在 1900 年至 9998 年之间" in response.content.decode()
    assert AuditEvent.objects.count() == before


def test_it_exports_the_current_filter(client, world) -> None:  # type: ignore[no-untyped-def]
    write(2, action="backup.create")
    response = _auditor(client, world).get(reverse("audit_export"), {"action": "backup.create"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = _csv(response)
    assert rows[0][:5] == ["编号", "时间", "操作人", "操作人单位", "事件"]
    assert [row[4] for row in rows[1:]] == ["backup.create", "backup.create"]
    export = AuditEvent.objects.filter(action="audit.export").latest("id")
    assert export.details == {"filters": {"action": "backup.create"}}


def test_it_neutralises_formulas_in_the_export(client, world) -> None:  # type: ignore[no-untyped-def]
    audit_record(actor=None, action="import.reject", object_type="imports.file", object_id="=HYPERLINK(1)")
    response = _auditor(client, world).get(reverse("audit_export"), {"action": "import.reject"})
    row = _csv(response)[1]
    assert row[7] == "'=HYPERLINK(1)"


def test_it_refuses_other_roles_and_records_nothing(client, world) -> None:  # type: ignore[no-untyped-def]
    before = AuditEvent.objects.count()
    for persona in ("leader", "analyst", "admin", "bank"):
        login(client, world.users[persona])
        assert client.get(reverse("audit_list")).status_code == 403
        assert client.get(reverse("audit_export")).status_code == 403
        assert client.post(reverse("audit_verify")).status_code == 403
    assert AuditEvent.objects.count() == before


def test_it_shows_one_record_with_its_hashes(client, world) -> None:  # type: ignore[no-untyped-def]
    first, second = write(2)
    response = _auditor(client, world).get(reverse("audit_detail", kwargs={"pk": second.pk}))
    body = response.content.decode()
    assert response.status_code == 200
    assert second.hash in body
    assert first.hash in body  # as this record's prev_hash
    assert client.get(reverse("audit_detail", kwargs={"pk": 10**9})).status_code == 404


def test_it_offers_no_way_to_change_records(client, world) -> None:  # type: ignore[no-untyped-def]
    record = write(1)[0]
    client = _auditor(client, world)
    detail = reverse("audit_detail", kwargs={"pk": record.pk})
    assert client.post(detail, {"actor_username": "x"}).status_code == 405
    assert client.post(reverse("audit_list")).status_code == 405
    assert AuditEvent.objects.get(pk=record.pk).actor_username == ""


def test_it_verifies_the_chain_and_records_the_check(client, world) -> None:  # type: ignore[no-untyped-def]
    count = AuditEvent.objects.count()
    response = _auditor(client, world).post(reverse("audit_verify"))
    assert response.status_code == 200
    assert response.context["report"].ok
    assert f"共 {count} 条记录" in response.content.decode()
    check = AuditEvent.objects.latest("id")
    assert check.action == "audit.verify"
    assert check.details["ok"] is True
    assert check.details["checked"] == count
    assert client.get(reverse("audit_verify")).status_code == 405


def test_it_shows_where_the_chain_breaks(client, world) -> None:  # type: ignore[no-untyped-def]
    victim = write(3)[1]
    with guard_dropped():
        raw("UPDATE audit_auditevent SET object_label = %s WHERE id = %s", ["改过", victim.pk])
    response = _auditor(client, world).post(reverse("audit_verify"))
    assert response.status_code == 200
    assert response.context["report"].first_bad_id == victim.pk
    assert f"#{victim.pk}" in response.content.decode()
    assert AuditEvent.objects.latest("id").details["first_bad_id"] == victim.pk
