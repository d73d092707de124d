"""The server-error page, for errors raised outside a view."""

from __future__ import annotations

import sys

from django.http import HttpRequest, HttpResponse
from django.views import defaults

from fanzha.core import conflicts
from fanzha.core.middleware import conflict_response


def server_error(request: HttpRequest) -> HttpResponse:
    """Django's 500 page, except for a database conflict. A view's conflict is answered by
    DatabaseConflictMiddleware; this catches one raised by a middleware (the session saved after the
    view, an audit record written as a session expires), which Django turns into a 500 before any
    middleware could see it. Django calls this inside its ``except``, so the error is at hand."""
    kind = conflicts.conflict_kind(sys.exc_info()[1])
    if kind:
        return conflict_response(request, kind)
    return defaults.server_error(request)
