"""The organisation form for system administrators; rules live in the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q

from fanzha.core.models import Area, Organisation
from fanzha.core.models.areas import AreaLevel
from fanzha.core.models.organisations import OrganisationKind


class OrganisationForm(forms.Form):
    name = forms.CharField(label="名称", max_length=120)
    kind = forms.ChoiceField(label="类型", choices=OrganisationKind.choices)
    area = forms.ModelChoiceField(label="所在区划", queryset=Area.objects.none())
    covered_areas = forms.ModelMultipleChoiceField(
        label="管辖区划",
        queryset=Area.objects.none(),
        required=False,
        help_text="留空则管辖所在区划及其下级；银行、运营商不按区划查看记录",
    )
    parent = forms.ModelChoiceField(label="上级单位", queryset=Organisation.objects.none(), required=False)
    code = forms.CharField(label="机构代码", max_length=32, required=False)
    contact_phone = forms.CharField(label="值班电话", max_length=32, required=False)
    is_active = forms.BooleanField(label="有效", required=False, initial=True)

    def __init__(self, *args: Any, exclude_pk: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Areas in force, and the retired (撤并) ones the unit being edited still sits in or covers.
        shown = Q(is_active=True)
        if exclude_pk is not None:
            unit = Organisation.objects.filter(pk=exclude_pk)
            shown |= Q(pk__in=unit.values("area")) | Q(pk__in=unit.values("covered_areas"))
        areas = Area.objects.exclude(level=AreaLevel.GRID).filter(shown).order_by("path")
        self.fields["area"].queryset = areas
        self.fields["covered_areas"].queryset = areas
        self.fields["parent"].queryset = Organisation.objects.exclude(pk=exclude_pk).order_by("name")
        self.fields["covered_areas"].widget.attrs["size"] = 10
        for name, field in self.fields.items():
            css = (
                "form-check-input"
                if name == "is_active"
                else "form-select"
                if name in {"kind", "area", "covered_areas", "parent"}
                else "form-control"
            )
            field.widget.attrs.setdefault("class", css)
