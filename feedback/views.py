"""What visitors do, recorded by POST only: the flow's answer buttons and the pages' beacon.

Both are bounded: CSRF, a per-client rate limit (django-ratelimit; a Japanese 429, see
`helpcenter.errors.too_many_requests`), a signed flow id (a forged or old one records nothing),
each event once per flow and at most `outcomes.MAX_EVENTS` per flow. Crawlers and prefetches
record nothing. Visitors without JavaScript send no beacon: their page views are not counted,
their answers are.
"""

from __future__ import annotations

import re
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.middleware.csrf import get_token
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe
from django_htmx.http import push_url
from django_ratelimit.decorators import ratelimit

from diagnosis import flow, graph, learning
from diagnosis.forms import FlowAnswerForm
from diagnosis.views import render_screen
from helpcenter.errors import bad_request_page
from search.engine import search

from . import outcomes, searchlog
from .forms import FLOW_EVENTS, BeaconForm

RATE = "60/m"  # POSTs per client and minute: a person clicks far less, a script is stopped
_BOTS = re.compile(r"bot|crawl|spider|slurp|preview|monitor", re.IGNORECASE)


def recordable(request: HttpRequest) -> bool:
    """Crawlers and prefetches record nothing."""
    purpose = request.headers.get("Sec-Purpose", "") + request.headers.get("Purpose", "")
    return "prefetch" not in purpose.lower() and not _BOTS.search(
        request.headers.get("User-Agent", "")
    )


def _answer_events(screen: flow.Screen, action: str, remedy: int | None) -> list[tuple[str, str]]:
    """The one event of an answer that led to `screen` (and `escalated` when it used up the last
    fix); none for a remedy the flow never offered. Starting a flow and reaching a result are
    reported by the page's beacon, not here."""
    if screen.ranking is None:
        return []
    offered = {r.id: r for r in screen.ranking.fixes}
    if remedy is not None and remedy not in offered:
        return []
    if action == "resolved" and remedy is not None and not offered[remedy].action:
        return [("resolved", str(remedy))]
    if action in {"unresolved", "done"} and remedy is not None:
        marked = [("done" if offered[remedy].action else "tried", str(remedy))]
        return [*marked, ("escalated", "")] if screen.kind == "escalate" else marked
    if action != "escalate":
        return []
    return [("escalated", "")]


def _first_cause(screen: flow.Screen) -> str:
    """The cause the step shows first ("" before a result)."""
    causes = screen.ranking.causes if screen.ranking else ()
    return causes[0].cause.slug if causes else ""


@require_POST
@ratelimit(key="ip", rate=RATE, method="POST", block=True, group="feedback")
def flow_answer(request: HttpRequest) -> HttpResponse:
    """「解決した」「解決しない」「やった」「問い合わせ」: record, then show the next step (303 to its URL,
    or for htmx the step itself with that URL pushed)."""
    form = FlowAnswerForm(request.POST)
    if not form.is_valid():
        return bad_request_page(request, form.first_error()[1])
    action, remedy = form.cleaned_data["action"], form.cleaned_data["remedy"]
    after = form.flow_query().after(action, remedy)
    path = reverse("diagnosis:diagnose")
    current = graph.current()
    screen = flow.screen(current, after, path, learning.orders(current))
    token = form.flow_token
    if token and recordable(request):
        events = _answer_events(screen, action, remedy)
        offered = {str(r.id): r for r in screen.ranking.fixes} if screen.ranking else {}
        outcomes.record(
            token,
            screen.answers.service,
            screen.answers.slugs,
            events,
            _first_cause(screen),
            offered,
        )
    url = after.url(path)
    htmx: Any = getattr(request, "htmx", None)
    if htmx:
        return push_url(render_screen(request, screen), url)
    return HttpResponseRedirect(url, status=303)


@require_safe
@never_cache
@ratelimit(key="ip", rate=RATE, block=True, group="feedback-token")
def token(request: HttpRequest) -> JsonResponse:
    """The visitor's CSRF token, for the beacon of a page kept in the page cache (search), which
    cannot carry one: the script asks for it once per page (and the cookie comes with it)."""
    return JsonResponse({"token": get_token(request)})


@require_POST
@ratelimit(key="ip", rate=RATE, method="POST", block=True, group="feedback")
def beacon(request: HttpRequest) -> HttpResponse:
    """A page reports that it was shown: a flow step, a search, a click on a search result."""
    form = BeaconForm(request.POST)
    if not form.is_valid():  # only a damaged or forged beacon: the same Japanese 400 as any other
        return bad_request_page(request, form.first_error()[1])
    if not recordable(request):
        return HttpResponse(status=204)
    event, query = form.cleaned_data["event"], form.cleaned_data["query"]
    if event in FLOW_EVENTS:
        token = form.flow_token
        current = graph.current()
        path = reverse("diagnosis:diagnose")
        screen = flow.screen(current, form.flow_query(), path, learning.orders(current))
        if token and screen.beacon == event:  # only what that step really reports
            outcomes.record(
                token,
                screen.answers.service,
                screen.answers.slugs,
                [(event, "")],
                _first_cause(screen),
            )
    elif event == "search" and query:
        searchlog.searched(query, len(search(query, limit=1)))
    elif event == "click" and query:
        searchlog.clicked(query)
    return HttpResponse(status=204)
