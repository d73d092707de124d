"""Grading rules in the UI: list, edit with a preview of the open warnings a change would regrade; the
centre's fraud-type table (诈骗类型对照). Both grade and type the warnings of every county the platform
serves: every centre reads them, only the top centre changes them (``access.may_change_shared_rules``)."""

from __future__ import annotations

import copy
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from fanzha.core import access
from fanzha.core.models import Organisation
from fanzha.core.views import edit_conflicts
from fanzha.warnings import rules, type_aliases, typology
from fanzha.warnings.forms import RETIRED_TYPE, GradingRuleForm
from fanzha.warnings.intake import source_label
from fanzha.warnings.models import FraudTypeAlias, Grade, GradingRule

READ_ONLY = "定级规则和诈骗类型对照适用于本平台所有区县的预警，由{centres}维护；本中心只能查看。"
NO_TOP_CENTRE = (
    "定级规则和诈骗类型对照适用于本平台所有区县的预警，只能由覆盖其他所有反诈中心的上级反诈中心修改；"
    "本平台尚无这样的中心，暂时无人可以修改。请系统管理员在上级区划（如市）建立反诈中心单位并开设账户。"
)


def read_only_note(user: object) -> str:
    """Why ``user`` may read but not change the shared rules ("" when they may change them)."""
    if access.may_change_shared_rules(user):
        return ""
    top = Organisation.objects.filter(pk__in=access.top_centre_ids()).order_by("name")
    names = "、".join(unit.name for unit in top)
    return READ_ONLY.format(centres=names) if names else NO_TOP_CENTRE


def _shared_context(user: object) -> dict[str, object]:
    note = read_only_note(user)
    return {"may_change": not note, "read_only_note": note}


@login_required
def rule_list(request: HttpRequest) -> HttpResponse:
    access.require(request.user, access.SHARED_RULES)
    labels = dict(typology.choices())
    items = [
        (
            rule,
            "、".join(labels.get(code) or RETIRED_TYPE.format(code=code) for code in rule.fraud_types),
            "、".join(source_label(code) for code in rule.sources),
            "、".join(Grade(code).label for code in rule.pushed_levels if code in Grade.values),
        )
        for rule in GradingRule.objects.order_by("position", "id")
    ]
    return render(request, "warnings/rule_list.html", {"items": items, **_shared_context(request.user)})


RULE_LABELS = {
    "name": "名称",
    "enabled": "启用",
    "position": "顺序",
    "grade": "等级",
    "reason": "理由模板",
    "fraud_types": "诈骗类型",
    "sources": "预警来源",
    "pushed_levels": "推送方预警级别",
    "min_age": "最低年龄",
    "max_age": "最高年龄",
    "min_amount": "最低涉案金额",
    "min_calls": "被诈骗号码呼叫次数",
    "min_callbacks": "回拨次数",
    "transfer_in_progress": "正在转账",
}
DELETE_REFUSED = (
    "您打开本页后，{fields}已被修改（其他用户保存）。为免删除您没有看到的修改，这条规则未删除；"
    "下方已换成现在的内容，请核对后再决定是否删除。"
)
LISTS = ("fraud_types", "sources", "pushed_levels")
FEN = Decimal("0.01")


def _stored(rule: GradingRule) -> dict[str, object]:
    """What the rule's form writes, as stored now (its edit token's values): the lists of types, sources
    and levels sorted (the order they were ticked in changes nothing), the amount to the fen (“20000”
    typed is the “20000.00” stored)."""
    values: dict[str, object] = {name: getattr(rule, name) for name in rules.RULE_FIELDS}
    for name in LISTS:
        values[name] = sorted(getattr(rule, name) or [])
    if rule.min_amount is not None:
        values["min_amount"] = Decimal(rule.min_amount).quantize(FEN)
    return values


def _form(rule: GradingRule | None, data: object = None) -> GradingRuleForm:
    """The rule's form, with its edit token. The form writes what is typed onto a copy of ``rule``:
    ``rule`` stays the rule as stored, which the save's check reads again."""
    form = GradingRuleForm(data, instance=copy.copy(rule))
    if rule is not None:
        edit_conflicts.carry_token(form, rule, _stored)
    return form


def _refused(
    rule: GradingRule, changed: edit_conflicts.Changed, typed: GradingRuleForm | None = None
) -> GradingRuleForm:
    """The form again with the rule as stored now, saying which fields changed since the page was
    opened; a refused save keeps what was typed in the others (``typed``), a refused deletion not."""
    if typed is None:
        message = edit_conflicts.refused_message(changed, RULE_LABELS, template=DELETE_REFUSED)
        return edit_conflicts.show_refused(_form(rule), message)
    message = edit_conflicts.refused_message(changed, RULE_LABELS)
    return edit_conflicts.show_refused(_form(rule), message, typed, edit_conflicts.unchanged(changed))


def _saved(request: HttpRequest, regraded: int) -> HttpResponse:
    messages.success(request, f"规则已保存，{regraded} 条未办结预警的等级或理由随之更新。")
    return redirect("warning_rule_list")


def _rule_form(request: HttpRequest, rule: GradingRule | None) -> HttpResponse:
    access.require_shared_rules(request.user)
    form = _form(rule, request.POST or None)
    preview = None
    if request.method == "POST" and "delete" in request.POST and rule is not None:
        try:
            changed, count = edit_conflicts.save_unless_changed(
                request, rule, _stored, lambda: rules.grading_rule_delete(actor=request.user, rule=rule)
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if not changed:
                messages.success(request, f"规则已删除，{count} 条未办结预警已重新定级。")
                return redirect("warning_rule_list")
            form = _refused(rule, changed)
    elif request.method == "POST" and form.is_valid():
        candidate = form.save(commit=False)
        try:
            if "preview" in request.POST:
                preview = rules.preview(actor=request.user, candidate=candidate)
            elif rule is None:
                _, regraded = rules.grading_rule_save(actor=request.user, rule=candidate)
                return _saved(request, regraded)
            else:
                changed, saved = edit_conflicts.save_unless_changed(
                    request,
                    rule,
                    _stored,
                    lambda: rules.grading_rule_save(actor=request.user, rule=candidate),
                    lambda _: _stored(candidate),
                )
                if saved is not None:
                    return _saved(request, saved[1])
                form = _refused(rule, changed, form)
        except ValidationError as exc:
            form.add_error(None, exc)
    status = 400 if request.method == "POST" and form.errors else 200
    return render(
        request, "warnings/rule_form.html", {"form": form, "rule": rule, "preview": preview}, status=status
    )


@login_required
def rule_create(request: HttpRequest) -> HttpResponse:
    return _rule_form(request, None)


@login_required
def rule_edit(request: HttpRequest, pk: int) -> HttpResponse:
    access.require_shared_rules(request.user)
    return _rule_form(request, get_object_or_404(GradingRule, pk=pk))


class TypeAliasForm(forms.Form):
    text = forms.CharField(
        label="来单写法",
        max_length=60,
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
    )
    fraud_type = forms.ChoiceField(
        label="对应诈骗类型", widget=forms.Select(attrs={"class": "form-select form-select-sm"})
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["fraud_type"].choices = [("", "请选择"), *typology.choices()]


@login_required
def type_alias_list(request: HttpRequest) -> HttpResponse:
    """The table, and a form adding an entry (re-typing the open warnings received with it)."""
    access.require(request.user, type_aliases.PERMISSION)
    if request.method == "POST":
        access.require_shared_rules(request.user)
    form = TypeAliasForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            saved = type_aliases.fraud_type_alias_save(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error("text", exc.messages)
        else:
            messages.success(
                request,
                f"已保存：“{saved.alias.text}”→“{typology.label(saved.alias.fraud_type)}”；"
                f"{saved.retyped} 条未办结预警已更正类型，其中 {saved.regraded} 条等级随之改变。",
            )
            return redirect("warning_type_alias_list")
    labels = dict(typology.choices())
    items = [
        (alias, labels.get(alias.fraud_type, alias.fraud_type)) for alias in FraudTypeAlias.objects.all()
    ]
    status = 400 if form.errors else 200
    context = {"form": form, "items": items, **_shared_context(request.user)}
    return render(request, "warnings/type_alias_list.html", context, status=status)


@login_required
def type_alias_delete(request: HttpRequest, pk: int) -> HttpResponse:
    access.require_shared_rules(request.user)
    alias = get_object_or_404(FraudTypeAlias, pk=pk)
    if request.method != "POST":
        return redirect("warning_type_alias_list")
    type_aliases.fraud_type_alias_delete(actor=request.user, alias=alias)
    messages.success(request, f"已删除对照“{alias.text}”；已更正类型的预警保持不变。")
    return redirect("warning_type_alias_list")
