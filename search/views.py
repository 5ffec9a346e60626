"""`/search/` and `/api/search`. Showing results never writes: the page reports searches and
clicks through the beacon (`feedback`)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import push_url, replace_url
from django_ratelimit.decorators import ratelimit

from articles import caching
from helpcenter.errors import API_RATE, json_error

from .engine import closest_faqs, search
from .forms import ApiSearchForm, SearchForm
from .models import SearchEntry


@require_safe
@caching.public
@vary_on_headers("HX-Request", "HX-History-Restore-Request", "HX-Current-URL")
def search_page(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    results = search(query, limit=30)
    htmx: Any = getattr(request, "htmx", None)
    partial = bool(htmx) and not htmx.history_restore_request
    context = {
        "query": query,
        "results": results,
        "closest": closest_faqs(query) if query and not results else [],
        # Typing (htmx) is not counted, only searches made with the whole page.
        "count_search": bool(query) and not partial,
        "beacon_data": urlencode({"event": "search", "query": query}),
    }
    if not partial:
        return render(request, "search/search.html", context)
    response = render(request, "search/search.html#results", context)
    # The address follows the typing: one history entry for the search, replaced as it changes.
    here = reverse("search:search")
    url = f"{here}?{urlencode({'q': query})}" if query else here
    try:
        current_path = urlsplit(htmx.current_url or "").path
    except ValueError:  # a malformed HX-Current-URL header
        current_path = ""
    return replace_url(response, url) if current_path == here else push_url(response, url)


@require_safe
def search_open(request: HttpRequest) -> HttpResponse:
    """`/search/open?u=…`: how result links used to count clicks. Kept so that old links still
    lead somewhere; it only redirects (to our own articles) and records nothing."""
    target = request.GET.get("u", "")
    if not target.startswith("/") or not SearchEntry.objects.filter(url=target).exists():
        raise Http404
    return HttpResponseRedirect(target)


@csrf_exempt  # read-only: any other method gets the API's 405, not the CSRF page
@require_safe
@caching.public  # answers depend on the content and the query only (the rate limit counts misses)
@ratelimit(key="ip", rate=API_RATE, block=True, group="api")
def api_search(request: HttpRequest) -> JsonResponse:
    form = ApiSearchForm(request.GET)
    if not form.is_valid():
        return json_error(*form.first_error())
    results = search(form.cleaned_data["q"], limit=form.cleaned_data["limit"])
    base = settings.SITE_URL
    payload = {
        "query": results.query,
        "results": [
            {
                "kind": r.kind,
                "kind_label": r.kind_label,
                "title": r.title,
                "url": base + r.url,
                "snippet": r.snippet,
                "snippet_html": str(r.snippet_html),
                "score": r.score,
            }
            for r in results.results
        ],
    }
    return JsonResponse(payload, json_dumps_params={"ensure_ascii": False})
