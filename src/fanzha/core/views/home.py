"""The home page of each role, and the health endpoint."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from fanzha import __version__
from fanzha.core import selectors
from fanzha.core.roles import ROLES

# The first role (in this order) a user holds decides their home page.
HOME_ORDER = [
    "centre_leader",
    "centre_analyst",
    "unit_leader",
    "police_officer",
    "grid_worker",
    "bank_staff",
    "telecom_staff",
    "auditor",
    "sysadmin",
]


def home_role(role_codes: frozenset[str]) -> str:
    return next((code for code in HOME_ORDER if code in role_codes), "")


@login_required
def home(request: HttpRequest) -> HttpResponse:
    role = home_role(request.user.role_codes)  # type: ignore[union-attr]
    summary = selectors.home_summary(request.user)
    context = {
        "home_role": role,
        "home_role_name": ROLES[role].name if role else "未分配角色",
        "summary": summary,
        "chart_data": _chart_data(summary.get("breakdown", [])),
    }
    return render(request, f"core/home/{role or 'none'}.html", context)


def _chart_data(breakdown: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Series for the home charts: the same numbers as the tables beside them."""
    return [
        {
            "labels": [row["area"].name for row in item["rows"]],
            "total": [row["total"] for row in item["rows"]],
            "key": [row["key"] for row in item["rows"]],
        }
        for item in breakdown
        if item["rows"]
    ]


@require_GET
def health(request: HttpRequest) -> JsonResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        database = "ok"
    except Exception:  # noqa: BLE001 - any failure means unhealthy
        database = "error"
    status = 200 if database == "ok" else 503
    return JsonResponse(
        {"status": "ok" if status == 200 else "error", "database": database, "version": __version__},
        status=status,
    )
