"""The inbox: one's own notifications, newest first."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from fanzha.core import access
from fanzha.jobs import services
from fanzha.jobs.models import Notification


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    notifications = Notification.objects.visible_to(request.user)
    unread = notifications.filter(read_at__isnull=True).count()
    page = Paginator(notifications, 30).get_page(request.GET.get("page"))
    return render(request, "jobs/inbox.html", {"page": page, "unread": unread})


@login_required
@require_POST
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark read; with ``open`` in the form, go on to the notification's link (a path inside the site)."""
    notification = access.get_visible_or_404(Notification.objects.all(), request.user, pk=pk)
    services.notification_mark_read(actor=request.user, notification=notification)
    if request.POST.get("open") and notification.link:
        return redirect(services.check_link(notification.link))
    return redirect("inbox")
