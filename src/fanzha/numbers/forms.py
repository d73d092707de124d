from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings

from fanzha.numbers.services import MAX_FILES_PER_KIND, shown_name, too_large

ACCEPT = ".csv,.csv.gz,.gz,.parquet,.pq"  # the file chooser's filter (.gz: browsers match the last dot)


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
        for upload in files:  # before any is read; named, as one of a month's files may be the culprit
            _check_size(upload)
        return [super(ManyFilesField, self).clean(f, initial) for f in files]


def _check_size(upload: Any) -> None:
    """Not empty, not past the upload limit: the refusal names the file (any number in it masked)."""
    size = getattr(upload, "size", 0) or 0
    if not size:
        raise forms.ValidationError(f"“{shown_name(upload.name)}”是空文件（0 字节），未保存")
    if size > settings.IMPORT_MAX_BYTES:
        raise forms.ValidationError(too_large(upload.name, size))


class ExtractForm(forms.Form):
    calls = ManyFilesField(label="话单文件（必填，CSV、gzip 压缩的 .csv.gz 或 Parquet，可多选）")
    sms = ManyFilesField(label="短信记录（可选，可多选）", required=False)
    apps = ManyFilesField(label="上网流量记录（可选，可多选）", required=False)
    spending = ManyFilesField(label="消费记录（可选，可多选）", required=False)
