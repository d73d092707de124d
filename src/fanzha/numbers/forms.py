from __future__ import annotations

from django import forms


class ExtractForm(forms.Form):
    calls = forms.FileField(label="话单文件（必填，CSV 或 Parquet）")
    sms = forms.FileField(label="短信记录（可选）", required=False)
    apps = forms.FileField(label="上网流量记录（可选）", required=False)
    spending = forms.FileField(label="消费记录（可选）", required=False)
