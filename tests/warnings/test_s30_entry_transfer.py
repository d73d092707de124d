"""正在转账 on the entry form (录入预警): 未知, 是 or 否. It was a checkbox, so a clerk told “没有在转账”
could not record 否 — unticked was unknown, and a grading rule on 正在转账 否 never matched a typed
warning."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from fanzha.warnings.models import Grade, GradingRule, Warning
from tests.personas import login
from tests.warnings.test_manual_entry import URL, opened_form, sent

SAID_NO = "未转账（录入时说明）"


def _typed(client: Any, n: int, **extra: str) -> Warning:
    person = {"name": f"孙{n}", "phone": f"1390571884{n}", "address": f"青溪县城关镇城东社区和平路{n}号"}
    answer = sent(client, opened_form(client), **person, **extra)
    assert answer.status_code == 200, answer.content
    return Warning.objects.get(pk=answer.redirect_chain[-1][0].strip("/").split("/")[-1])


@pytest.fixture
def said_no_rule(world) -> GradingRule:  # type: ignore[no-untyped-def]
    return GradingRule.objects.create(
        name="录入未转账", position=5, grade=Grade.HIGH, reason=SAID_NO, transfer_in_progress=False
    )


def test_the_form_offers_unknown_yes_and_no_with_unknown_chosen(world, client) -> None:  # type: ignore[no-untyped-def]
    login(client, world.users["analyst"])
    page = client.get(reverse(URL)).content.decode()
    assert 'type="checkbox" name="transfer_in_progress"' not in page
    assert '<option value="unknown" selected>未知</option>' in page
    assert '<option value="true">是</option>' in page and '<option value="false">否</option>' in page


@pytest.mark.parametrize(
    ("chosen", "fact", "grade"),
    [("unknown", None, None), ("true", True, Grade.URGENT), ("false", False, Grade.HIGH)],
)
def test_each_choice_reaches_the_facts_and_the_grading(  # type: ignore[no-untyped-def]
    world, client, said_no_rule, chosen, fact, grade
) -> None:
    login(client, world.users["analyst"])
    warning = _typed(client, 1, transfer_in_progress=chosen)
    assert warning.facts["transfer"] is fact
    assert (SAID_NO in warning.grade_reasons) is (fact is False)
    assert ("正在转账" in warning.grade_reasons) is (fact is True)
    if grade is not None:
        assert warning.grade == grade


def test_a_form_without_the_choice_is_unknown(world, client, said_no_rule) -> None:  # type: ignore[no-untyped-def]
    """A page opened before the change, its box left unticked, sends no 正在转账: unknown, as before."""
    login(client, world.users["analyst"])
    warning = _typed(client, 2)
    assert warning.facts["transfer"] is None and SAID_NO not in warning.grade_reasons


def test_a_box_ticked_on_a_page_opened_before_the_change_is_yes(world, client) -> None:  # type: ignore[no-untyped-def]
    login(client, world.users["analyst"])
    warning = _typed(client, 3, transfer_in_progress="on")
    assert warning.facts["transfer"] is True and warning.grade == Grade.URGENT


def test_another_value_is_refused_naming_the_choices(world, client) -> None:  # type: ignore[no-untyped-def]
    login(client, world.users["analyst"])
    person = {"name": "孙四", "phone": "13905718844", "address": "青溪县城关镇城东社区和平路4号"}
    answer = sent(client, opened_form(client), **person, transfer_in_progress="maybe")
    assert answer.status_code == 400
    assert "正在转账请选择 未知、是 或 否" in answer.content.decode()
    assert not Warning.objects.exists()


def test_the_choice_is_kept_when_the_form_is_refused(world, client) -> None:  # type: ignore[no-untyped-def]
    login(client, world.users["analyst"])
    answer = sent(client, opened_form(client), transfer_in_progress="false")  # nobody to find: refused
    assert answer.status_code == 400
    assert '<option value="false" selected>否</option>' in answer.content.decode()
