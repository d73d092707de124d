"""Job pages: one's own jobs (a centre leader's: those of its jurisdiction's units; the administrator's:
all jobs), and a job's progress, polled by htmx."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from fanzha.core import access
from fanzha.jobs import registry
from fanzha.jobs.models import Job, JobStatus

POLL_SECONDS = 2


@login_required
def job_list(request: HttpRequest) -> HttpResponse:
    jobs = Job.objects.visible_to(request.user).select_related("created_by")
    status = request.GET.get("status", "")
    if status in JobStatus.values:
        jobs = jobs.filter(status=status)
    page = Paginator(jobs, 50).get_page(request.GET.get("page"))
    for job in page:
        job.label = registry.task_label(job.kind)  # type: ignore[attr-defined]
    return render(
        request,
        "jobs/job_list.html",
        {
            "page": page,
            "status": status,
            "statuses": JobStatus.choices,
            "sees_all": access.user_can(request.user, "job.view_all"),
            "sees_jurisdiction": access.user_can(request.user, "job.view_jurisdiction"),
        },
    )


@login_required
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = access.get_visible_or_404(Job.objects.select_related("created_by"), request.user, pk=pk)
    context = {"job": job, "label": registry.task_label(job.kind), "poll_seconds": POLL_SECONDS}
    if getattr(request, "htmx", False):
        return render(request, "jobs/_job_status.html", context)
    return render(request, "jobs/job_detail.html", context)
