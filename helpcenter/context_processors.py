from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

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
    "beacon_token": "feedback:beacon_token",
}


def site(request: HttpRequest) -> dict[str, object]:
    return {
        "site_name": settings.SITE_NAME,
        "canonical_url": settings.SITE_URL + request.path,
        "links": {name: reverse(view) for name, view in SITE_LINKS.items()},
    }
