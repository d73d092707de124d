"""Grading rules edited by the centre's analyst through the pages, at the edges.

Before: two analysts editing one rule at once, the second save silently overwrote the first; a rule
whose only condition was “呼叫次数不少于 0” (or 回拨 0) was saved and graded every warning; ``{level}``,
``{age}`` or ``{amount}`` on a rule that does not ask for them wrote “推送方预警级别：” with nothing after
it; an amount just under a threshold (49,999.60) read “涉案金额 50,000 元” in the reasons; and saving a
rule whose fraud type had left the typology dropped that type without a word, so the rule graded every
warning its other conditions matched; and a rule's page showed 正在转账 “不限” whatever the rule said (the
select did not mark 是 or 否), so saving the page dropped the condition. Then a page opened before
another analyst's save was refused naming nothing, what was typed lost, and 保存 clicked twice refused."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

from django.urls import reverse

from fanzha.audit.models import AuditEvent
from fanzha.warnings.models import GradingRule
from tests.personas import id_number, login
from tests.warnings.helpers import make_warning
from tests.warnings.test_rules import FORM


class _FormReader(HTMLParser):
    """What a browser would post of the page's form as it stands (no button)."""

    def __init__(self) -> None:
        super().__init__()
        self.data: dict[str, Any] = {}
        self._select: str | None = None
        self._first: str | None = (
            None  # a single select shows (and sends) its first option when none is chosen
        )
        self._chosen = False
        self._multiple = False

    def _add(self, name: str, value: str) -> None:
        self.data.setdefault(name, []).append(value)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "input" and a.get("name") and a.get("type") not in ("submit",):
            if a.get("type") == "checkbox":
                if "checked" in a:
                    self._add(a["name"], a.get("value") or "on")
            else:
                self._add(a["name"], a.get("value", ""))
        elif tag == "select":
            self._select, self._first, self._chosen = a.get("name"), None, False
            self._multiple = "multiple" in a
        elif tag == "option" and self._select:
            if self._first is None:
                self._first = a.get("value", "")
            if "selected" in a:
                self._add(self._select, a.get("value", ""))
                self._chosen = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "select" and self._select:
            if not self._chosen and not self._multiple and self._first is not None:
                self._add(self._select, self._first)
            self._select = None


def _page_of(response: Any) -> dict[str, Any]:
    reader = _FormReader()
    reader.feed(response.content.decode())
    return reader.data


def _page(client: Any, url: str) -> dict[str, Any]:
    return _page_of(client.get(url))


def _edit_url(rule: GradingRule) -> str:
    return reverse("warning_rule_edit", kwargs={"pk": rule.pk})


def _errors(response: Any) -> str:
    return " ".join(response.context["form"].non_field_errors())


def test_an_older_page_is_refused_naming_the_field_changed_and_keeps_what_was_typed(world, client) -> None:  # type: ignore[no-untyped-def]
    """The analyst's page was opened before the leader set 最低年龄 75; the analyst's 等级 紧急 is
    refused, naming 最低年龄, and the page shown again holds the leader's 75 and the analyst's 紧急, to save
    (before: “这条规则在您打开后已被修改”, naming nothing; the page kept its old stamp, so only the rule
    opened again — the typing lost — could be saved)."""
    rule = GradingRule.objects.get(name="高龄")
    login(client, world.users["analyst"])
    first = _page(client, _edit_url(rule))
    login(client, world.users["leader"])
    second = _page(client, _edit_url(rule))
    assert client.post(_edit_url(rule), {**second, "min_age": ["75"], "save": "1"}).status_code == 302
    login(client, world.users["analyst"])

    response = client.post(_edit_url(rule), {**first, "grade": ["urgent"], "save": "1"})

    assert response.status_code == 400
    message = _errors(response)
    assert "您打开本页后，最低年龄已被修改" in message and "等级" not in message
    rule.refresh_from_db()
    assert (rule.min_age, rule.grade) == (75, "high")  # the leader's change stands, the stale one not saved
    assert AuditEvent.objects.filter(action="warning.grading_rule", object_id=str(rule.pk)).count() == 1
    shown = _page_of(response)
    assert (shown["min_age"], shown["grade"]) == (["75"], ["urgent"])  # stored now; as typed
    assert client.post(_edit_url(rule), {**shown, "save": "1"}).status_code == 302  # as shown: saved
    rule.refresh_from_db()
    assert (rule.min_age, rule.grade) == (75, "urgent")
    event = AuditEvent.objects.filter(action="warning.grading_rule", object_id=str(rule.pk)).latest("id")
    assert event.fields == ["grade"] and event.details["before"] == {"grade": "high"}


def test_a_rule_page_saved_twice_is_saved_not_refused(world, client) -> None:  # type: ignore[no-untyped-def]
    """保存 clicked twice: the second post finds what the first stored — nothing of anyone's is lost.
    Before: refused (400), the first save having moved the rule's last save past the page's."""
    rule = GradingRule.objects.get(name="高龄")
    login(client, world.users["analyst"])
    data = {**_page(client, _edit_url(rule)), "min_age": ["72"], "min_amount": ["20000"], "save": "1"}

    assert client.post(_edit_url(rule), data).status_code == 302
    assert client.post(_edit_url(rule), data).status_code == 302

    rule.refresh_from_db()
    assert (rule.min_age, rule.min_amount) == (72, 20000)


def test_a_rule_changed_meanwhile_to_the_same_values_saves(world, client) -> None:  # type: ignore[no-untyped-def]
    """Another analyst saved the rule without changing what this page changes: nothing to lose."""
    rule = GradingRule.objects.get(name="高龄")
    login(client, world.users["analyst"])
    first = _page(client, _edit_url(rule))
    second = _page(client, _edit_url(rule))
    assert client.post(_edit_url(rule), {**second, "name": ["高龄老人"], "save": "1"}).status_code == 302

    response = client.post(_edit_url(rule), {**first, "name": ["高龄老人"], "max_age": ["120"], "save": "1"})

    assert response.status_code == 302
    rule.refresh_from_db()
    assert (rule.name, rule.max_age) == ("高龄老人", 120)


def test_a_stale_page_cannot_delete_a_rule_changed_since(world, client) -> None:  # type: ignore[no-untyped-def]
    rule = GradingRule.objects.get(name="高龄")
    login(client, world.users["analyst"])
    stale = _page(client, _edit_url(rule))
    fresh = _page(client, _edit_url(rule))
    assert client.post(_edit_url(rule), {**fresh, "min_age": ["75"], "save": "1"}).status_code == 302
    response = client.post(_edit_url(rule), {**stale, "delete": "1"})
    assert response.status_code == 400
    assert "您打开本页后，最低年龄已被修改" in _errors(response) and "未删除" in _errors(response)
    assert GradingRule.objects.filter(pk=rule.pk).exists()
    shown = _page_of(response)
    assert shown["min_age"] == ["75"]
    assert client.post(_edit_url(rule), {**shown, "delete": "1"}).status_code == 302  # seen: deleted
    assert not GradingRule.objects.filter(pk=rule.pk).exists()


def test_a_count_of_at_least_zero_is_no_condition(world, client) -> None:  # type: ignore[no-untyped-def]
    login(client, world.users["analyst"])
    for field in ("min_calls", "min_callbacks"):
        data = {**FORM, "fraud_types": [], field: 0, "reason": "呼叫 {calls} 次", "save": "1"}
        response = client.post(reverse("warning_rule_create"), data)
        assert response.status_code == 400, field
        assert "请至少设置一个条件" in response.content.decode()
    assert not GradingRule.objects.filter(name=FORM["name"]).exists()
    # beside a real condition, 0 is harmless and accepted
    data = {**FORM, "min_calls": 0, "save": "1"}
    assert client.post(reverse("warning_rule_create"), data).status_code == 302


def test_a_placeholder_the_rule_does_not_ask_for_is_refused(world, client) -> None:  # type: ignore[no-untyped-def]
    login(client, world.users["analyst"])
    for reason, names in (
        ("推送方预警级别：{level}", "推送方预警级别"),
        ("{age} 岁", "年龄"),
        ("涉案金额 {amount} 元", "最低涉案金额"),
    ):
        for button in ("preview", "save"):
            response = client.post(reverse("warning_rule_create"), {**FORM, "reason": reason, button: "1"})
            assert response.status_code == 400, (reason, button)
            body = response.content.decode()
            assert "只在规则设置了" in body and names in body, reason
    data = {**FORM, "reason": "类型：{type}，{level}", "pushed_levels": ["high"], "save": "1"}
    assert client.post(reverse("warning_rule_create"), data).status_code == 302
    # the seeded rules, each asking for what it writes, are saved again as they are
    rule = GradingRule.objects.get(name="推送方定为紧急")
    data = _page(client, _edit_url(rule))
    assert client.post(_edit_url(rule), {**data, "save": "1"}).status_code == 302


def test_an_amount_just_under_a_threshold_is_not_written_as_the_threshold(world) -> None:  # type: ignore[no-untyped-def]
    warning = make_warning(1, amount="49999.60", id_number=id_number("331102", "20000101", "001"))
    assert warning.grade == "high"  # 涉案金额 (≥ 10,000), not 大额涉案 (≥ 50,000)
    assert "涉案金额 49,999.60 元" in warning.grade_reasons
    whole = make_warning(2, amount="50000", id_number=id_number("331102", "20000101", "002"))
    assert whole.grade == "urgent" and "涉案金额 50,000 元" in whole.grade_reasons


def test_a_type_no_longer_in_the_typology_is_kept_when_the_rule_is_saved_again(world, client) -> None:  # type: ignore[no-untyped-def]
    rule = GradingRule.objects.create(
        name="旧类型高龄",
        position=5,
        grade="urgent",
        reason="类型：{type}",
        fraud_types=["retired_scam"],
        min_age=60,
    )
    login(client, world.users["analyst"])
    page = client.get(_edit_url(rule)).content.decode()
    assert "retired_scam" in page and "已不在诈骗类型表中" in page
    data = _page(client, _edit_url(rule))
    response = client.post(_edit_url(rule), {**data, "name": "旧类型高龄（改名）", "save": "1"})
    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.fraud_types == ["retired_scam"]  # not dropped: the rule still asks for that type
    listing = client.get(reverse("warning_rule_list")).content.decode()
    assert "类型：retired_scam（已不在诈骗类型表中）" in listing
    young_game = make_warning(1, id_number=id_number("331102", "19500101", "001"))
    assert young_game.grade != "urgent"


def test_the_page_shows_and_keeps_a_rules_transfer_condition(world, client) -> None:  # type: ignore[no-untyped-def]
    login(client, world.users["analyst"])
    transfer = GradingRule.objects.get(name="正在转账")  # seeded: 正在转账 是 → 紧急
    page = client.get(_edit_url(transfer)).content.decode()
    assert '<option value="true" selected>是</option>' in page
    data = _page(client, _edit_url(transfer))
    assert client.post(_edit_url(transfer), {**data, "position": ["200"], "save": "1"}).status_code == 302
    transfer.refresh_from_db()
    assert (transfer.position, transfer.transfer_in_progress) == (200, True)
    calm = GradingRule.objects.create(
        name="未转账的高龄",
        position=5,
        grade="medium",
        reason="{age} 岁",
        min_age=80,
        transfer_in_progress=False,
    )
    data = _page(client, _edit_url(calm))
    assert data["transfer_in_progress"] == ["false"]
    assert client.post(_edit_url(calm), {**data, "grade": ["high"], "save": "1"}).status_code == 302
    calm.refresh_from_db()
    assert (calm.grade, calm.transfer_in_progress) == ("high", False)
    data = {**FORM, "name": "不限转账", "transfer_in_progress": "unknown", "save": "1"}
    assert client.post(reverse("warning_rule_create"), data).status_code == 302
    assert GradingRule.objects.get(name="不限转账").transfer_in_progress is None
