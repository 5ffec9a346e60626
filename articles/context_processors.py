from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest
from django.urls import get_script_prefix, reverse

# The site-wide links of base.html, reversed once per script prefix instead of on every page.
SITE_LINKS = ("home", "causes", "faqs", "tips", "contact", "search", "diagnose")


@lru_cache(maxsize=8)
def _links(script_prefix: str) -> dict[str, str]:
    return {name: reverse(f"articles:{name}") for name in SITE_LINKS}


def site(request: HttpRequest) -> dict[str, object]:
    return {
        "site_name": settings.SITE_NAME,
        "canonical_url": settings.SITE_URL + request.path,
        "links": _links(get_script_prefix()),
    }
