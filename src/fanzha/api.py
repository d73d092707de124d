"""The JSON API (OpenAPI at /api/docs). Each app adds its router here.

Session authentication (with CSRF on unsafe methods) for logged-in users; partner API keys join
when the first partner endpoint does.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.security import django_auth

from fanzha.core.api import router as core_router
from fanzha.screen.api import router as screen_router
from fanzha.warnings.api import router as warnings_router

api = NinjaAPI(
    title="fanzha API",
    version="1",
    auth=django_auth,
    urls_namespace="api",
    docs_decorator=login_required,  # the schema is for partners and staff, not for anonymous visitors
)


@api.exception_handler(PermissionDenied)
def permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(request, {"detail": "无权访问"}, status=403)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    """Missing and out-of-scope records answer alike, in Chinese, whatever DEBUG says."""
    return api.create_response(request, {"detail": "记录不存在"}, status=404)


api.add_router("/", core_router)
api.add_router("/", warnings_router)
api.add_router("/", screen_router)
