"""Forms of the warning pages; they only collect input, the services decide."""

from __future__ import annotations

import hashlib
import re
import secrets
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator

from fanzha.core.forms import PhoneInput
from fanzha.warnings import rules, typology, workflow
from fanzha.warnings.intake import DERIVED_ID_PREFIX, MAX_COUNT, SOURCES, text_limit
from fanzha.warnings.models import ContactKind, Grade, GradingRule, Outcome
from fanzha.warnings.photos import PHOTO_MAX_BYTES, PHOTO_MAX_COUNT

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
SOURCE_CHOICES = [(code, name) for code, (name, _) in SOURCES.items()]


def _bootstrap(form: forms.Form) -> None:
    for field in form.fields.values():
        widget = field.widget
        css = "form-check-input" if isinstance(widget, forms.CheckboxInput) else "form-control"
        if isinstance(widget, forms.Select | forms.SelectMultiple):
            css = "form-select"
        widget.attrs.setdefault("class", css)


_ENTRY = re.compile(r"[0-9a-f]{32}")


def new_entry() -> str:
    """The key of one opened entry form (:class:`WarningForm`'s hidden ``entry``)."""
    return secrets.token_hex(16)


def entry_source_id(entry: str, actor: Any) -> str:
    """The id a warning typed without 预警编号 is received under: the form it was typed in, so the same
    form sent twice (a double tap, the page sent again) is one warning, and the same person typed again in
    a new form is another report — merged into their open warning, or a new warning after it. Shown as
    无编号, like a file row's derived id. "" without a well-formed key (a hand-made request): the id is
    then derived from what was typed, as a file row's."""
    if not _ENTRY.fullmatch(entry or ""):
        return ""
    digest = hashlib.sha256(f"form:{getattr(actor, 'pk', '')}:{entry}".encode()).hexdigest()
    return DERIVED_ID_PREFIX + digest[:32]


TRANSFER_STATED = {"unknown": None, "true": True, "false": False}
TRANSFER_CHOICE_WRONG = "正在转账请选择 未知、是 或 否"


class TransferStatedField(forms.ChoiceField):
    """正在转账 as the clerk was told it: 未知 (nobody said; the default), 是 or 否 — cleaned to None, True or
    False. A checkbox could not record 否: unticked was unknown, so a grading rule on 正在转账 否 never
    matched a typed warning. A box ticked on a page opened before the choice replaced it sends ``on``: 是."""

    def __init__(self) -> None:
        super().__init__(
            label="正在转账",
            choices=[("unknown", "未知"), ("true", "是"), ("false", "否")],
            initial="unknown",
            required=False,
            error_messages={"invalid_choice": TRANSFER_CHOICE_WRONG},
        )

    def to_python(self, value: Any) -> str:
        text = super().to_python(value)
        return "true" if text == "on" else text or "unknown"

    def clean(self, value: Any) -> bool | None:
        return TRANSFER_STATED[super().clean(value)]


class WarningForm(forms.Form):
    """Manual entry (人工录入)."""

    entry = forms.CharField(required=False, initial=new_entry, widget=forms.HiddenInput)

    name = forms.CharField(label="姓名", max_length=text_limit("name"), required=False)
    id_number = forms.CharField(label="身份证号", max_length=30, required=False)
    phone = forms.CharField(label="手机号", max_length=30, required=False, widget=PhoneInput)
    address = forms.CharField(label="现住址", max_length=text_limit("address"), required=False)
    fraud_type = forms.ChoiceField(label="诈骗类型", required=False)
    source = forms.ChoiceField(label="预警来源", choices=SOURCE_CHOICES, initial="manual")
    source_id = forms.CharField(label="预警编号（可不填）", max_length=100, required=False)
    warned_at = forms.DateTimeField(label="预警时间", required=False, widget=DATETIME)
    amount = forms.CharField(label="涉案金额（元）", max_length=30, required=False)
    suspect_numbers = forms.CharField(
        label="嫌疑号码",
        max_length=text_limit("suspect_numbers"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    suspect_accounts = forms.CharField(
        label="嫌疑账号",
        max_length=text_limit("suspect_accounts"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    call_count = forms.IntegerField(label="被叫次数", min_value=0, max_value=MAX_COUNT, required=False)
    callback_count = forms.IntegerField(label="回拨次数", min_value=0, max_value=MAX_COUNT, required=False)
    transfer_in_progress = TransferStatedField()
    notes = forms.CharField(
        label="备注", max_length=text_limit("notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["fraud_type"].choices = [("", "（未知）"), *typology.choices()]
        _bootstrap(self)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = data if isinstance(data, list | tuple) else [data] if data else []
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


ARRIVAL_FORMAT = "请填写到达的日期和时间，如 2026-11-28 10:30"


class ArrivalField(forms.DateTimeField):
    """A visit's arrival: a date and a time. A date alone (a phone whose browser shows a text box, not a
    date-and-time picker) was taken as midnight, an arrival nobody made; a time alone had Django's
    “输入一个有效的日期/时间”."""

    default_error_messages = {"invalid": ARRIVAL_FORMAT}

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str) and value.strip() and ":" not in value:
            raise forms.ValidationError(f"{ARRIVAL_FORMAT}（只填了日期）", code="invalid")
        return super().to_python(value)


class ContactForm(forms.Form):
    # Named as the choice asked for, not Django's 这个字段是必填项 (which field? on a phone, a screen away).
    kind = forms.ChoiceField(
        label="方式",
        choices=ContactKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "请选择劝阻方式：电话劝阻或上门劝阻"},
    )
    outcome = forms.ChoiceField(
        label="结果",
        choices=Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "请选择劝阻结果"},
    )
    arrived_at = ArrivalField(label="到达时间（上门时填）", required=False, widget=DATETIME)
    notes = forms.CharField(
        label="情况说明（其中的身份证号、手机号、银行卡号保存时隐去）",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    follow_up_on = forms.DateField(label="回访日期", required=False, widget=DATE)
    photos = MultipleFileField(
        label=f"照片（JPEG/PNG/WebP，每张不超过 {PHOTO_MAX_BYTES // 2**20} MB，最多 {PHOTO_MAX_COUNT} 张）",
        required=False,
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)  # a double submit is refused

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("arrived_at", "notes", "follow_up_on", "photos"):
            self.fields[name].widget.attrs.setdefault("class", "form-control")

    def clean(self) -> dict[str, Any]:
        """A call has no arrival time: one typed in the box (上门时填) before 电话劝阻 was chosen is
        ignored, not checked — a date alone or a time ahead refused the call with a visit's message."""
        data = super().clean() or {}
        if data.get("kind") == ContactKind.CALL:
            self._errors.pop("arrived_at", None)
            data["arrived_at"] = None
        return data

    @property
    def arrival_ignored(self) -> bool:
        """Whether an arrival time was typed for a call (and not kept): the worker is told, in case the
        contact was a visit after all."""
        if not self.is_bound or self.cleaned_data.get("kind") != ContactKind.CALL:
            return False
        return str(self.data.get(self.add_prefix("arrived_at"), "")).strip() != ""

    def clean_photos(self) -> list[Any]:
        """Count and size from the upload itself, before any photo is read into memory."""
        photos = self.cleaned_data["photos"]
        if len(photos) > PHOTO_MAX_COUNT:
            raise forms.ValidationError(f"最多上传 {PHOTO_MAX_COUNT} 张照片")
        if too_big := [photo for photo in photos if photo.size > PHOTO_MAX_BYTES]:
            raise forms.ValidationError(_too_big(too_big, len(photos)))
        # refused with the form's other problems: found only once they were put right, it took the
        # worker a second round (told meanwhile to choose the same file again)
        for photo in photos:
            if why := _not_like_a_photo(photo):
                raise forms.ValidationError(photo_named(photo, why, len(photos)))
        return list(photos)


def photo_named(upload: Any, why: str, chosen: int) -> str:
    """Why a photo is refused, naming it when several were chosen: the worker leaves that one out."""
    return why if chosen == 1 else f"所选 {chosen} 张中的 {str(upload.name)[-40:]}：{why}"


def _too_big(uploads: list[Any], chosen: int) -> str:
    """Which of the photos chosen are over the size limit — six chosen at once, the worker was told only
    “照片不能超过 5 MB”, not which to leave out or send smaller."""
    limit = f"照片不能超过 {PHOTO_MAX_BYTES // 1024 // 1024} MB"
    if chosen == 1:
        return limit
    names = "、".join(f"{str(u.name)[-40:]}（{u.size / 2**20:.1f} MB）" for u in uploads)
    return f"{limit}，所选 {chosen} 张中超过的有：{names}"


def _not_like_a_photo(upload: Any) -> str:
    """Why an upload's first bytes are no JPEG's, PNG's or WebP's ("" when they are: the service decodes
    it whole) — an iPhone's HEIC photo told what to do about it."""
    head = upload.read(16)
    upload.seek(0)
    try:
        workflow.photo_type(head)
    except ValidationError as exc:
        return " ".join(exc.messages)
    return ""


HAND_BACK = "centre"  # 转交给: back to the centre's queue (退回反诈中心重新分派), chosen as such


class HandoverForm(forms.Form):
    # Nothing chosen in advance: 退回反诈中心 preselected was what a hurried 确定 did — the warning left the
    # unit for the centre's queue and its clock started again. A choice no longer offered: the person was
    # deactivated or moved while the form was open (the default message named their id).
    to_user = forms.ChoiceField(
        label="转交给",
        error_messages={
            "required": "请选择转交给谁：本辖区的民警或网格员，或退回反诈中心重新分派",
            "invalid_choice": "您选择的人员已不能接收该预警（账户停用或已调离），请重新选择",
        },
    )
    reason = forms.CharField(
        label="转交原因",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "请填写转交原因"},  # not Django's 这个字段是必填项 (the service's words)
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)  # a second tap is refused

    def __init__(
        self,
        *args: Any,
        candidates: list[tuple[int, str]],
        held_by: tuple[int, str] | None = None,
        **kwargs: Any,
    ) -> None:
        """``held_by``: the current assignee's id and how to name them (“您本人”, “张三”), left out of the
        choices — chosen all the same (a stale page, a hand-made request), the form says so, not that the
        person was deactivated or moved."""
        super().__init__(*args, **kwargs)
        self.fields["to_user"].choices = [("", "请选择"), (HAND_BACK, "退回反诈中心重新分派"), *candidates]
        if held_by is not None and self.data.get("to_user") == str(held_by[0]):
            self.fields["to_user"].error_messages["invalid_choice"] = (
                f"该预警现由{held_by[1]}承办，不能转交给现承办人；请选择其他人员，或退回反诈中心"
            )
        _bootstrap(self)


class CloseForm(forms.Form):
    # No outcome chosen in advance: 劝阻成功 preselected was what a hurried 确定 recorded, whatever happened.
    outcome = forms.ChoiceField(label="处置结果", choices=[("", "请选择"), *Outcome.choices])
    reason = forms.CharField(
        label="办结说明",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "请填写办结说明"},
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)  # a second tap is refused

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _bootstrap(self)


class PlaceForm(forms.Form):
    # Nothing chosen in advance: the county's first village preselected was what a hurried 确定 did — the
    # warning routed there, and the placement remembered for its address sent the next ones there too.
    area = forms.ChoiceField(
        label="村（社区）或网格",
        error_messages={
            "required": "请选择该预警当事人所在的村（社区）或网格",
            "invalid_choice": "您选择的村（社区）或网格已撤并或不在您的辖区内，请重新选择",
        },
    )

    def __init__(self, *args: Any, areas: list[tuple[str, list[tuple[int, str]]]], **kwargs: Any) -> None:
        """``areas``: the villages and grids grouped by township, ``[(township, [(pk, name), …]), …]``."""
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = [("", "请选择"), *areas]
        _bootstrap(self)


class TransferSelect(forms.NullBooleanSelect):
    """不限 / 是 / 否, the rule's own choice selected: a plain Select marked neither True nor False (it
    compares "True" with "true"), so the page showed 不限 and saving it dropped the condition."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.choices = [("unknown", "不限"), ("true", "是"), ("false", "否")]


RETIRED_TYPE = "{code}（已不在诈骗类型表中）"


def _rule_type_choices(rule: GradingRule) -> list[tuple[str, str]]:
    """The typology's types, and any type the rule already names that the typology no longer has: kept
    chosen as it is, not dropped on the next save (the rule then graded whatever else it matched)."""
    known = typology.choices()
    codes = {code for code, _ in known}
    gone = [code for code in rule.fraud_types or [] if code not in codes]
    return known + [(code, RETIRED_TYPE.format(code=code)) for code in gone]


class GradingRuleForm(forms.ModelForm):
    fraud_types = forms.MultipleChoiceField(label="诈骗类型（不选则不限）", required=False)
    sources = forms.MultipleChoiceField(
        label="预警来源（不选则不限）", choices=SOURCE_CHOICES, required=False
    )
    pushed_levels = forms.MultipleChoiceField(
        label="推送方预警级别（推送清单的“预警级别”列；不选则不限）", choices=Grade.choices, required=False
    )
    transfer_in_progress = forms.NullBooleanField(label="正在转账", required=False, widget=TransferSelect)

    class Meta:
        model = GradingRule
        fields = rules.RULE_FIELDS
        help_texts = {"reason": "可用 {age} {amount} {calls} {callbacks} {type} {source} {level}"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["fraud_types"].choices = _rule_type_choices(self.instance)
        amount = self.fields["min_amount"]
        amount.validators.append(MinValueValidator(0, "最低涉案金额不能为负数"))
        amount.widget.attrs["min"] = "0"
        _bootstrap(self)


class FeedbackForm(forms.Form):
    source = forms.ChoiceField(label="预警来源")
    start = forms.DateField(label="起始日期", widget=DATE)
    end = forms.DateField(label="截止日期", widget=DATE)
    format = forms.ChoiceField(label="格式", choices=[("xlsx", "Excel (XLSX)"), ("csv", "CSV")])

    def __init__(self, *args: Any, sources: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = sources
        _bootstrap(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise forms.ValidationError("起始日期不能晚于截止日期")
        return data
