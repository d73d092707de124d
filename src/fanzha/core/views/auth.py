"""Log in and out, change one's password, the optional TOTP second factor.

Lockout (django-axes) counts wrong passwords and wrong TOTP codes alike; with TOTP on, the password
step only leaves the pending user id in the session and the code step completes the login.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods, require_POST

from fanzha.audit.services import audit_record
from fanzha.core import security
from fanzha.core.forms_users import (
    WRONG_CURRENT_PASSWORD,
    CodeForm,
    LoginForm,
    PasswordChangeForm,
    TotpEnableForm,
)
from fanzha.core.models import User
from fanzha.core.services import organisations as user_services

TOTP_SETUP_SECRET = "fanzha_totp_setup_secret"  # noqa: S105  (a session key)


def add_service_errors(form: Form, exc: ValidationError, default_field: str | None = None) -> None:
    """A service's ValidationError on the form, by field where the form has that field."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            target = field if field in form.fields else default_field
            form.add_error(target if target in form.fields else None, errors)
    else:
        form.add_error(default_field, exc.messages)


def complete_login(
    request: HttpRequest, user: User, next_url: str, backend: str | None = None
) -> HttpResponse:
    auth_login(request, user, backend=backend)
    security.session_started(request.session)
    audit_record(actor=user, action="login.success")
    if security.password_must_change(user):
        messages.warning(request, security.password_change_reason(user))
        return redirect("password_change")
    return HttpResponseRedirect(next_url)


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    form_class = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["session_expired"] = self.request.session.pop(security.EXPIRED_NOTICE, False)
        if self.request.session.pop(security.ORGANISATION_NOTICE, False):
            context["organisation_inactive"] = security.ORGANISATION_INACTIVE_MESSAGE
        context["failure_limit"] = settings.AXES_FAILURE_LIMIT
        return context

    def form_invalid(self, form):  # type: ignore[no-untyped-def]
        """The right password of a deactivated organisation's user: refused, and recorded (it is no
        guess, so it does not count towards the lockout)."""
        if form.has_error("__all__", security.ORGANISATION_INACTIVE_CODE):
            details = {"step": security.ORGANISATION_INACTIVE_CODE}
            audit_record(actor=form.get_user(), action="login.failure", details=details)
        return super().form_invalid(form)

    def form_valid(self, form):  # type: ignore[no-untyped-def]
        user = form.get_user()
        if security.totp_required(user):
            self.request.session.cycle_key()
            security.pending_login_set(self.request.session, user, user.backend, self.get_success_url())
            return redirect("login_totp")
        return complete_login(self.request, user, self.get_success_url())


login_view = LoginView.as_view()


def _pending_user(request: HttpRequest) -> tuple[User | None, dict | None]:
    pending = security.pending_login_get(request.session)
    if pending is None:
        return None, None
    user = User.objects.filter(pk=pending.get("id"), is_active=True).select_related("organisation").first()
    if user is None or not security.totp_required(user) or security.organisation_inactive(user):
        return None, None
    return user, pending


@never_cache
@csrf_protect
@require_http_methods(["GET", "POST"])
def login_totp(request: HttpRequest) -> HttpResponse:
    """Second step: the 6-digit code of the user whose password was just accepted."""
    if request.user.is_authenticated:
        return redirect(settings.LOGIN_REDIRECT_URL)
    user, pending = _pending_user(request)
    if user is None or pending is None:
        messages.info(request, "请输入用户名和密码。")
        return redirect("login")
    if not security.is_login_allowed(request, user.get_username()):
        return security.lockout_response(request)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if security.totp_consume(user, form.cleaned_data["code"]):  # each code logs in once only
            request.session.pop(security.PENDING, None)
            return complete_login(request, user, pending["next"], pending["backend"])
        security.record_failed_login(request, user.get_username(), "totp")
        if getattr(request, "axes_locked_out", False):
            return security.lockout_response(request)
        form.add_error("code", "动态口令不正确或已使用过，请核对手机时间，等待新的口令后重试")
    return render(request, "registration/login_totp.html", {"form": form, "login_url": resolve_url("login")})


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        audit_record(actor=request.user, action="logout")
    return auth_views.LogoutView.as_view()(request)


def _account_page_locked(request: HttpRequest) -> HttpResponse:
    """A locked account cannot keep guessing its password or its TOTP code on its own pages either:
    the session ends."""
    auth_logout(request)
    return security.lockout_response(request)


@login_required
@never_cache
def password_change(request: HttpRequest) -> HttpResponse:
    """A wrong current password counts as a failed login: after the limit the account is locked."""
    user = request.user
    if request.method == "POST" and not security.is_login_allowed(request, user.get_username()):
        return _account_page_locked(request)
    form = PasswordChangeForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            user_services.user_change_password(actor=user, user=user, password=form.cleaned_data["password"])
        except ValidationError as exc:
            add_service_errors(form, exc, "password")
        else:
            update_session_auth_hash(request, user)
            messages.success(request, "密码已修改。")
            return redirect(settings.LOGIN_REDIRECT_URL)
    elif form.has_error("old_password", WRONG_CURRENT_PASSWORD):
        security.record_failed_login(request, user.get_username(), "password_change")
        if getattr(request, "axes_locked_out", False):
            return _account_page_locked(request)
    reason = security.password_change_reason(user) if security.password_must_change(user) else ""
    status = 400 if request.method == "POST" else 200
    return render(
        request, "registration/password_change.html", {"form": form, "reason": reason}, status=status
    )


def _totp_page(request: HttpRequest, form: Form, status: int = 200) -> HttpResponse:
    """The enabled user's page turns TOTP off (a code), the others' turns it on (password and code)."""
    user = request.user
    context: dict[str, Any] = {"form": form, "enabled": user.totp_enabled}
    if not user.totp_enabled:
        secret = request.session.get(TOTP_SETUP_SECRET) or security.totp_new_secret()
        request.session[TOTP_SETUP_SECRET] = secret
        context.update(
            secret=security.totp_secret_display(secret),
            uri=security.totp_uri(user, secret),
            issuer=settings.TOTP_ISSUER,
        )
    return render(request, "registration/totp_setup.html", context, status=status)


def _require_totp_page(user: Any) -> None:
    if not (security.totp_allowed(user) or user.totp_enabled):
        raise PermissionDenied("account.totp")


@login_required
@never_cache
def totp_setup(request: HttpRequest) -> HttpResponse:
    """Shows a new secret and its otpauth:// address; the current password and a correct code from the
    app turn TOTP on. A wrong password counts as a failed login (as on the password page)."""
    user = request.user
    _require_totp_page(user)
    if user.totp_enabled:
        return _totp_page(request, CodeForm())
    if request.method != "POST":
        return _totp_page(request, TotpEnableForm(user=user))
    if not security.is_login_allowed(request, user.get_username()):
        return _account_page_locked(request)
    form = TotpEnableForm(request.POST, user=user)
    if form.is_valid():
        secret = request.session.get(TOTP_SETUP_SECRET, "")
        try:
            user_services.user_totp_enable(
                actor=user, user=user, secret=secret, code=form.cleaned_data["code"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc, "code")
        else:
            request.session.pop(TOTP_SETUP_SECRET, None)
            messages.success(request, "动态口令已启用，今后登录时须输入手机上的 6 位动态口令。")
            return redirect("totp_setup")
    elif form.has_error("password", WRONG_CURRENT_PASSWORD):
        security.record_failed_login(request, user.get_username(), "totp_enable")
        if getattr(request, "axes_locked_out", False):
            return _account_page_locked(request)
    return _totp_page(request, form, status=400)


@login_required
@require_POST
def totp_disable(request: HttpRequest) -> HttpResponse:
    """A wrong code counts as a failed login (as a wrong current password does on the password page):
    a session alone cannot guess its way to turning the second factor off."""
    _require_totp_page(request.user)
    if not request.user.totp_enabled:
        messages.info(request, "动态口令未启用。")
        return redirect("totp_setup")
    username = request.user.get_username()
    if not security.is_login_allowed(request, username):
        return _account_page_locked(request)
    form = CodeForm(request.POST)
    if form.is_valid():
        try:
            user_services.user_totp_disable(
                actor=request.user, user=request.user, code=form.cleaned_data["code"]
            )
        except ValidationError as exc:
            security.record_failed_login(request, username, "totp_disable")
            if getattr(request, "axes_locked_out", False):
                return _account_page_locked(request)
            add_service_errors(form, exc, "code")
        else:
            messages.success(request, "动态口令已停用。")
            return redirect("totp_setup")
    return _totp_page(request, form, status=400)
