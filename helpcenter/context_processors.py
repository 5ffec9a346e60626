from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from . import pagecache

# The site-wide links of base.html.
SITE_LINKS = {
    "home": "articles:home",
    "causes": "articles:causes",
    "faqs": "articles:faqs",
    "tips": "articles:tips",
    "contact": "articles:contact",
    "search": "search:search",
    "diagnose": "diagnosis:diagnose",
    "beacon": "feedback:beacon",
}


def site(request: HttpRequest) -> dict[str, object]:
    extra: dict[str, object] = {}
    if pagecache.filling(request):  # a page to be kept: its token is filled in per visitor
        extra["csrf_token"] = pagecache.CSRF_HOLE
    return {
        **extra,
        "site_name": settings.SITE_NAME,
        "canonical_url": settings.SITE_URL + request.path,
        "links": {name: reverse(view) for name, view in SITE_LINKS.items()},
    }
