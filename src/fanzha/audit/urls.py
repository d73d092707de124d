from django.urls import path

from fanzha.audit import views

urlpatterns = [
    path("", views.audit_list, name="audit_list"),
    path("export.csv", views.audit_export, name="audit_export"),
    path("verify/", views.audit_verify, name="audit_verify"),
    path("<int:pk>/", views.audit_detail, name="audit_detail"),
]
