"""Forms. They validate shape only; rules live in services."""

from __future__ import annotations

from typing import Any

from django import forms

from fanzha.core.models import Area
from fanzha.core.models.areas import AreaLevel
from fanzha.core.models.persons import KeyGroup


class PhoneInput(forms.TextInput):
    """A phone number's box: ``type="tel"`` opens a phone's number pad (a text box opened its letters)
    and takes what people type (spaces, dashes, ``+86``, two numbers), as a text box does."""

    input_type = "tel"


class PersonForm(forms.Form):
    name = forms.CharField(label="姓名", max_length=50)
    id_number = forms.CharField(label="身份证号", max_length=30, required=False)
    phone = forms.CharField(label="手机号", max_length=30, required=False, widget=PhoneInput)
    address = forms.CharField(label="现住址", max_length=200, required=False)
    area = forms.ModelChoiceField(label="所属村(社区)/网格", queryset=Area.objects.none())
    key_groups = forms.MultipleChoiceField(
        label="重点人群", choices=KeyGroup.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    notes = forms.CharField(label="备注", widget=forms.Textarea(attrs={"rows": 3}), required=False)

    SENSITIVE = ("name", "id_number", "phone", "address")

    def __init__(
        self, *args: Any, areas: Any = None, masked: dict[str, str] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        for name, shown in (masked or {}).items():
            # Editing never prints a sensitive value in clear: blank keeps the stored value.
            self.fields[name].required = False
            self.fields[name].widget.attrs["placeholder"] = shown or "（空）"
            self.fields[name].help_text = "留空表示不修改"
        if areas is not None:
            self.fields["area"].queryset = areas.filter(level__in=[AreaLevel.VILLAGE, AreaLevel.GRID])
        for name, field in self.fields.items():
            if name != "key_groups":
                field.widget.attrs.setdefault("class", "form-control")
            field.widget.attrs.setdefault("autocomplete", "off")
