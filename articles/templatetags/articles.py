"""Template helpers: structured data (JSON-LD) for article pages."""

import json
from collections.abc import Sequence
from typing import Any

from django import template
from django.conf import settings
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

register = template.Library()

# The characters that could end the <script> element or open a comment inside it.
_JSON_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def _absolute(url: str) -> str:
    return url if url.startswith("http") else settings.SITE_URL + url


def _script(data: dict[str, Any]) -> SafeString:
    encoded = json.dumps(data, ensure_ascii=False, separators=(",", ":")).translate(_JSON_ESCAPES)
    # Safe: JSON with <, > and & escaped cannot leave the script element (as Django's json_script).
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(encoded))


@register.simple_tag
def breadcrumb_jsonld(crumbs: Sequence[Any]) -> SafeString:
    return _script(
        {
            "@context": "https://schema.org",
            "@type": "BreadcrumbList",
            "itemListElement": [
                {"@type": "ListItem", "position": i, "name": c.title, "item": _absolute(c.url)}
                for i, c in enumerate(crumbs, 1)
            ],
        }
    )


@register.simple_tag
def article_jsonld(obj: Any, headline: str, description: str) -> SafeString:
    return _script(
        {
            "@context": "https://schema.org",
            "@type": "TechArticle",
            "headline": headline,
            "description": description,
            "inLanguage": get_language() or settings.LANGUAGE_CODE,
            "url": _absolute(obj.get_absolute_url()),
            "mainEntityOfPage": _absolute(obj.get_absolute_url()),
            "datePublished": obj.created_at.isoformat(),
            "dateModified": obj.updated_at.isoformat(),
            "publisher": {"@type": "Organization", "name": str(settings.SITE_NAME)},
        }
    )
