"""Account pages (second login step, password change, TOTP) and the system administrator's user pages."""

from django.urls import path

from fanzha.core.views import auth, users

urlpatterns: list = [
    path("login/code/", auth.login_totp, name="login_totp"),
    path("account/password/", auth.password_change, name="password_change"),
    path("account/totp/", auth.totp_setup, name="totp_setup"),
    path("account/totp/disable/", auth.totp_disable, name="totp_disable"),
    path("users/", users.user_list, name="user_list"),
    path("users/new/", users.user_create, name="user_create"),
    path("users/<int:pk>/roles/", users.user_edit_roles, name="user_edit_roles"),
    path("users/<int:pk>/edit/", users.user_edit, name="user_edit"),
    path("users/<int:pk>/deactivate/", users.user_deactivate, name="user_deactivate"),
    path("users/<int:pk>/password/", users.user_reset_password, name="user_reset_password"),
    path("users/<int:pk>/unlock/", users.user_unlock, name="user_unlock"),
    path("users/<int:pk>/totp/reset/", users.user_totp_reset, name="user_totp_reset"),
    path("users/<int:pk>/reactivate/", users.user_reactivate, name="user_reactivate"),
    path("users/imported/<int:pk>/passwords/", users.user_import_passwords, name="user_import_passwords"),
]
