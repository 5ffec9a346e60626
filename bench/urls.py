"""The site's URLs plus `/__bench__/bare`, a bare view that goes through the same middleware."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from bench import BARE_PATH
from helpcenter.urls import (  # noqa: F401  (the error handlers are looked up on ROOT_URLCONF)
    handler400,
    handler403,
    handler404,
    handler500,
)
from helpcenter.urls import urlpatterns as site_urlpatterns


def bare_view(request: HttpRequest) -> HttpResponse:
    """The floor every page is compared to: middleware, routing, a tiny response, no template."""
    return HttpResponse("ok")


urlpatterns = [path(BARE_PATH.lstrip("/"), bare_view, name="bench-bare"), *site_urlpatterns]
