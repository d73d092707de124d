"""A new report about the same person merged into the warning while a field worker's contact form was
open (session 19): the merge raises the grade and brings the deadlines forward, but changes no one's
work — the call or visit typed in a village is saved and the worker is told of the merge. A state
change someone else made meanwhile is still refused, with what was typed shown again."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from fanzha.warnings.models import Contact, Status, Warning
from fanzha.warnings.workflow import (
    Conflict,
    ContactData,
    warning_acknowledge,
    warning_contact_record,
)
from tests.personas import login
from tests.warnings.helpers import make_warning
from tests.warnings.helpers import second_grid_worker as colleague

HIGHER = {"call_count": "4", "callback_count": "2"}  # called 4 times, called back twice: 高


def merge(n: int = 1, **values: str) -> Warning:
    """Another report about person ``n`` (a new 预警编号), merged into their open warning."""
    merged = make_warning(n, source_id=f"M{n:05d}", **values)
    assert merged.merged_count >= 1
    return merged


def contact(client, warning, version, **values):  # type: ignore[no-untyped-def]
    data = {"kind": "visit", "outcome": "refused", "notes": "老人说儿子会来处理", "version": version}
    data["arrived_at"] = Warning.objects.get(pk=warning.pk).received_at.strftime("%Y-%m-%dT%H:%M")
    return client.post(reverse("warning_contact", args=[warning.pk]), {**data, **values}, follow=True)


def shown(response) -> str:  # type: ignore[no-untyped-def]
    return " ".join(str(m) for m in response.context["messages"])


def acknowledged(world, n: int = 1) -> Warning:  # type: ignore[no-untyped-def]
    warning = make_warning(n)
    return warning_acknowledge(actor=world.users["grid_cd"], warning=warning, version=warning.version)


def test_a_merge_raising_the_grade_while_the_form_is_open_saves_the_visit_and_says_so(world, client) -> None:  # type: ignore[no-untyped-def]
    warning = acknowledged(world)
    login(client, world.users["grid_cd"])
    opened = warning.version
    merged = merge(**HIGHER)
    assert merged.version == opened + 1 and merged.grade == "high"
    response = contact(client, warning, opened)
    assert response.redirect_chain[-1] == (reverse("warning_detail", args=[warning.pk]), 302)
    told = shown(response)
    assert "劝阻情况已记录" in told
    assert "同一人再次预警" in told and "M00001" in told and "等级由“中”升为“高”" in told
    saved = Contact.objects.get()
    assert saved.warning_id == warning.pk and saved.notes == "老人说儿子会来处理"
    assert Warning.objects.get(pk=warning.pk).status == Status.CONTACTED


def test_a_merge_before_acknowledging_saves_the_record_and_acknowledges(world, client) -> None:  # type: ignore[no-untyped-def]
    warning = make_warning(1)
    login(client, world.users["grid_cd"])
    opened = warning.version
    merge()  # the same grade: it stays with the grid worker
    response = contact(client, warning, opened, kind="call", arrived_at="")
    assert "劝阻情况已记录" in shown(response) and "同一人再次预警" in shown(response)
    after = Warning.objects.get(pk=warning.pk)
    assert after.acknowledged_by == world.users["grid_cd"] and after.status == Status.CONTACTED
    assert Contact.objects.count() == 1


def test_several_merges_are_all_told(world, client) -> None:  # type: ignore[no-untyped-def]
    warning = acknowledged(world)
    login(client, world.users["grid_cd"])
    opened = warning.version
    merge()
    make_warning(1, source_id="M00002")
    response = contact(client, warning, opened)
    assert "M00001" in shown(response) and "M00002" in shown(response)
    assert Contact.objects.count() == 1


def test_the_service_returns_the_merges_it_let_through(world) -> None:  # type: ignore[no-untyped-def]
    warning = acknowledged(world)
    opened = warning.version
    merge(**HIGHER)
    data = ContactData(kind="call", outcome="refused", version=opened)
    recorded = warning_contact_record(actor=world.users["grid_cd"], warning=warning, data=data)
    assert [line.kind for line in recorded.merged] == ["merged"]
    assert recorded.contact.warning_id == warning.pk


def test_an_acknowledgement_by_someone_else_after_a_merge_is_still_refused(world, client) -> None:  # type: ignore[no-untyped-def]
    warning = make_warning(1)
    login(client, world.users["grid_cd"])
    opened = warning.version
    merge()
    current = Warning.objects.get(pk=warning.pk)
    warning_acknowledge(actor=colleague(world), warning=current, version=current.version)
    response = contact(client, warning, opened)
    assert response.status_code == 400
    page = response.content.decode()
    assert "已由 grid_cd2 于" in page and "签收" in page and "老人说儿子会来处理" in page
    assert Contact.objects.count() == 0


def test_a_form_sent_twice_after_a_merge_is_recorded_once(world, client) -> None:  # type: ignore[no-untyped-def]
    warning = acknowledged(world)
    login(client, world.users["grid_cd"])
    opened = warning.version
    merge()
    assert "劝阻情况已记录" in shown(contact(client, warning, opened))
    again = contact(client, warning, opened)
    assert again.status_code == 400 and "本表已提交过" in again.content.decode()
    assert Contact.objects.count() == 1


def test_a_merge_that_sends_the_warning_to_the_police_keeps_what_was_typed(world, client) -> None:  # type: ignore[no-untyped-def]
    warning = make_warning(1)  # not yet acknowledged: a merge raising it to 高 re-routes it to the police
    login(client, world.users["grid_cd"])
    opened = warning.version
    assert merge(**HIGHER).assignee == world.users["police_cg"]
    response = contact(client, warning, opened)
    assert response.status_code == 403
    page = response.content.decode()
    assert "老人说儿子会来处理" in page and "城关派出所 police_cg" in page
    assert Contact.objects.count() == 0


def test_acknowledging_from_a_page_opened_before_a_merge_is_not_refused(world, client) -> None:  # type: ignore[no-untyped-def]
    warning = make_warning(1)
    login(client, world.users["grid_cd"])
    opened = warning.version
    merge()
    url = reverse("warning_acknowledge", args=[warning.pk])
    response = client.post(url, {"version": opened}, follow=True)
    assert "已签收" in shown(response)
    assert Warning.objects.get(pk=warning.pk).status == Status.ACKNOWLEDGED


def test_of_two_acknowledgements_after_a_merge_one_wins(world) -> None:  # type: ignore[no-untyped-def]
    warning = make_warning(1)
    opened = warning.version
    merge()
    warning_acknowledge(actor=world.users["grid_cd"], warning=warning, version=opened)
    with pytest.raises(Conflict, match="已由 grid_cd 于 .* 签收"):
        warning_acknowledge(actor=colleague(world), warning=warning, version=opened)


def test_handover_and_close_from_a_form_opened_before_a_merge_go_ahead(world, client) -> None:  # type: ignore[no-untyped-def]
    first, second = acknowledged(world, 1), acknowledged(world, 2)
    login(client, world.users["grid_cd"])
    opened = {w.pk: w.version for w in (first, second)}
    merge(1)
    merge(2)
    handover = client.post(
        reverse("warning_handover", args=[first.pk]),
        {"to_user": world.users["police_cg"].pk, "reason": "需民警上门", "version": opened[first.pk]},
        follow=True,
    )
    assert "已转交" in shown(handover)
    close = client.post(
        reverse("warning_close", args=[second.pk]),
        {"outcome": "invalid", "reason": "号码录入错误", "version": opened[second.pk]},
        follow=True,
    )
    assert "已办结" in shown(close)
    assert Warning.objects.get(pk=first.pk).assignee == world.users["police_cg"]
    assert not Warning.objects.get(pk=second.pk).is_open


def test_a_worker_not_reaching_the_person_is_told_the_nearer_deadline(world, client) -> None:  # type: ignore[no-untyped-def]
    warning = acknowledged(world)
    login(client, world.users["grid_cd"])
    opened = warning.version
    merged = merge(**HIGHER)
    response = contact(client, warning, opened, kind="call", outcome="not_reached", arrived_at="")
    due = merged.due_contact_at.astimezone(timezone.get_current_timezone())
    assert f"联系时限提前到 {due:%m-%d %H:%M}" in shown(response)
    assert Warning.objects.get(pk=warning.pk).status == Status.ACKNOWLEDGED
