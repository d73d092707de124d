"""Forms of the case pages; they only collect input, the services decide."""

from __future__ import annotations

from typing import Any

from django import forms

from fanzha.cases.common import parse_money
from fanzha.cases.models import Answer, Channel, ContactMethod, MeasureKind, SuspectKind, Victim
from fanzha.core.forms import PhoneInput
from fanzha.core.models import Organisation
from fanzha.core.models.organisations import OrganisationKind
from fanzha.warnings import typology

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def bootstrap(form: forms.Form) -> None:
    for field in form.fields.values():
        widget = field.widget
        css = "form-check-input" if isinstance(widget, forms.CheckboxInput) else "form-control"
        if isinstance(widget, forms.Select | forms.SelectMultiple):
            css = "form-select"
        widget.attrs.setdefault("class", css)


class MoneyField(forms.CharField):
    """Yuan as people type them (1,234.50 / １２３４ / 1234元) → fen; a phone shows its number pad."""

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        return {**super().widget_attrs(widget), "inputmode": "decimal"}

    def clean(self, value: Any) -> int | None:  # type: ignore[override]
        text = super().clean(value)
        if not text:
            return None
        try:
            return parse_money(text)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc


class CaseForm(forms.Form):
    fraud_type = forms.ChoiceField(label="诈骗类型", required=False)
    contact_method = forms.ChoiceField(label="接触方式", required=False)
    area = forms.ModelChoiceField(label="发案地", queryset=None)  # type: ignore[arg-type]
    occurred_at = forms.DateTimeField(label="发案时间", required=False, widget=DATETIME)
    reported_at = forms.DateTimeField(label="报案时间", widget=DATETIME)
    loss = MoneyField(label="损失金额（元）", max_length=30, required=False)
    summary = forms.CharField(label="简要案情", required=False, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args: Any, areas: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = areas  # type: ignore[attr-defined]
        self.fields["fraud_type"].choices = [("", "（待认定）"), *typology.choices()]
        self.fields["contact_method"].choices = [("", "（未知）"), *ContactMethod.choices]
        bootstrap(self)


class VictimForm(forms.Form):
    """A victim: found by ID number when already registered, else registered here."""

    name = forms.CharField(label="受害人姓名", max_length=50)
    id_number = forms.CharField(label="身份证号", max_length=30, required=False)
    phone = forms.CharField(label="手机号", max_length=30, required=False, widget=PhoneInput)
    address = forms.CharField(label="现住址", max_length=300, required=False)
    victim_loss = MoneyField(label="本人损失（元）", max_length=30, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bootstrap(self)


class CaseRegisterForm(CaseForm):
    name = forms.CharField(label="受害人姓名", max_length=50)
    id_number = forms.CharField(label="身份证号", max_length=30, required=False)
    phone = forms.CharField(label="手机号", max_length=30, required=False, widget=PhoneInput)
    address = forms.CharField(label="现住址", max_length=300, required=False)


class StatusForm(forms.Form):
    to = forms.ChoiceField(label="变更为")
    note = forms.CharField(label="说明", max_length=100, required=False)

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to"].choices = choices
        bootstrap(self)


class PaymentForm(forms.Form):
    victim = forms.ModelChoiceField(label="付款人", queryset=Victim.objects.none())
    paid_at = forms.DateTimeField(label="付款时间", widget=DATETIME)
    amount = MoneyField(label="金额（元）", max_length=30)
    channel = forms.ChoiceField(label="方式", choices=Channel.choices)
    to_account = forms.CharField(label="收款账号", max_length=60)
    to_name = forms.CharField(label="收款户名", max_length=60, required=False)
    to_bank = forms.CharField(label="收款银行/平台", max_length=60, required=False)
    from_account = forms.CharField(label="付款账号", max_length=60, required=False)
    reference = forms.CharField(label="交易流水号", max_length=100, required=False)

    def __init__(self, *args: Any, victims: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["victim"].queryset = victims  # type: ignore[attr-defined]
        bootstrap(self)


class SuspectForm(forms.Form):
    kind = forms.ChoiceField(label="类别", choices=SuspectKind.choices)
    value = forms.CharField(label="号码/账号/网址", max_length=300)
    note = forms.CharField(label="说明", max_length=200, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bootstrap(self)


class ResultForm(forms.Form):
    detained = forms.IntegerField(label="抓获嫌疑人（名）", min_value=0)
    note = forms.CharField(label="战果说明", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bootstrap(self)


class ReassignForm(forms.Form):
    """更换承办民警: the new officer among those who may work the case, and why."""

    officer = forms.ModelChoiceField(label="新承办民警", queryset=None)  # type: ignore[arg-type]
    reason = forms.CharField(label="更换原因", max_length=100, help_text="如休假、调动、工作量调整")

    def __init__(self, *args: Any, officers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = officers  # type: ignore[attr-defined]
        self.fields["officer"].label_from_instance = _officer_label  # type: ignore[attr-defined]
        bootstrap(self)


def _officer_label(user: Any) -> str:
    return f"{user} · {user.organisation.name}" if user.organisation_id else str(user)


def bank_choices() -> Any:
    return Organisation.objects.filter(kind=OrganisationKind.BANK, is_active=True).order_by("name")


class RedirectForm(forms.Form):
    """改发: the bank's current unit for a request whose unit was deactivated."""

    bank_org = forms.ModelChoiceField(label="改发至银行单位", queryset=Organisation.objects.none())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["bank_org"].queryset = bank_choices()  # type: ignore[attr-defined]
        bootstrap(self)


class FollowUpForm(forms.Form):
    """再次止付 / 转冻结 / 续冻 of a measure whose bank unit was deactivated: to the bank's current unit."""

    kind = forms.ChoiceField(label="措施")
    bank_org = forms.ModelChoiceField(
        label="发至银行单位（原单位已停用）", queryset=Organisation.objects.none()
    )
    reason = forms.CharField(label="事由", max_length=200, required=False)

    def __init__(self, *args: Any, kinds: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = kinds  # type: ignore[attr-defined]
        self.fields["bank_org"].queryset = bank_choices()  # type: ignore[attr-defined]
        bootstrap(self)


class MeasureForm(forms.Form):
    kind = forms.ChoiceField(label="措施", choices=MeasureKind.choices)
    amount = MoneyField(label="请求金额（元）", max_length=30)
    bank_org = forms.ModelChoiceField(label="接收请求的银行", queryset=Organisation.objects.none())
    reason = forms.CharField(label="事由", max_length=200, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["bank_org"].queryset = bank_choices()  # type: ignore[attr-defined]
        bootstrap(self)


class OnwardForm(forms.Form):
    """Stop-payments to the accounts the money moved on to: an amount for each (``amount_<n>``, the
    account's place in the bank's answer — no account number in the form's names); an account that
    cannot be asked now is shown, disabled, with why."""

    def __init__(self, *args: Any, accounts: list[Any], initial_fen: int | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        sendable = [a for a in accounts if not a.why_not]
        for n, account in enumerate(accounts):
            bank = account.bank_org or "开户行未识别"
            field = MoneyField(
                label=f"{account.masked}（{bank}）请求金额（元）",
                max_length=30,
                required=False,
                disabled=bool(account.why_not),
                help_text=account.why_not or "不向该账户申请时留空",
            )
            if len(sendable) == 1 and account is sendable[0] and initial_fen:
                field.initial = f"{initial_fen / 100:.2f}"
            self.fields[f"amount_{n}"] = field
        bootstrap(self)


class AnswerForm(forms.Form):
    answer = forms.ChoiceField(label="反馈结果", choices=Answer.choices)
    effective = MoneyField(label="止付/冻结金额（元）", max_length=30, required=False)
    # No default: the clock runs from it, and "now" is wrong whenever the answer is recorded late.
    executed_at = forms.DateTimeField(
        label="执行时间（已止付/已冻结时必填，按本行系统的执行时间填写）", required=False, widget=DATETIME
    )
    balance = forms.CharField(label="账户余额（元）", max_length=30, required=False)
    moved_to = forms.CharField(
        label="资金转入账号（已转出，或只止付/冻结了部分金额时）", max_length=200, required=False
    )
    note = forms.CharField(label="说明", max_length=200, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bootstrap(self)

    def clean_balance(self) -> int | None:
        text = self.cleaned_data.get("balance", "")
        if not text:
            return None
        if text.strip() in ("0", "0.00", "0元"):
            return 0
        try:
            return parse_money(text)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc


class StatementForm(forms.Form):
    file = forms.FileField(label="银行流水（CSV / XLSX）")
    account = forms.CharField(label="本方账号（流水中没有时填写）", max_length=60, required=False)
    bank_name = forms.CharField(label="开户行", max_length=60, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bootstrap(self)


class ReturnForm(forms.Form):
    victim = forms.ModelChoiceField(label="受害人", queryset=Victim.objects.none())
    measure = forms.ModelChoiceField(label="冻结措施", queryset=None, required=False)  # type: ignore[arg-type]
    amount = MoneyField(label="返还金额（元）", max_length=30)
    decided_on = forms.DateField(label="返还决定日期", widget=DATE)

    def __init__(self, *args: Any, victims: Any, measures: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["victim"].queryset = victims  # type: ignore[attr-defined]
        self.fields["measure"].queryset = measures  # type: ignore[attr-defined]
        bootstrap(self)


class ReturnDoneForm(forms.Form):
    returned_on = forms.DateField(label="实际返还日期", widget=DATE)
    amount = MoneyField(label="实际返还金额（元）", max_length=30)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bootstrap(self)


class AttachmentForm(forms.Form):
    title = forms.CharField(label="说明", max_length=100)
    file = forms.FileField(label="文件（图片或 PDF，≤ 10 MB）")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bootstrap(self)
