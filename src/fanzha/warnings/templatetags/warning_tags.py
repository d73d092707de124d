"""Small display helpers for the warning pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.utils import timezone

from fanzha.warnings.exports import area_name
from fanzha.warnings.selectors import home_figures

register = template.Library()

GRADE_CLASSES = {"urgent": "danger", "high": "warning", "medium": "info", "low": "secondary"}


@register.inclusion_tag("warnings/_home_card.html", takes_context=True)
def warnings_home(context: dict[str, Any]) -> dict[str, Any]:
    """The warning work on a role's home page (nothing for a user who neither works nor dispatches them)."""
    return {"figures": home_figures(context["user"]), "today": timezone.localdate().isoformat()}


@register.filter
def area_label(area: Any) -> str:
    """A village or grid with its township ("城关镇 · 城东社区"): a county has several 中山社区."""
    return area_name(area) if area is not None else ""


@register.filter
def grade_class(grade: str) -> str:
    return GRADE_CLASSES.get(grade, "secondary")


@register.filter
def time_left(due: dt.datetime | None) -> str:
    """ "剩 12 分钟" / "超时 3 小时"."""
    if due is None:
        return ""
    seconds = int((due - timezone.now()).total_seconds())
    prefix = "剩" if seconds >= 0 else "超时"
    seconds = abs(seconds)
    if seconds < 3600:
        amount = f"{max(seconds // 60, 1)} 分钟"
    elif seconds < 86400 * 2:
        amount = f"{seconds // 3600} 小时 {seconds % 3600 // 60} 分"
    else:
        amount = f"{seconds // 86400} 天"
    return f"{prefix} {amount}"


@register.filter
def overdue(due: dt.datetime | None) -> bool:
    return due is not None and due < timezone.now()


@register.filter
def duration(value: dt.timedelta | None) -> str:
    if value is None:
        return "—"
    minutes = int(value.total_seconds() // 60)
    return f"{minutes // 60} 小时 {minutes % 60} 分" if minutes >= 60 else f"{minutes} 分钟"


@register.filter
def follow_up_text(day: dt.date | None) -> str:
    """ "今天回访" / "回访 12-05" / "回访逾期 2 天"."""
    if day is None:
        return ""
    days = (day - timezone.localdate()).days
    if days == 0:
        return "今天回访"
    return f"回访 {day:%m-%d}" if days > 0 else f"回访逾期 {-days} 天"


@register.filter
def follow_up_due(day: dt.date | None) -> bool:
    return day is not None and day <= timezone.localdate()
