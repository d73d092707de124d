"""人工录入 as a centre clerk types a warning from a phone call: the form as the browser sends it (its
hidden fields too), the same person typed again, a double tap, a known person's new phone."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.urls import reverse
from django.utils import timezone

from fanzha.audit.models import AuditEvent
from fanzha.warnings.models import Status, Warning
from fanzha.warnings.people import PHONE_DIFFERS
from tests.personas import login

URL = "warning_create"
SUN = {"name": "孙七", "phone": "13905718883", "address": "青溪县城关镇城东社区和平路3号"}


def opened_form(client: Any) -> dict[str, str]:
    """The form's fields as a fresh page fills them (hidden ones included), as the browser would send."""
    page = client.get(reverse(URL)).content.decode()
    hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', page))
    hidden.pop("csrfmiddlewaretoken", None)
    return {"source": "manual", **hidden}


def sent(client: Any, form: dict[str, str], **typed: str) -> Any:
    return client.post(reverse(URL), {**form, **typed}, follow=True)


def said(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_the_same_person_typed_again_in_a_new_form_joins_the_open_warning(world, client) -> None:  # type: ignore[no-untyped-def]
    """Identical words typed twice (no 预警编号, no time) were taken for the same report: “该来源的这一预警
    编号此前已接收” — about a 预警编号 the clerk never typed — and the second call was not recorded."""
    login(client, world.users["analyst"])
    sent(client, opened_form(client), **SUN)
    again = sent(client, opened_form(client), **SUN)
    warning = Warning.objects.get()
    assert said(again)[0] == "该人员已有未办结的预警，本次预警已合并到该预警。"
    assert warning.merged_count == 1 and warning.events.filter(kind="merged").count() == 1


def test_the_same_person_typed_again_after_the_merge_window_is_a_new_warning(world, client) -> None:  # type: ignore[no-untyped-def]
    login(client, world.users["analyst"])
    sent(client, opened_form(client), **SUN)
    days_ago = timezone.now() - dt.timedelta(days=5)
    Warning.objects.update(received_at=days_ago, warned_at=days_ago)
    again = sent(client, opened_form(client), **SUN)
    assert said(again)[0] == "预警已录入并定级、派发。"
    assert Warning.objects.count() == 2
    assert len({w.person_id for w in Warning.objects.all()}) == 1


def test_a_closed_warning_does_not_swallow_the_next_call(world, client) -> None:  # type: ignore[no-untyped-def]
    login(client, world.users["analyst"])
    sent(client, opened_form(client), **SUN)
    Warning.objects.update(status=Status.CLOSED)
    sent(client, opened_form(client), **SUN)
    assert Warning.objects.filter(status__in=[Status.ASSIGNED, Status.NEW]).count() == 1


def test_a_double_tap_enters_one_warning_and_says_so(world, client) -> None:  # type: ignore[no-untyped-def]
    login(client, world.users["analyst"])
    form = opened_form(client)
    first = sent(client, form, **SUN)
    second = sent(client, form, **SUN)
    warning = Warning.objects.get()
    assert first.redirect_chain[-1][0] == second.redirect_chain[-1][0] == f"/warnings/{warning.pk}/"
    assert said(second) == ["这张录入表已经提交过，预警只录入了一次。"]
    assert warning.merged_count == 0
    assert AuditEvent.objects.filter(action="warning.create", details__outcome="new").count() == 1


def test_a_form_refused_keeps_its_entry_and_what_was_typed(world, client) -> None:  # type: ignore[no-untyped-def]
    """No one to identify: the message, nothing saved, what was typed and the form's key kept — sent again
    once put right it is one warning."""
    login(client, world.users["analyst"])
    form = opened_form(client)
    refused = client.post(reverse(URL), {**form, "name": "孙七", "amount": "5万", "notes": "来电称被骗"})
    page = refused.content.decode()
    assert refused.status_code == 400 and "无法识别或联系当事人" in page
    assert 'value="5万"' in page and "来电称被骗" in page and not Warning.objects.exists()
    entry = form.get("entry", "")
    assert entry and f'value="{entry}"' in page
    sent(client, form, **SUN)
    sent(client, form, **SUN)
    assert Warning.objects.count() == 1


def test_a_known_person_with_a_new_phone_is_called_on_it(world, client) -> None:  # type: ignore[no-untyped-def]
    """王秀英, on record by her ID number with 13905710001, calls from 13905719999: the number she gave was
    kept nowhere — the warning's page showed (and revealed) the one on record, and nothing said so."""
    person = world.people["chengdong"]
    login(client, world.users["analyst"])
    typed = {"name": "王秀英", "id_number": person.id_number, "phone": "+86 139 0571 9999"}
    response = sent(client, opened_form(client), **typed)
    warning = Warning.objects.get()
    person.refresh_from_db()
    assert warning.person_id == person.pk and person.phone == "13905710001"  # the record is not changed
    assert PHONE_DIFFERS in said(response)
    page = response.content.decode()
    assert "139****9999" in page and "13905719999" not in page
    revealed = client.post(
        reverse("warning_reveal", args=[warning.pk]), {"field": "phone", "purpose": "contact"}
    )
    assert "13905719999" in revealed.content.decode()
    read = AuditEvent.objects.get(action="pii.read")
    assert read.object_type.endswith("warning") and read.details["warning_id"] == warning.pk
