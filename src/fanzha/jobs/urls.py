from django.urls import path

from fanzha.jobs.views import calendar, inbox, jobs

urlpatterns = [
    path("jobs/", jobs.job_list, name="job_list"),
    path("jobs/<int:pk>/", jobs.job_detail, name="job_detail"),
    path("inbox/", inbox.inbox, name="inbox"),
    path("inbox/<int:pk>/read/", inbox.notification_read, name="notification_read"),
    path("calendar/", calendar.calendar, name="calendar"),
    path("calendar/set/", calendar.calendar_set_day, name="calendar_set_day"),
]
