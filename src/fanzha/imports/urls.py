from django.urls import path

from fanzha.imports import views

urlpatterns = [
    path("", views.import_list, name="import_list"),
    path("new/<slug:importer>/", views.import_upload, name="import_upload"),
    path("new/<slug:importer>/template/", views.import_template, name="import_template"),
    path("<int:pk>/", views.import_detail, name="import_detail"),
    path("<int:pk>/errors.csv", views.import_errors, name="import_errors"),
    path("areas/import/", views.area_import, name="area_import"),
    path("areas/export/", views.area_export, name="area_export"),
]
