"""A URLconf for tests: the site plus a view that fails, to see the 500 page a visitor gets."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from helpcenter.urls import handler400, handler403, handler404, handler500
from helpcenter.urls import urlpatterns as site


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("boom")


urlpatterns = [path("boom/", boom), *site]
__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
