from __future__ import annotations

from django import forms

MODES = [("working", "工作日（上班）"), ("holiday", "休息日（放假）"), ("default", "恢复法定安排")]


class CalendarDayForm(forms.Form):
    date = forms.DateField(
        label="日期", error_messages={"required": "请选择日期", "invalid": "日期格式应为 YYYY-MM-DD"}
    )
    mode = forms.ChoiceField(
        label="设为", choices=MODES, error_messages={"invalid_choice": "请选择工作日或休息日"}
    )
    name = forms.CharField(label="名称", max_length=50, required=False)
    note = forms.CharField(label="说明", max_length=200, required=False)
