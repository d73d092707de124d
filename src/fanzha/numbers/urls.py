from django.urls import path

from fanzha.numbers import views

urlpatterns = [
    path("", views.run_list, name="numbers_run_list"),
    path("new/", views.run_upload, name="numbers_run_upload"),
    path("<int:pk>/", views.run_detail, name="numbers_run_detail"),
    path("<int:pk>/send/", views.run_send_warnings, name="numbers_send_warnings"),
    path("proposals/<int:pk>/decide/", views.proposal_decide, name="numbers_proposal_decide"),
]
