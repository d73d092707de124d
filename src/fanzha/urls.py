from django.urls import include, path

from fanzha.api import api

urlpatterns = [
    path("", include("fanzha.core.urls")),
    path("", include("fanzha.core.admin_urls")),
    path("audit/", include("fanzha.audit.urls")),
    path("imports/", include("fanzha.imports.urls")),
    path("warnings/", include("fanzha.warnings.urls")),
    path("numbers/", include("fanzha.numbers.urls")),
    path("cases/", include("fanzha.cases.urls")),
    path("", include("fanzha.jobs.urls")),
    path("", include("fanzha.screen.urls")),
    path("api/", api.urls),
]

# A database conflict raised by a middleware is answered as in a view (503, nothing saved, retry).
handler500 = "fanzha.core.views.errors.server_error"
