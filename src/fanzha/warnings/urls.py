from django.urls import path

from fanzha.warnings import views, views_export, views_field, views_rules

urlpatterns = [
    path("", views.warning_list, name="warning_list"),
    path("board/", views.warning_board, name="warning_board"),
    path("stats/", views.warning_stats, name="warning_stats"),
    path("mine/", views.warning_mine, name="warning_mine"),
    path("new/", views.warning_create, name="warning_create"),
    path("export.xlsx", views_export.warning_export, name="warning_export"),
    path("feedback/", views_export.warning_feedback, name="warning_feedback"),
    path("exports/", views_export.warning_exports, name="warning_exports"),
    path("exports/<int:pk>/download/", views_export.warning_export_download, name="warning_export_download"),
    path("<int:pk>/", views.warning_detail, name="warning_detail"),
    path("<int:pk>/acknowledge/", views_field.warning_acknowledge, name="warning_acknowledge"),
    path("<int:pk>/contact/", views_field.warning_contact, name="warning_contact"),
    path("<int:pk>/handover/", views_field.warning_handover, name="warning_handover"),
    path("<int:pk>/close/", views_field.warning_close, name="warning_close"),
    path("<int:pk>/place/", views_field.warning_place, name="warning_place"),
    path("<int:pk>/reveal/", views.warning_reveal, name="warning_reveal"),
    path("<int:pk>/note/", views_field.warning_note, name="warning_note"),
    path("photos/<int:pk>/", views_field.warning_photo, name="warning_photo"),
    path("rules/", views_rules.rule_list, name="warning_rule_list"),
    path("rules/new/", views_rules.rule_create, name="warning_rule_create"),
    path("rules/<int:pk>/", views_rules.rule_edit, name="warning_rule_edit"),
    path("types/", views_rules.type_alias_list, name="warning_type_alias_list"),
    path("types/<int:pk>/delete/", views_rules.type_alias_delete, name="warning_type_alias_delete"),
]
