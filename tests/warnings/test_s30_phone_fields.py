"""What a worker types or reads on a phone, as the pages write it (the layout itself:
tests/browser/test_field_pages_phone.py).

- 记录劝阻 sent without 方式 or 结果 names the choice asked for, not Django's 这个字段是必填项.
- A phone number's box is ``type="tel"`` (a phone's number pad), wherever a person's phone is typed.
- The note's hint (不要写身份证号、手机号) is a label on the screen, not a placeholder gone at the first
  character typed.
- A notice of a warning pushed without the name says so, not “新预警（中）：” naming nobody.
- A 回访 on the home page's task list says when, as on 我的预警.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from django.urls import reverse
from django.utils import timezone

from fanzha.cases.services import case_draft_from_warning
from fanzha.jobs.models import Notification
from fanzha.warnings import workflow
from fanzha.warnings.models import ContactKind, Outcome
from tests.personas import World, login
from tests.warnings.helpers import make_warning


def test_a_contact_sent_without_its_choices_names_them(world: World, client: Any) -> None:
    worker = world.users["grid_cd"]
    warning = make_warning(1)
    warning = workflow.warning_acknowledge(actor=worker, warning=warning, version=warning.version)
    login(client, worker)
    response = client.post(reverse("warning_contact", args=[warning.pk]), {"version": warning.version})
    assert response.status_code == 400
    page = response.content.decode()
    assert "这个字段是必填项" not in page
    assert "请选择劝阻方式：电话劝阻或上门劝阻" in page and "请选择劝阻结果" in page
    assert not warning.contacts.exists()


def _input_type(page: str, name: str) -> str:
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', page)
    assert tag is not None, f"no input {name}"
    kind = re.search(r'type="([^"]+)"', tag.group(0))
    return kind.group(1) if kind else "text"


def test_a_phone_number_is_typed_on_the_number_pad(world: World, client: Any) -> None:
    officer = world.users["police_cg"]
    case = case_draft_from_warning(actor=officer, warning=make_warning(2))
    login(client, officer)
    victim = client.get(reverse("case_victim_add", args=[case.pk])).content.decode()
    assert _input_type(victim, "phone") == "tel"
    assert _input_type(victim, "id_number") == "text"  # an ID number may end in X
    login(client, world.users["grid_cd"])
    assert _input_type(client.get(reverse("person_create")).content.decode(), "phone") == "tel"
    login(client, world.users["analyst"])
    assert _input_type(client.get(reverse("warning_create")).content.decode(), "phone") == "tel"


def test_the_notes_hint_stays_on_the_screen_while_typing(world: World, client: Any) -> None:
    warning = make_warning(3)
    login(client, world.users["grid_cd"])
    page = client.get(reverse("warning_detail", args=[warning.pk])).content.decode()
    tag = re.search(r'<input[^>]*name="text"[^>]*>', page)
    assert tag is not None and 'id="note-text"' in tag.group(0)
    assert "placeholder" not in tag.group(0)
    label = '<label class="form-label small mb-1" for="note-text">添加备注（不要写身份证号、手机号）</label>'
    assert label in page


def test_a_notice_of_a_warning_without_a_name_says_so(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        warning = make_warning(4, name="")
    titles = list(Notification.objects.filter(recipient=warning.assignee).values_list("title", flat=True))
    assert titles == [f"新预警（{warning.get_grade_display()}）：（未提供姓名）"], titles


def test_a_follow_up_on_the_home_page_says_when(world: World, client: Any) -> None:
    """劝阻成功 with a 回访 date closes the warning and leaves the 回访 a task: the home page's list named it
    with nothing where 我的预警 says “回访 12-05”."""
    worker = world.users["grid_cd"]
    warning = make_warning(5)
    warning = workflow.warning_acknowledge(actor=worker, warning=warning, version=warning.version)
    on = timezone.localdate() + timedelta(days=3)
    data = workflow.ContactData(kind=ContactKind.CALL, outcome=Outcome.DISSUADED, follow_up_on=on)
    workflow.warning_contact_record(actor=worker, warning=warning, data=data)
    login(client, worker)
    card = client.get(reverse("home")).content.decode()
    assert f'href="/warnings/{warning.pk}/"' in card
    assert f"回访 {on:%m-%d}" in card
