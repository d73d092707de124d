"""已被骗 recorded again on a warning whose case draft exists (a 回访 finding the person defrauded once
more): the worker is told the draft exists already, not “已生成案件草稿” as if made now."""

from __future__ import annotations

from typing import Any

from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from fanzha.cases.models import Case
from fanzha.warnings import workflow
from fanzha.warnings.models import ContactKind, Outcome
from tests.personas import World, login
from tests.warnings.helpers import make_warning


def _defrauded_with_follow_up(worker: Any, warning: Any) -> Case:
    """已被骗 with a 回访 today: the warning closes and its case draft is made."""
    data = workflow.ContactData(
        kind=ContactKind.CALL, outcome=Outcome.DEFRAUDED, follow_up_on=timezone.localdate()
    )
    workflow.warning_contact_record(actor=worker, warning=warning, data=data)
    return Case.objects.get(warning=warning)


def _follow_up_defrauded(client: Any, warning: Any) -> list[str]:
    warning.refresh_from_db()
    data = {"kind": "call", "outcome": Outcome.DEFRAUDED, "version": warning.version}
    response = client.post(reverse("warning_contact", args=[warning.pk]), data)
    assert response.status_code == 302
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_a_second_defrauded_says_the_draft_exists_already(world: World, client: Any) -> None:
    worker = world.users["grid_cd"]
    warning = make_warning(1)
    case = _defrauded_with_follow_up(worker, warning)
    login(client, worker)
    told = _follow_up_defrauded(client, warning)
    made = timezone.localtime(case.created_at)
    assert f"案件草稿 {case.number} 已于 {made:%Y-%m-%d %H:%M} 生成，未重复生成。" in told, told
    assert not any("已生成案件草稿" in text for text in told), told
    assert Case.objects.filter(warning=warning).count() == 1
    assert not any("<a " in text for text in told)  # a grid worker sees no cases: no link to one


def test_a_second_defrauded_links_the_draft_for_who_may_open_it(world: World, client: Any) -> None:
    officer = world.users["police_cg"]
    warning = make_warning(1, transfer_in_progress=True)  # urgent: to 城关派出所
    assert warning.assignee == officer
    case = _defrauded_with_follow_up(officer, warning)
    login(client, officer)
    told = _follow_up_defrauded(client, warning)
    link = f'<a href="{reverse("case_detail", args=[case.pk])}">案件草稿 {case.number}</a> 已于'
    assert any(link in text and "未重复生成" in text for text in told), told
