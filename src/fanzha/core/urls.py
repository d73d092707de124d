from django.urls import path

from fanzha.core.views import auth, directory, home, organisations, persons

urlpatterns = [
    path("", home.home, name="home"),
    path("healthz", home.health, name="health"),
    path("login/", auth.login_view, name="login"),
    path("logout/", auth.logout_view, name="logout"),
    path("people/", persons.person_list, name="person_list"),
    path("people/new/", persons.person_create, name="person_create"),
    path("people/export.csv", persons.person_export, name="person_export"),
    path("people/<int:pk>/", persons.person_detail, name="person_detail"),
    path("people/<int:pk>/edit/", persons.person_edit, name="person_edit"),
    path("people/<int:pk>/reveal/", persons.person_reveal, name="person_reveal"),
    path("areas/", directory.area_list, name="area_list"),
    path("areas/<int:pk>/", directory.area_detail, name="area_detail"),
    path("organisations/", directory.organisation_list, name="organisation_list"),
    path("organisations/new/", organisations.organisation_create, name="organisation_create"),
    path("organisations/<int:pk>/", directory.organisation_detail, name="organisation_detail"),
    path("organisations/<int:pk>/edit/", organisations.organisation_edit, name="organisation_edit"),
]
