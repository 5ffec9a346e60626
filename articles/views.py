"""Thin views: parse the request, ask `catalog` for the page's values, render one template."""

from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.http import Http404, HttpResponse, HttpResponseRedirect, JsonResponse
from django.http import HttpRequest as BaseRequest
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import push_url, replace_url
from django_htmx.middleware import HtmxDetails

from . import api, catalog, flow, flowgraph, outcomes, search, searchlog
from .models import SearchEntry


class HttpRequest(BaseRequest):
    htmx: HtmxDetails  # set by django_htmx's middleware


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "articles/home.html", catalog.home())


@require_safe
def cause_index(request: HttpRequest) -> HttpResponse:
    return render(request, "articles/cause_index.html", catalog.cause_index())


@require_safe
def cause(request: HttpRequest, slug: str) -> HttpResponse:
    return render(request, "articles/cause.html", catalog.cause_page(slug))


@require_safe
def service(request: HttpRequest, slug: str) -> HttpResponse:
    return render(request, "articles/service.html", catalog.service_page(slug))


@require_safe
def faq_index(request: HttpRequest) -> HttpResponse:
    service_slug = request.GET.get("service") or None
    return render(request, "articles/faq_index.html", catalog.faq_index(service_slug))


@require_safe
def faq(request: HttpRequest, slug: str) -> HttpResponse:
    return render(request, "articles/faq.html", catalog.faq_page(slug))


@require_safe
def tip_index(request: HttpRequest) -> HttpResponse:
    return render(request, "articles/tip_index.html", catalog.tip_index())


@require_safe
def tip(request: HttpRequest, slug: str) -> HttpResponse:
    return render(request, "articles/tip.html", catalog.tip_page(slug))


@require_safe
def contact_index(request: HttpRequest) -> HttpResponse:
    return render(request, "articles/contact_index.html", catalog.contact_index())


@require_safe
def contact(request: HttpRequest, slug: str) -> HttpResponse:
    return render(request, "articles/contact.html", catalog.contact_page(slug))


@require_safe
def robots_txt(request: HttpRequest) -> HttpResponse:
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /api/",
        "Disallow: /diagnose/",
        f"Sitemap: {settings.SITE_URL}/sitemap.xml",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


# --- The guided flow ---------------------------------------------------------------------------


@require_safe
@vary_on_headers("HX-Request", "HX-History-Restore-Request")
def diagnose(request: HttpRequest) -> HttpResponse:
    try:
        query = flow.parse(request.GET)
    except flow.BadQuery as exc:
        return render(request, "400.html", {"reason": exc.message}, status=400)
    screen = flow.screen(flowgraph.current(), query, request.path)
    outcomes.record(query.flow_id, screen.answers.service, screen.answers.slugs, screen.events)
    partial = request.htmx and not request.htmx.history_restore_request
    template = "articles/diagnose.html#step" if partial else "articles/diagnose.html"
    return render(request, template, {"screen": screen})


@require_safe
def api_diagnose(request: HttpRequest) -> JsonResponse:
    try:
        payload = api.diagnose(
            flowgraph.current(), request.GET.get("service"), request.GET.get("answers")
        )
    except flow.BadQuery as exc:
        return JsonResponse(api.error(exc), status=400, json_dumps_params={"ensure_ascii": False})
    return JsonResponse(payload, json_dumps_params={"ensure_ascii": False})


# --- Search -------------------------------------------------------------------------------------


@require_safe
@vary_on_headers("HX-Request", "HX-History-Restore-Request")
def search_page(request: HttpRequest) -> HttpResponse:
    query = search.clean_query(request.GET.get("q"))
    results = search.search(query, limit=30)
    partial = request.htmx and not request.htmx.history_restore_request
    if query and not partial:
        searchlog.searched(query, len(results))  # typing (htmx) is not logged, only searches
    context = {
        "query": query,
        "results": results,
        "closest": search.closest_faqs(query) if query and not results else [],
    }
    if not partial:
        return render(request, "articles/search.html", context)
    response = render(request, "articles/search.html#results", context)
    # The address follows the typing: one history entry for the search, replaced as it changes.
    here = reverse("articles:search")
    url = f"{here}?{urlencode({'q': query})}" if query else here
    on_search_page = urlsplit(request.htmx.current_url or "").path == here
    return replace_url(response, url) if on_search_page else push_url(response, url)


@require_safe
def search_open(request: HttpRequest) -> HttpResponse:
    """A result was opened: count the click for the query, then go there (only to our pages)."""
    target = request.GET.get("u", "")
    if not SearchEntry.objects.filter(url=target).exists():
        raise Http404("その記事はありません")
    searchlog.clicked(request.GET.get("q", ""))
    return HttpResponseRedirect(target)


@require_safe
def api_search(request: HttpRequest) -> JsonResponse:
    try:
        payload = api.search(request.GET.get("q"), request.GET.get("limit"))
    except flow.BadQuery as exc:
        return JsonResponse(api.error(exc), status=400, json_dumps_params={"ensure_ascii": False})
    searchlog.searched(payload["query"], len(payload["results"]))
    return JsonResponse(payload, json_dumps_params={"ensure_ascii": False})
