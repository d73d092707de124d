"""Grading rules as data: every reason listed, edited in the UI with a preview, audited, regrading."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

from django.urls import reverse

from fanzha.audit.models import AuditEvent
from fanzha.warnings import grading
from fanzha.warnings.models import GradingRule, Warning
from tests.personas import id_number, login
from tests.warnings.helpers import make_warning


def test_it_lists_every_reason_and_takes_the_most_urgent_grade(db) -> None:  # type: ignore[no-untyped-def]
    facts = grading.Facts(
        fraud_type="impersonate_authority",
        source="operator",
        amount=Decimal(60000),
        age=72,
        calls=5,
        callbacks=2,
        transfer=True,
    )
    result = grading.grade(grading.active_rules(), facts)
    assert result.grade == "urgent"
    assert result.reasons == [
        "正在转账",
        "涉案金额 60,000 元",
        "72 岁",
        "被诈骗号码呼叫 5 次，回拨 2 次",  # not also "被诈骗号码呼叫 5 次": this says it already
        "类型：冒充公检法及政府机关",
    ]
    assert grading.grade(grading.active_rules(), dataclasses.replace(facts, callbacks=0)).reasons[3] == (
        "被诈骗号码呼叫 5 次"
    )
    low = grading.grade(grading.active_rules(), grading.Facts("", "superior", None, 30, 0, 0, False))
    assert low.grade == "low" and low.reasons == [grading.DEFAULT_REASON]


# A new rule as the form posts it: 游戏交易 graded 高.
FORM = {
    "name": "游戏交易",
    "enabled": "on",
    "position": 5,
    "grade": "high",
    "reason": "类型：{type}",
    "fraud_types": ["game_trade"],
    "transfer_in_progress": "unknown",
}


def test_it_previews_and_saves_a_rule_change_audited(world, client) -> None:  # type: ignore[no-untyped-def]
    young = make_warning(1, id_number=id_number("331102", "20000101", "001"), fraud_type="game_trade")
    assert young.grade == "low"
    login(client, world.users["leader"])
    data = FORM
    response = client.post(reverse("warning_rule_create"), {**data, "preview": "1"})
    assert response.status_code == 200
    assert "保存后，1 条未办结预警将改变等级" in response.content.decode()
    assert Warning.objects.get(pk=young.pk).grade == "low"
    response = client.post(reverse("warning_rule_create"), {**data, "save": "1"})
    assert response.status_code == 302
    young.refresh_from_db()
    assert young.grade == "high" and young.grade_reasons == ["类型：网络游戏产品虚假交易"]
    rule = GradingRule.objects.get(name="游戏交易")
    event = AuditEvent.objects.get(action="warning.grading_rule", object_id=str(rule.pk))
    assert "fraud_types" in event.fields and event.details["op"] == "create"
    listing = client.get(reverse("warning_rule_list")).content.decode()
    assert "游戏交易" in listing
    login(client, world.users["police_cg"])
    assert client.get(reverse("warning_rule_list")).status_code == 403


def test_it_refuses_a_negative_minimum_amount_and_offers_only_warning_types(db) -> None:  # type: ignore[no-untyped-def]
    from fanzha.warnings.forms import GradingRuleForm

    form = GradingRuleForm(
        data={"name": "负数", "grade": "high", "reason": "x", "position": 1, "min_amount": "-5"}
    )
    assert not form.is_valid() and "最低涉案金额不能为负数" in str(form.errors["min_amount"])
    offered = {code for code, _ in form.fields["fraud_types"].choices}
    assert "impersonate_authority" in offered and not offered & {"normal", "advertising"}


def test_a_person_who_called_a_fraud_number_back_once_is_graded_medium_not_low(db) -> None:  # type: ignore[no-untyped-def]
    """The seeded 回拨诈骗号码 rule: one call and one call back (a 号码研判 victim) is 中, said once."""
    once = grading.grade(grading.active_rules(), grading.Facts("", "screening", None, 30, 1, 1, False))
    assert (once.grade, once.reasons) == ("medium", ["回拨 1 次"])
    often = grading.grade(grading.active_rules(), grading.Facts("", "operator", None, 30, 4, 2, False))
    assert (often.grade, often.reasons) == ("high", ["被诈骗号码呼叫 4 次，回拨 2 次"])
