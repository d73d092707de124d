"""Forms for accounts: password change, TOTP codes, user management. Rules live in the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.db.models import Q

from fanzha.core import security
from fanzha.core.models import Organisation
from fanzha.core.roles import ROLE_CHOICES

WRONG_CURRENT_PASSWORD = "password_incorrect"  # noqa: S105  (an error code; counted as a failed login)
POLICY_HELP = "至少 8 位，须包含大写字母、小写字母、数字、特殊字符中的至少三类；不能与用户名相近或过于常见。"


def _style(form: forms.Form) -> None:
    for field in form.fields.values():
        if isinstance(field.widget, forms.CheckboxSelectMultiple):
            continue
        field.widget.attrs.setdefault("class", "form-control")


def _password_field(label: str, autocomplete: str = "new-password") -> forms.CharField:
    return forms.CharField(
        label=label,
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": autocomplete}),
    )


def _check_repeat(form: forms.Form) -> None:
    """The two entries of a new password must match."""
    first = form.cleaned_data.get("password")
    second = form.cleaned_data.get("password2")
    if first and second and first != second:
        form.add_error("password2", "两次输入的密码不一致")


class LoginForm(AuthenticationForm):
    """Django's login form; a user of a deactivated organisation is refused after the password checked
    out (only then: a wrong password says no more than for an unknown username)."""

    def confirm_login_allowed(self, user: Any) -> None:
        super().confirm_login_allowed(user)
        if security.organisation_inactive(user):
            raise forms.ValidationError(
                security.ORGANISATION_INACTIVE_MESSAGE, code=security.ORGANISATION_INACTIVE_CODE
            )


class PasswordChangeForm(forms.Form):
    old_password = _password_field("当前密码", "current-password")
    password = _password_field("新密码")
    password2 = _password_field("再次输入新密码")

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["password"].help_text = POLICY_HELP
        _style(self)

    def clean_old_password(self) -> str:
        old = self.cleaned_data["old_password"]
        if not self.user.check_password(old):
            raise forms.ValidationError("当前密码不正确", code=WRONG_CURRENT_PASSWORD)
        return old

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        _check_repeat(self)
        if cleaned.get("password") and cleaned.get("password") == cleaned.get("old_password"):
            self.add_error("password", "新密码不能与当前密码相同")
        return cleaned


class CodeForm(forms.Form):
    code = forms.CharField(
        label="动态口令",
        min_length=6,
        max_length=6,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9]{6}"}
        ),
        error_messages={
            "required": "请输入 6 位动态口令",
            "min_length": "动态口令为 6 位数字",
            "max_length": "动态口令为 6 位数字",
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style(self)

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].strip()
        if not code.isdigit():
            raise forms.ValidationError("动态口令为 6 位数字")
        return code


class TotpEnableForm(CodeForm):
    """Turning the second factor on: the current password (a session alone must not bind its own
    authenticator to the account), then a code of the new secret."""

    password = _password_field("当前密码", "current-password")
    field_order = ["password", "code"]

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["password"].error_messages["required"] = "请输入当前密码"
        self.fields["password"].widget.attrs.setdefault("class", "form-control")

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("当前密码不正确", code=WRONG_CURRENT_PASSWORD)
        return password


def _roles_field() -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label="角色",
        choices=ROLE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "至少选择一个角色", "invalid_choice": "未知角色：%(value)s"},
    )


class UserCreateForm(forms.Form):
    username = forms.CharField(label="用户名", max_length=150)
    display_name = forms.CharField(label="姓名", max_length=50, required=False)
    organisation = forms.ModelChoiceField(
        label="单位",
        queryset=Organisation.objects.none(),
        empty_label="请选择单位",
        error_messages={"required": "请选择单位", "invalid_choice": "请选择有效的单位"},
    )
    work_phone = forms.CharField(label="工作电话", max_length=32, required=False)
    roles = _roles_field()
    password = _password_field("初始密码")
    password2 = _password_field("再次输入初始密码")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.filter(is_active=True)
        self.fields["password"].help_text = POLICY_HELP + "用户首次登录时须修改。"
        for field in self.fields.values():
            field.widget.attrs.setdefault("autocomplete", "off")
        _style(self)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        _check_repeat(self)
        return cleaned


class UserDetailsForm(forms.Form):
    """编辑: an account's 姓名, 工作电话 and 单位 (a change of unit is a transfer, checked by the service)."""

    display_name = forms.CharField(label="姓名", max_length=50, required=False)
    work_phone = forms.CharField(label="工作电话", max_length=32, required=False)
    clear_work_phone = forms.BooleanField(
        label="删除工作电话",
        required=False,
        help_text="勾选后清除该用户的工作电话（如号码已停用或已收回）；不能同时填写新号码。",
    )
    organisation = forms.ModelChoiceField(
        label="单位",
        queryset=Organisation.objects.none(),
        empty_label="请选择单位",
        error_messages={"required": "请选择单位", "invalid_choice": "请选择有效的单位"},
        help_text="调动到其他单位前，该用户承办的未办结预警须先转交，未结案件须先改由他人承办或结案。",
    )

    def __init__(
        self, *args: Any, current: Organisation | None = None, phone_shown: str = "", **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        # As on the person form, the phone is never printed in clear: blank keeps the stored one.
        self.fields["work_phone"].widget.attrs["placeholder"] = phone_shown or "（空）"
        self.fields["work_phone"].help_text = "留空表示不修改；要删除号码请勾选下方“删除工作电话”"
        # Units in use, and the account's own even if deactivated (its name or phone can still change).
        in_use = Q(is_active=True) | Q(pk=current.pk) if current is not None else Q(is_active=True)
        self.fields["organisation"].queryset = Organisation.objects.filter(in_use).order_by("name")
        for field in self.fields.values():
            field.widget.attrs.setdefault("autocomplete", "off")
        _style(self)
        self.fields["clear_work_phone"].widget.attrs["class"] = "form-check-input"

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("clear_work_phone") and (cleaned.get("work_phone") or "").strip():
            self.add_error("work_phone", "不能同时填写新号码和删除工作电话，请只选其一")
        return cleaned

    def work_phone_change(self) -> str | None:
        """What the service is given: "" removes the phone, a number replaces it, None keeps it (blank:
        the stored number is never shown, so an untouched field must not erase it)."""
        if self.cleaned_data.get("clear_work_phone"):
            return ""
        return self.cleaned_data.get("work_phone") or None


class UserRolesForm(forms.Form):
    roles = _roles_field()


class PasswordResetForm(forms.Form):
    password = _password_field("临时密码")
    password2 = _password_field("再次输入临时密码")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["password"].help_text = POLICY_HELP + "用户下次登录时须修改。"
        _style(self)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        _check_repeat(self)
        return cleaned
