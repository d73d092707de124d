from __future__ import annotations

from typing import Any

from django import forms

MAX_FILES_PER_KIND = 12  # a year of monthly files


class ManyFilesInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class ManyFilesField(forms.FileField):
    """One or more files of one kind (operators deliver calls by month, SMS by day)."""

    widget = ManyFilesInput

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if not files:
            if self.required:
                raise forms.ValidationError(self.error_messages["required"], code="required")
            return []
        if len(files) > MAX_FILES_PER_KIND:
            raise forms.ValidationError(f"同一类文件最多 {MAX_FILES_PER_KIND} 个文件，本次 {len(files)} 个")
        return [super(ManyFilesField, self).clean(f, initial) for f in files]


class ExtractForm(forms.Form):
    calls = ManyFilesField(label="话单文件（必填，CSV 或 Parquet，可多选）")
    sms = ManyFilesField(label="短信记录（可选，可多选）", required=False)
    apps = ManyFilesField(label="上网流量记录（可选，可多选）", required=False)
    spending = ManyFilesField(label="消费记录（可选，可多选）", required=False)
