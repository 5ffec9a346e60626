"""The guided flow's screens: parse the query with a form, ask `flow` for the screen, render.

Showing a step never writes; the answer POSTs are `feedback.views.flow_answer`."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language
from django.views.decorators.cache import cache_control
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers
from django_ratelimit.decorators import ratelimit

from helpcenter.errors import API_RATE, bad_request_page, json_error

from . import api, flow, graph, learning, pack
from .forms import ApiDiagnoseForm, FlowQueryForm


def render_screen(request: HttpRequest, screen: flow.Screen) -> HttpResponse:
    """A step: the whole page, or for htmx (not a history restore) the step alone."""
    htmx: Any = getattr(request, "htmx", None)
    partial = bool(htmx) and not htmx.history_restore_request
    template = "diagnosis/diagnose.html#step" if partial else "diagnosis/diagnose.html"
    return render(request, template, {"screen": screen})


@require_safe
@vary_on_headers("HX-Request", "HX-History-Restore-Request")
def diagnose(request: HttpRequest) -> HttpResponse:
    form = FlowQueryForm(request.GET)
    if not form.is_valid():
        return bad_request_page(request, form.first_error()[1])
    current = graph.current()
    path = reverse("diagnosis:diagnose")
    screen = flow.screen(current, form.flow_query(), path, learning.orders(current))
    return render_screen(request, screen)


@csrf_exempt  # read-only: any other method gets the API's 405, not the CSRF page
@require_safe
@ratelimit(key="ip", rate=API_RATE, block=True, group="api")
def api_diagnose(request: HttpRequest) -> JsonResponse:
    form = ApiDiagnoseForm(request.GET)
    if not form.is_valid():
        return json_error(*form.first_error())
    try:
        payload = api.diagnose(
            graph.current(), form.cleaned_data["service"], form.cleaned_data["answers"]
        )
    except api.BadQuery as exc:
        return json_error(exc.field, exc.message)
    return JsonResponse(payload, json_dumps_params={"ensure_ascii": False})


@require_safe
@cache_control(no_cache=True)
def flow_pack(request: HttpRequest) -> HttpResponse:
    """`/diagnose/pack.json`: the flow for the service worker to work out offline (`pack`).
    Not in the page cache: the learned order of fixes moves without the content version."""
    current = graph.current()
    learned = learning.orders(current)
    language = get_language()
    memo = _pack_memo  # (graph, learned order, language, body): built once for each
    if not (memo and memo[0] is current and memo[1] is learned and memo[2] == language):
        body = json.dumps(pack.pack(current, learned), ensure_ascii=False).encode()
        memo[:] = [current, learned, language, body]
    return HttpResponse(memo[3], content_type="application/json")


_pack_memo: list[Any] = []
