from django.urls import path

from fanzha.cases import views, views_bank, views_funds, views_trace

urlpatterns = [
    path("", views.case_list, name="case_list"),
    path("new/", views.case_create, name="case_create"),
    path("<int:pk>/", views.case_detail, name="case_detail"),
    path("<int:pk>/edit/", views.case_edit, name="case_edit"),
    path("<int:pk>/status/", views.case_status, name="case_status"),
    path("<int:pk>/victims/add/", views.case_victim_add, name="case_victim_add"),
    path("<int:pk>/payments/add/", views.case_payment_add, name="case_payment_add"),
    path("<int:pk>/suspects/add/", views.case_suspect_add, name="case_suspect_add"),
    path("<int:pk>/result/", views.case_result, name="case_result"),
    path("<int:pk>/officer/", views.case_reassign, name="case_reassign"),
    path("<int:pk>/attachments/add/", views_funds.case_attachment_add, name="case_attachment_add"),
    path("<int:pk>/statements/add/", views_funds.case_statement_upload, name="case_statement_upload"),
    path("<int:pk>/returns/add/", views_funds.case_return_add, name="case_return_add"),
    path("attachments/<int:pk>/", views_funds.case_attachment, name="case_attachment"),
    path("statements/<int:pk>/map/", views_funds.case_statement_map, name="case_statement_map"),
    path("payments/<int:pk>/stop/", views_funds.case_payment_stop, name="case_payment_stop"),
    path("payments/<int:pk>/trace/", views_trace.case_trace, name="case_trace"),
    path("payments/<int:pk>/trace.csv", views_trace.case_trace_export, name="case_trace_export"),
    path("payments/<int:pk>/stop-downstream/", views_trace.case_stop_downstream, name="case_stop_downstream"),
    path("measures/<int:pk>/follow-up/", views_funds.case_measure_follow_up, name="case_measure_follow_up"),
    path(
        "measures/<int:pk>/follow-money/",
        views_funds.case_measure_follow_money,
        name="case_measure_follow_money",
    ),
    path("measures/<int:pk>/redirect/", views_funds.case_measure_redirect, name="case_measure_redirect"),
    path("measures/<int:pk>/release/", views_funds.case_measure_release, name="case_measure_release"),
    path("measures/<int:pk>/reveal/", views_bank.case_measure_reveal, name="case_measure_reveal"),
    path("returns/<int:pk>/done/", views_funds.case_return_done, name="case_return_done"),
    path("bank/", views_bank.case_bank_queue, name="case_bank_queue"),
    path("bank/<int:pk>/", views_bank.case_bank_measure, name="case_bank_measure"),
]
