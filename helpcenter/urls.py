from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path
from django.views.decorators.http import require_safe

from articles import caching
from articles.sitemaps import SITEMAPS

from . import offline, views

urlpatterns = [
    path(settings.ADMIN_PATH, admin.site.urls),
    path(
        "sitemap.xml",
        require_safe(caching.public(sitemap)),
        {"sitemaps": SITEMAPS},
        name="sitemap",
    ),
    path("robots.txt", views.robots_txt, name="robots"),
    path("sw.js", offline.service_worker, name="service_worker"),
    path("offline/", offline.offline_page, name="offline"),
    path("offline/manifest.json", offline.manifest, name="offline_manifest"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("", include("helpcenter.openapi")),  # /api/openapi.json
    path("", include("diagnosis.urls")),
    path("", include("search.urls")),
    path("", include("feedback.urls")),
    path("", include("articles.urls")),
]

handler400 = "helpcenter.errors.bad_request"
handler403 = "helpcenter.errors.permission_denied"
handler404 = "helpcenter.errors.page_not_found"
handler500 = "helpcenter.errors.server_error"  # 503 when the database is the cause
