"""Japanese error pages (JSON under /api/). They render without touching the database, so they
work when it is down.

An exception from the database itself (refused, not answering within `DB_CONNECT_TIMEOUT`, gone
mid-request) is not a bug of ours: `server_error` answers it with 503 and `Retry-After`, which
tells visitors, crawlers and load balancers to come back shortly."""

from __future__ import annotations

import ipaddress
import logging
import sys

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

API_RATE = "120/m"
RETRY_AFTER = "30"  # seconds, on a 503  # API requests per client and minute (django-ratelimit), shared by /api/*


def _page(request: HttpRequest | None, template: str, status: int) -> HttpResponse:
    return HttpResponse(render_to_string(template, request=request), status=status)


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def json_error(field: str, message: str, status: int = 400) -> JsonResponse:
    return JsonResponse(
        {"error": {"field": field, "message": message}},
        status=status,
        json_dumps_params={"ensure_ascii": False},
    )


def bad_request_page(request: HttpRequest, reason: str) -> HttpResponse:
    """A 400 that says what was wrong with the request."""
    return render(request, "400.html", {"reason": reason}, status=400)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):  # too many parameters, a bad Host header…
        return json_error("", _("The request cannot be read."))
    return _page(request, "400.html", 400)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _page(request, "403.html", 403)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        return json_error("", _("There is nothing at this address."), 404)
    return _page(request, "404.html", 404)


def server_error(request: HttpRequest) -> HttpResponse:
    """Django's handler500, called while the exception is being handled."""
    if isinstance(sys.exc_info()[1], OperationalError | InterfaceError):
        return service_unavailable(request)
    # No request context: a broken context processor or database must not break the 500 page.
    return _page(None, "500.html", 500)


def service_unavailable(request: HttpRequest) -> HttpResponse:
    """The database cannot be reached: 503, come back in `RETRY_AFTER` seconds."""
    if _is_api(request):
        response: HttpResponse = json_error(
            "", _("The service is temporarily unavailable. Please try again shortly."), status=503
        )
    else:
        response = _page(None, "503.html", 503)
    response["Retry-After"] = RETRY_AFTER
    response["Cache-Control"] = "no-store"
    return response


def method_not_allowed(request: HttpRequest) -> HttpResponse:
    if _is_api(request):
        return json_error(
            "",
            _("This address does not accept %(method)s.") % {"method": (request.method or "")[:20]},
            405,
        )
    return _page(request, "405.html", 405)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return _page(request, "403_csrf.html", 403)


def client_address(request: HttpRequest) -> str:
    """The visitor's address for the rate limits: the proxy's header named by
    `RATELIMIT_IP_META_KEY` when there is one, else the connection's (a request that reached
    gunicorn without passing the proxy must be counted, not refused with a 500). Whatever is
    not an address counts as 0.0.0.0, one bucket for all such requests."""
    key = settings.RATELIMIT_CLIENT_HEADER
    for candidate in (request.META.get(key, "") if key else "", request.META.get("REMOTE_ADDR")):
        try:
            return str(ipaddress.ip_address((candidate or "").split(",")[0].strip()))
        except ValueError:
            continue
    return "0.0.0.0"


def too_many_requests(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """django-ratelimit's view (RATELIMIT_VIEW): the client sent too much, too fast."""
    if _is_api(request):
        response: HttpResponse = json_error(
            "", _("Too many requests. Please wait a minute and try again."), status=429
        )
    else:
        response = _page(request, "429.html", 429)
    response["Retry-After"] = "60"
    return response


def staff_locked_out(
    request: HttpRequest, original_response: HttpResponse | None, credentials: dict | None
) -> HttpResponse:
    """django-axes: too many failed staff sign-ins. A Japanese page, 429, with the wait."""
    from axes.helpers import get_cool_off, get_failure_limit

    cool_off = get_cool_off(request)
    minutes = max(1, round(cool_off.total_seconds() / 60)) if cool_off else None
    context = {"failure_limit": get_failure_limit(request, credentials), "minutes": minutes}
    return render(request, "admin/locked_out.html", context, status=429)
