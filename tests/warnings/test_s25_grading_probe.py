"""Grading rules and SLA clocks as the centre runs them (s25 probe).

Before: a reason template such as ``{age[0]}`` was saved and then failed the intake of every warning the
rule matched (TypeError); ages of 300 or a minimum above the maximum, a rule without any condition and a
copy of an existing rule were saved; the audit record named the changed fields but not what they were
before and after (a deleted rule left nothing of itself); the regraded warning's history line did not
say from which grade to which; a rule lowering a grade moved a deadline already missed, so a late 签收
counted as on time; and a warning reminded before its old deadline was not reminded before its new,
later one."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from fanzha.audit.models import AuditEvent
from fanzha.jobs.models import Notification
from fanzha.warnings import selectors
from fanzha.warnings.escalation import sla_check
from fanzha.warnings.models import EventKind, GradingRule, Warning
from fanzha.warnings.rules import grading_rule_delete, grading_rule_save, preview
from fanzha.warnings.workflow import warning_acknowledge, warning_close
from tests.personas import id_number, login
from tests.warnings.helpers import make_warning
from tests.warnings.test_rules import FORM
from tests.warnings.test_s20_handover_clock import _shift


def _post(client, **changes):  # type: ignore[no-untyped-def]
    data = {k: v for k, v in {**FORM, **changes}.items() if v is not None}
    return client.post(reverse("warning_rule_create"), data)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"reason": "{age[0]} 岁"}, "理由模板中的“{age[0]}”无法识别"),
        ({"reason": "类型 {type.upper}"}, "理由模板中的“{type.upper}”无法识别"),
        ({"reason": "呼叫 {calls:>99999} 次"}, "理由模板中的“{calls:&gt;99999}”无法识别"),
        ({"reason": r"号码 \d{3} 开头"}, "理由模板中的“{3}”无法识别"),
        ({"reason": "类型 {type"}, "理由模板中的花括号不成对"),
        ({"min_age": 300}, "最低年龄须在 0 至 150 岁之间（填写的是 300）"),
        ({"min_age": 80, "max_age": 60}, "最高年龄 60 小于最低年龄 80"),
        ({"fraud_types": None, "reason": "所有预警"}, "请至少设置一个条件"),
        (
            {"fraud_types": None, "min_age": 70, "grade": "high", "reason": "{age} 岁"},
            "与规则“高龄”的条件和等级完全相同",
        ),
    ],
)
def test_an_unusable_rule_is_refused_on_preview_and_on_save(world, client, changes, message) -> None:  # type: ignore[no-untyped-def]
    login(client, world.users["leader"])
    rules_before = GradingRule.objects.count()
    for button in ("preview", "save"):
        response = _post(client, **changes, **{button: "1"})
        assert response.status_code == 400, button
        assert message in response.content.decode(), button
    assert GradingRule.objects.count() == rules_before


def test_a_negative_age_is_refused_and_literal_braces_are_written_doubled(world, client) -> None:  # type: ignore[no-untyped-def]
    login(client, world.users["leader"])
    assert _post(client, min_age=-1, save="1").status_code == 400
    assert _post(client, reason="类型 {type}（{{模板}}）", save="1").status_code == 302
    warning = make_warning(1, id_number=id_number("331102", "20000101", "001"))
    assert warning.grade_reasons == ["类型 网络游戏产品虚假交易（{模板}）"]


def test_a_bad_template_stored_before_the_check_never_fails_an_intake(world) -> None:  # type: ignore[no-untyped-def]
    GradingRule.objects.create(name="旧规则", position=5, grade="high", reason="{age[0]} 岁", min_age=100)
    warning = make_warning(1, id_number=id_number("331102", "19200101", "001"))
    assert warning.grade == "high" and "{age[0]} 岁" in warning.grade_reasons


def test_who_may_edit_rules(world, client) -> None:  # type: ignore[no-untyped-def]
    rule = GradingRule.objects.get(name="高龄")
    for username in ("police_cg", "grid_cd"):
        login(client, world.users[username])
        assert _post(client, preview="1").status_code == 403
        edit = reverse("warning_rule_edit", kwargs={"pk": rule.pk})
        assert client.post(edit, {**FORM, "save": "1"}).status_code == 403
        assert client.post(edit, {"delete": "1"}).status_code == 403
    for username in ("leader", "analyst"):
        login(client, world.users[username])
        assert _post(client, preview="1").status_code == 200
    assert not GradingRule.objects.filter(name="游戏交易").exists()


def test_the_audit_record_says_who_changed_what_from_what_to_what(world) -> None:  # type: ignore[no-untyped-def]
    leader = world.users["leader"]
    rule = GradingRule.objects.get(name="高龄")
    rule.grade, rule.min_age = "urgent", 75
    grading_rule_save(actor=leader, rule=rule)
    event = AuditEvent.objects.filter(action="warning.grading_rule").latest("id")
    assert event.actor_username == "leader" and event.fields == ["grade", "min_age"]
    assert event.details["before"] == {"grade": "high", "min_age": 70}
    assert event.details["after"] == {"grade": "urgent", "min_age": 75}
    amount = GradingRule.objects.get(name="涉案金额")
    grading_rule_delete(actor=leader, rule=amount)
    deleted = AuditEvent.objects.filter(action="warning.grading_rule").latest("id")
    assert deleted.details["op"] == "delete"
    assert deleted.details["before"]["min_amount"] == "10000.00"
    assert deleted.details["before"]["grade"] == "high" and deleted.details["before"]["name"] == "涉案金额"


def test_a_regrade_names_the_old_and_new_grade_and_leaves_closed_warnings_alone(world) -> None:  # type: ignore[no-untyped-def]
    leader = world.users["leader"]
    open_one = make_warning(1)
    closed = make_warning(2)
    warning_close(actor=leader, warning=closed, outcome="invalid", reason="重复预警")
    candidate = GradingRule(
        name="游戏交易", position=5, grade="urgent", reason="类型：{type}", fraud_types=["game_trade"]
    )
    assert preview(actor=leader, candidate=candidate) == {"regraded": 1, "reasons_only": 0}
    _, updated = grading_rule_save(actor=leader, rule=candidate)
    assert updated == 1
    line = open_one.events.filter(kind=EventKind.GRADED).latest("id")
    assert line.message.startswith("定级规则修改后重新定级：中 → 紧急；")
    assert "类型：网络游戏产品虚假交易" in line.message
    assert line.data == {"grade_before": "medium", "grade": "urgent"}
    closed.refresh_from_db()
    assert closed.grade == "medium" and not closed.events.filter(kind=EventKind.GRADED).exists()


def _elderly_low(world) -> None:  # type: ignore[no-untyped-def]
    rule = GradingRule.objects.get(name="老年人")
    rule.grade = "low"
    grading_rule_save(actor=world.users["leader"], rule=rule)


def test_a_lower_grade_does_not_move_a_deadline_already_missed(world) -> None:  # type: ignore[no-untyped-def]
    warning = _shift(make_warning(1), 300)  # medium: 4 h to acknowledge, 5 h gone
    due_ack = warning.due_ack_at
    assert sla_check().escalated == 1
    _elderly_low(world)
    warning.refresh_from_db()
    assert warning.grade == "low" and warning.due_ack_at == due_ack  # missed under the rules of the day
    assert warning.due_contact_at == warning.clock_start + dt.timedelta(hours=72)  # still ahead: moves
    warning = warning_acknowledge(actor=world.users["grid_cd"], warning=warning, version=warning.version)
    (totals,) = selectors.summary(Warning.objects.all())
    assert (totals["acked_on_time"], totals["ack_due"]) == (0, 1)  # late, as it was
    assert sla_check().escalated == 0


def test_a_warning_reminded_before_its_old_deadline_is_reminded_once_before_its_new_one(world) -> None:  # type: ignore[no-untyped-def]
    warning = _shift(make_warning(1), 200)  # medium: reminded at 192 of 240 minutes
    assert sla_check().reminded == 1
    _elderly_low(world)
    warning.refresh_from_db()
    assert warning.due_ack_at == warning.clock_start + dt.timedelta(hours=24)
    assert not warning.ack_reminded
    assert sla_check().reminded == 0  # not yet: 80 % of 24 h
    later = warning.clock_start + dt.timedelta(hours=20)
    assert sla_check(later).reminded == 1
    assert sla_check(later + dt.timedelta(minutes=5)).reminded == 0
    reminders = Notification.objects.filter(
        recipient=world.users["grid_cd"], title__startswith="预警即将超时"
    )
    assert reminders.count() == 2
    assert sla_check(warning.due_ack_at + dt.timedelta(minutes=1)).escalated == 1


def test_the_service_refuses_what_the_page_refuses(world) -> None:  # type: ignore[no-untyped-def]
    rule = GradingRule(name="全部", position=5, grade="urgent", reason="所有")
    with pytest.raises(ValidationError):
        grading_rule_save(actor=world.users["leader"], rule=rule)
    assert not GradingRule.objects.filter(name="全部").exists()


def test_the_preview_places_a_new_rule_where_saving_puts_it(world) -> None:  # type: ignore[no-untyped-def]
    """A new rule at the position of an existing one comes after it once saved (a higher id): the preview
    put it first, and counted a warning whose reasons only changed order as changed."""
    leader = world.users["leader"]
    warning = make_warning(1, fraud_type="冒充公检法及政府机关")  # 69 岁 and its type: two reasons
    assert warning.grade_reasons == ["69 岁", "类型：冒充公检法及政府机关"]
    position = GradingRule.objects.get(name="老年人").position
    candidate = GradingRule(
        name="老年高危", position=position, grade="medium", reason="类型：{type}", min_age=65
    )
    predicted = preview(actor=leader, candidate=candidate)
    _, updated = grading_rule_save(actor=leader, rule=candidate)
    warning.refresh_from_db()
    assert warning.grade_reasons == ["69 岁", "类型：冒充公检法及政府机关"]
    assert (predicted, updated) == ({"regraded": 0, "reasons_only": 0}, 0)
