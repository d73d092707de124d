"""Log in and out. Lockout (django-axes) and the optional TOTP step are enforced here."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_POST

from fanzha.audit.services import audit_record


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form):  # type: ignore[no-untyped-def]
        response = super().form_valid(form)
        self.request.session["fanzha_login_at"] = __import__("time").time()
        audit_record(actor=form.get_user(), action="login.success")
        return response


login_view = LoginView.as_view()


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        audit_record(actor=request.user, action="logout")
    return auth_views.LogoutView.as_view()(request)
