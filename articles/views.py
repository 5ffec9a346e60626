"""Thin views: parse the request, ask `catalog` for the page's values, render one template."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from . import caching, catalog, moves
from .forms import FaqFilterForm
from .models import FAQ, Cause, PreventionTip, Service


@require_safe
@caching.public
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "articles/home.html", catalog.home())


@require_safe
@caching.public
def cause_index(request: HttpRequest) -> HttpResponse:
    return render(request, "articles/cause_index.html", catalog.cause_index())


@require_safe
@caching.public
def cause(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        return render(request, "articles/cause.html", catalog.cause_page(slug))
    except Http404:
        return moves.redirect_if_moved(Cause, slug)  # renamed: 301 to its page, else 404


@require_safe
@caching.public
def service(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        return render(request, "articles/service.html", catalog.service_page(slug))
    except Http404:
        return moves.redirect_if_moved(Service, slug)  # renamed: 301 to its page, else 404


@require_safe
@caching.public
def faq_index(request: HttpRequest) -> HttpResponse:
    form = FaqFilterForm(request.GET)
    if not form.is_valid():
        raise Http404  # no service has such a name
    service_slug = form.cleaned_data["service"] or None
    return render(request, "articles/faq_index.html", catalog.faq_index(service_slug))


@require_safe
@caching.public
def faq(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        return render(request, "articles/faq.html", catalog.faq_page(slug))
    except Http404:
        return moves.redirect_if_moved(FAQ, slug)  # renamed: 301 to its page, else 404


@require_safe
@caching.public
def tip_index(request: HttpRequest) -> HttpResponse:
    return render(request, "articles/tip_index.html", catalog.tip_index())


@require_safe
@caching.public
def tip(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        return render(request, "articles/tip.html", catalog.tip_page(slug))
    except Http404:
        return moves.redirect_if_moved(PreventionTip, slug)  # renamed: 301 to its page, else 404


@require_safe
@caching.public
def contact_index(request: HttpRequest) -> HttpResponse:
    return render(request, "articles/contact_index.html", catalog.contact_index())


@require_safe
@caching.public
def contact(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        return render(request, "articles/contact.html", catalog.contact_page(slug))
    except Http404:
        return moves.redirect_if_moved(Service, slug, "get_contact_url")
