"""Operational endpoints: robots.txt, liveness (`/healthz`) and readiness (`/readyz`)."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from . import pagecache


@require_safe
def robots_txt(request: HttpRequest) -> HttpResponse:
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /api/",
        # The flow's first step is a page to find; its steps are one visitor's answers.
        "Disallow: /diagnose/?",
        "Disallow: /diagnose/pack.json",
        f"Sitemap: {settings.SITE_URL}/sitemap.xml",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


@require_safe
@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness: this process answers. Touches nothing else (a database outage must not get
    healthy app servers restarted)."""
    return HttpResponse("ok", content_type="text/plain")


_migrated = False  # once every migration is applied, it stays so for this process


def _database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return "ok"


def _migrations() -> str:
    global _migrated
    if not _migrated:
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if plan:
            return f"{len(plan)} not applied"
        _migrated = True
    return "ok"


def _cache() -> tuple[str, bool]:
    """("ok" | "local" | "unreachable", whether that is fine)."""
    cache = caches["default"]
    if "redis" not in type(cache).__module__:
        return "local", True  # no shared cache configured: pages are cached in each process
    probe = f"readyz:{uuid.uuid4().hex}"
    cache.set(probe, 1, 10)  # django-redis ignores its own errors: the read tells
    if cache.get(probe) == 1:
        cache.delete(probe)
        return "ok", True
    return "unreachable", not settings.READYZ_REQUIRE_CACHE


@require_safe
@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    """Readiness, for a load balancer: the database answers, every migration is applied, and the
    cache answers (or none is configured). 200 or 503, with each check's state."""
    checks: dict[str, Any] = {}
    ready = True
    try:
        checks["database"] = _database()
        checks["migrations"] = _migrations()
        ready = checks["migrations"] == "ok"
    except DatabaseError:
        checks["database"] = "unreachable"
        ready = False
    checks["cache"], cache_fine = _cache()
    checks["page_cache"] = "on" if settings.PAGE_CACHE else "off"
    checks["release"] = pagecache.release()
    ready = ready and cache_fine
    return JsonResponse({"ready": ready, "checks": checks}, status=200 if ready else 503)
