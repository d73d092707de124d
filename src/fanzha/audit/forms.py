"""The audit search form: non-personal filters only, so they may travel in the query string."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms

from fanzha.audit.events import EVENT_TYPES

# The years a search may name: year 1 in Beijing time is before year 1 in UTC, which no database stores.
FIRST_YEAR, LAST_YEAR = 1900, 9998


def action_choices() -> list[tuple[str, str]]:
    return [("", "全部事件"), *((code, f"{label}（{code}）") for code, label in EVENT_TYPES.items())]


class AuditSearchForm(forms.Form):
    start = forms.DateTimeField(
        label="起始时间", required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    end = forms.DateTimeField(
        label="截止时间", required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    actor = forms.CharField(label="操作人用户名", max_length=150, required=False)
    action = forms.ChoiceField(label="事件", choices=action_choices, required=False)
    object_type = forms.CharField(label="对象类型", max_length=60, required=False)
    object_id = forms.CharField(label="对象ID", max_length=64, required=False)
    ip = forms.CharField(label="IP", max_length=45, required=False)
    request_id = forms.CharField(label="请求ID", max_length=64, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            css = "form-select form-select-sm" if name == "action" else "form-control form-control-sm"
            field.widget.attrs.setdefault("class", css)
            field.widget.attrs.setdefault("autocomplete", "off")

    def clean_start(self) -> datetime | None:
        return _within_years(self.cleaned_data.get("start"), "起始时间")

    def clean_end(self) -> datetime | None:
        return _within_years(self.cleaned_data.get("end"), "截止时间")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and start > end:
            raise forms.ValidationError("起始时间不能晚于截止时间。")
        return cleaned

    def filters(self) -> dict[str, Any]:
        """The filters given, as the selector takes them (call after is_valid)."""
        return {name: value for name, value in self.cleaned_data.items() if value not in (None, "")}


def _within_years(value: datetime | None, label: str) -> datetime | None:
    if value is not None and not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise forms.ValidationError(f"{label}应在 {FIRST_YEAR} 年至 {LAST_YEAR} 年之间。")
    return value


def filters_for_log(filters: dict[str, Any]) -> dict[str, str]:
    """The same filters as JSON-safe text, for the details of "audit.search" / "audit.export"."""
    return {name: _text(value) for name, value in filters.items()}


def _text(value: Any) -> str:
    return value.isoformat() if isinstance(value, datetime) else str(value)
