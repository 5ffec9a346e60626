"""The project's own middleware.

- `RequestLog`: a request id and one JSON log line per request.
- `SessionActivity`: a staff session ends after an hour without a request; it is saved again
  (and its expiry moved on) at most every five minutes, so staff pages do not each write the
  session table.
- `MethodNotAllowedPage`: the Japanese 405 page.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from feedback.redact import redact

REFRESH_EVERY = 300  # seconds


class SessionActivity:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        # Visitors have no session (is_empty reads no table when there is no session cookie).
        if session is not None and not session.is_empty():
            now = int(time.time())
            if now - int(session.get("_seen", 0)) >= REFRESH_EVERY:
                session["_seen"] = now  # modified: saved with a new expiry
        return self.get_response(request)


class MethodNotAllowedPage:
    """A 405 (a view's `require_POST`/`require_safe`) says so in Japanese, like every other
    refusal: a page, or JSON under /api/. The `Allow` header stays."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code != 405 or response.streaming or response.content:
            return response
        from .errors import method_not_allowed

        page = method_not_allowed(request)
        if response.has_header("Allow"):
            page["Allow"] = response["Allow"]
        return page


class HtmxErrorPage:
    """An error page answering an htmx request (a search typed, a flow step, a vote) is shown in
    place of the page's main content, as the page it would have been without htmx: the response
    tells htmx to take `#main`'s content from it (`HX-Reselect`) and put it into `#main`
    (`HX-Retarget`), and base.html's htmx config swaps 4xx and 5xx answers. Without this an
    error (a 429 after a burst, a 400, the 503 while the database is away) changed nothing on
    screen."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code >= 400
            and request.headers.get("HX-Request") == "true"
            and request.headers.get("HX-History-Restore-Request") != "true"
            and response.get("Content-Type", "").startswith("text/html")
            and not response.has_header("HX-Retarget")
            and not request.path.startswith("/" + settings.ADMIN_PATH)  # its own error handling
        ):
            response["HX-Retarget"] = "#main"
            response["HX-Reselect"] = "#main > *"
            response["HX-Reswap"] = "innerHTML show:window:top"
        return response


_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")
request_logger = logging.getLogger("helpcenter.requests")


class RequestLog:
    """One JSON line per request (logger `helpcenter.requests`): a request id (the proxy's
    `X-Request-ID` when it looks like one, else a new one, sent back in the same header), the
    method, the path without its query string (the flow's answers and searches stay out) with
    anything that looks like an e-mail address or a code redacted, the status, the duration and
    whether the page cache served it (`X-Cache`)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        given = request.META.get("HTTP_X_REQUEST_ID", "")
        request_id = given if _REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        response = self.get_response(request)
        response["X-Request-ID"] = request_id
        if request.method == "HEAD" and not response.streaming:
            response.content = b""  # Content-Length (set below us) still tells the GET's size
        if request_logger.isEnabledFor(logging.INFO):
            request_logger.info(
                "request",
                extra={
                    "request_id": request_id,
                    "method": request.method,
                    "path": loggable_path(request.path),
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                    "cache": response.get("X-Cache", "-"),
                },
            )
        return response


def loggable_path(path: str) -> str:
    """The path with each segment that looks like personal data replaced (someone may put an
    address or a code into a URL); static files' hashed names are kept as they are."""
    if path.startswith("/static/"):
        return path[:300]
    return "/".join(
        (redact(part) or "[redacted]") if part else part for part in path[:300].split("/")
    )


class DropRequest(logging.Filter):
    """Django attaches the request to its log records; its text carries the query string (a
    search, the flow's answers), so it never reaches a log line."""

    def filter(self, record: logging.LogRecord) -> bool:
        if hasattr(record, "request"):
            record.request = None
        return True
