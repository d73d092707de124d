"""The analyst's screening form and the administrator's key form. Rules live in the services."""

from __future__ import annotations

from typing import Any

from django import forms

from fanzha.core.models import Organisation
from fanzha.screen.bridge import MAX_ITEM_CHARS
from fanzha.screen.models import SCOPES


class ScreenForm(forms.Form):
    message = forms.CharField(
        label="短信、聊天内容或链接",
        strip=True,
        widget=forms.Textarea(
            attrs={
                "class": "form-control",
                "rows": 6,
                "placeholder": "粘贴收到的短信、聊天记录或可疑链接（只有一个链接时按网址筛查）",
                "data-testid": "screen-input",
            }
        ),
        error_messages={"required": "请粘贴要筛查的内容"},
        help_text=f"内容不会保存，也不会写入日志。超过 {MAX_ITEM_CHARS:,} 字时只筛查开头部分。",
    )


class ApiKeyForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label="所属单位", queryset=Organisation.objects.none(), empty_label="请选择单位"
    )
    name = forms.CharField(label="名称", max_length=100, help_text="例如：移动短信筛查对接、某银行反诈平台")
    rate_per_minute = forms.IntegerField(
        label="每分钟请求上限",
        min_value=1,
        max_value=6000,
        initial=60,
        help_text="每个权限范围分别计数；每次筛查请求最多 1000 条",
    )
    scopes = forms.MultipleChoiceField(
        label="权限范围",
        choices=list(SCOPES.items()),
        initial=["screen"],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "至少选择一项权限范围"},
        help_text="只勾选对接系统需要的接口",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.filter(is_active=True).order_by(
            "kind", "name"
        )
        for field in self.fields.values():
            if isinstance(field.widget, forms.CheckboxSelectMultiple):
                continue
            field.widget.attrs.setdefault(
                "class", "form-select" if isinstance(field, forms.ModelChoiceField) else "form-control"
            )
