"""Jobs, inbox and calendar views in the permission matrix. Personas: see tests/matrix.py.

The job and the notification belong to the analyst; the leader of its centre sees the jobs of its
jurisdiction's units ("job.view_jurisdiction"), the admin every job ("job.view_all").
"""

from fanzha.jobs.models import Job, Notification
from fanzha.jobs.services import job_enqueue, notify
from tests.matrix import Case, everyone


def analyst_job(world):  # type: ignore[no-untyped-def]
    analyst = world.users["analyst"]
    job = Job.objects.filter(created_by=analyst).first()
    if job is None:
        job = job_enqueue(actor=analyst, kind="jobs.ping")
    return {"pk": job.pk}


def analyst_notification(world):  # type: ignore[no-untyped-def]
    analyst = world.users["analyst"]
    notification = Notification.objects.filter(recipient=analyst).first()
    if notification is None:
        notification = notify(recipients=[analyst], title="测试消息", body="").inbox[0]
    return {"pk": notification.pk}


#                           leader analyst p_cg p_lq g_cd g_sq bank tel  aud  admin head
CASES = {
    "job_list": Case(everyone(200)),
    "job_detail": Case("200 200 404 404 404 404 404 404 404 200 404", kwargs=analyst_job),
    "inbox": Case(everyone(200)),
    "notification_read": Case(
        "404 302 404 404 404 404 404 404 404 404 404", kwargs=analyst_notification, method="POST"
    ),
    "calendar": Case(everyone(200)),
    "calendar_set_day": Case(
        "302 302 403 403 403 403 403 403 403 302 403",
        method="POST",
        data={"date": "2025-10-08", "mode": "working", "name": "值班"},
    ),
}
