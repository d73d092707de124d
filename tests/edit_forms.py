"""Submitting an edit form as a browser would: every field with the value the page showed (its hidden
edit token too), then the fields the user changed."""

from __future__ import annotations

from typing import Any

from django.db import models


def _posted(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, list | tuple | set | frozenset) or hasattr(value, "model"):
        return [_posted(v) for v in value]
    return "" if value is None else value


def as_shown(response: Any, **changes: Any) -> dict[str, Any]:
    """The POST data of the page's form (``response.context["form"]``) as opened, with ``changes``."""
    form = response.context["form"]
    data: dict[str, Any] = {}
    for field in form:
        value = field.value()
        if field.widget_type == "checkbox":
            if value:
                data[field.name] = "on"
            continue
        data[field.name] = _posted(value)
    data.update(changes)
    return {name: value for name, value in data.items() if value is not None}
