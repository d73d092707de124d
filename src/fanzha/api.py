"""The JSON API (OpenAPI at /api/docs). Each app adds its router here.

Session authentication (with CSRF on unsafe methods) for logged-in users; partner API keys join
when the first partner endpoint does.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import HttpError
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


# The framework's own English answers, as a Chinese caller reads them (our own messages pass as they are).
IN_CHINESE = {
    "Unauthorized": "未登录：请先登录，或在 X-API-Key 头中提供接口密钥",
    "CSRF check Failed": "CSRF 校验失败：会话登录的请求须在 X-CSRFToken 头中带上 CSRF 令牌",
    "Forbidden": "无权访问",
    "Too many requests.": "请求过于频繁，请稍后再试",
}


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return api.create_response(
        request, {"detail": IN_CHINESE.get(exc.message, exc.message)}, status=exc.status_code
    )


@api.exception_handler(RequestDataTooBig)
def too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    """A body over the upload limit (read first by the CSRF check of a form post): JSON, not a page."""
    return api.create_response(request, {"detail": "请求体过大，超过接口允许的大小"}, status=413)


api.add_router("/", core_router)
api.add_router("/", warnings_router)
api.add_router("/", screen_router)
