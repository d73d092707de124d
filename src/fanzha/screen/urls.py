from django.urls import path

from fanzha.screen import views

urlpatterns = [
    path("screen/", views.screen_page, name="screen"),
    path("screen/typology/", views.typology_page, name="screen_typology"),
    path("screen/keys/", views.apikey_list, name="apikey_list"),
    path("screen/keys/new/", views.apikey_issue, name="apikey_issue"),
    path("screen/keys/<int:pk>/revoke/", views.apikey_revoke, name="apikey_revoke"),
]
