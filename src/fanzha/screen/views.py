"""The analyst's screening page, the typology page, and the administrator's API key pages."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from fanzha.core import access
from fanzha.core.views.auth import add_service_errors
from fanzha.screen import bridge, services
from fanzha.screen.forms import ApiKeyForm, ScreenForm
from fanzha.screen.models import ApiKey
from fanzha.screen.present import (
    ENTITY_LABELS,
    LEVEL_BADGES,
    LEVEL_LABELS,
    highlighted,
    masked_value,
    result_out,
)

USE = "screening.use"
MANAGE = services.MANAGE


def _result_context(value: str) -> dict[str, Any]:
    kind = bridge.guess_kind(value)
    bounded, cut = bridge.bound(value)
    result = bridge.screen([bounded], kind)[0]
    out = result_out(result, truncated=cut)
    fraud_type = bridge.fraud_type(result.category)
    return {
        "kind": kind,
        "result": out,
        "percent": round(out["score"] * 100),
        "level_label": LEVEL_LABELS.get(result.level, result.level),
        "level_badge": LEVEL_BADGES.get(result.level, "text-bg-secondary"),
        "fraud_type": fraud_type,
        "original": bounded,
        "marked": highlighted(result),
        "entities": [
            {
                "label": ENTITY_LABELS.get(e.kind, e.kind),
                "value": masked_value(e),
                "detail": e.detail.get("domain", ""),
            }
            for e in result.entities
        ],
    }


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def screen_page(request: HttpRequest) -> HttpResponse:
    """Paste a message or a link; see the score, the type, the evidence and the advice. Nothing is stored."""
    access.require(request.user, USE)
    form = ScreenForm(request.POST or None)
    context: dict[str, Any] = {"form": form}
    if request.method == "POST" and form.is_valid():
        try:
            context.update(_result_context(form.cleaned_data["message"]))
        except bridge.EngineUnavailable:
            form.add_error("message", "筛查引擎暂不可用，请稍后重试或联系系统管理员")
    if request.htmx:
        return render(request, "screen/_result.html", context)
    status = 400 if request.method == "POST" and not form.is_valid() else 200
    return render(request, "screen/screen.html", context, status=status)


@login_required
def typology_page(request: HttpRequest) -> HttpResponse:
    """Every fraud and illegal-promotion type with its description, typical scripts and advice."""
    types = bridge.typology()
    return render(request, "screen/typology.html", {"types": types.all()})


@login_required
def apikey_list(request: HttpRequest) -> HttpResponse:
    access.require(request.user, MANAGE)
    keys = ApiKey.objects.select_related("organisation", "created_by").order_by("revoked_at", "-created_at")
    return render(request, "screen/apikey_list.html", {"keys": keys})


@never_cache
@login_required
def apikey_issue(request: HttpRequest) -> HttpResponse:
    """Issue a key; the token is in this one answer (never stored, never in a URL or a message)."""
    access.require(request.user, MANAGE)
    form = ApiKeyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            key, token = services.api_key_issue(
                actor=request.user,
                organisation=data["organisation"],
                name=data["name"],
                rate_per_minute=data["rate_per_minute"],
                scopes=data["scopes"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return render(request, "screen/apikey_issued.html", {"key": key, "token": token})
    status = 400 if request.method == "POST" else 200
    return render(request, "screen/apikey_form.html", {"form": form}, status=status)


@login_required
@require_POST
def apikey_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    access.require(request.user, MANAGE)
    key = get_object_or_404(ApiKey, pk=pk)
    if services.api_key_revoke(actor=request.user, key=key):
        messages.success(request, f"已吊销密钥 {key}，使用它的请求将被拒绝。")
    else:
        messages.info(request, f"密钥 {key} 此前已吊销。")
    return redirect("apikey_list")
