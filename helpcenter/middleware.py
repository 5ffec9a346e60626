"""A staff session ends after an hour without a request: it is saved again (and its expiry moved
on) at most every five minutes, so staff pages do not each write the session table."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

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
