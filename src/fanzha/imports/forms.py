from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile


class UploadForm(forms.Form):
    file = forms.FileField(label="文件", help_text="CSV（UTF-8 或 GBK）、XLSX 或 XLS；第一行为表头")
    dry_run = forms.BooleanField(
        label="仅检查，不导入",
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),  # a row to tap on a phone
    )

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        if upload.size is not None and upload.size > settings.IMPORT_MAX_BYTES:
            limit = settings.IMPORT_MAX_BYTES // (1024 * 1024)
            raise forms.ValidationError(f"文件超过 {limit} MB 的大小限制，请拆分后分批导入")
        return upload
