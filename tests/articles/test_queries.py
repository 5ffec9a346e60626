"""Each public page runs a small, fixed number of queries, however much content there is."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from articles.models import FAQ, Cause, PreventionTip, Service
from tests.articles import factories

pytestmark = pytest.mark.django_db

# Pages: a handful of queries each. The sitemap: a count and a select for each of its sections.
MAX_QUERIES = {"page": 6, "/sitemap.xml": 12}


def urls() -> list[str]:
    cause = Cause.objects.published().first()
    faq = FAQ.objects.published().filter(causes__isnull=False).first()
    tip = PreventionTip.objects.published().first()
    service = Service.objects.get(slug="seller-central")
    return [
        "/",
        "/causes/",
        cause.get_absolute_url(),
        service.get_absolute_url(),
        "/faq/",
        "/faq/?service=seller-central",
        faq.get_absolute_url(),
        "/tips/",
        tip.get_absolute_url(),
        "/contact/",
        service.get_contact_url(),
        "/sitemap.xml",
    ]


def count(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200, url
    return len(ctx)


def grow_content_tenfold() -> None:
    services = list(Service.objects.all())
    causes = list(Cause.objects.all())
    for _ in range(9 * Cause.objects.count()):
        new = factories.cause(services=services, remedies=4)
        causes.append(new)
    for _ in range(9 * FAQ.objects.count()):
        factories.faq(causes=causes[:5], services=services, featured=True)
    for _ in range(9 * PreventionTip.objects.count()):
        factories.tip(causes=causes[:5], services=services)
    for service in services:
        for _ in range(9):
            factories.channel(service)


def test_query_count_is_small_and_does_not_grow_with_content(
    client: Client, content: object, django_assert_max_num_queries: object, settings: object
) -> None:
    settings.PAGE_CACHE = False  # what rendering costs (a page from the cache: see below)
    pages = urls()
    before = {url: count(client, url) for url in pages}
    grow_content_tenfold()
    for url in pages:
        limit = MAX_QUERIES.get(url, MAX_QUERIES["page"])
        with django_assert_max_num_queries(limit):
            client.get(url)
        assert count(client, url) == before[url], url


def test_a_page_from_the_cache_reads_one_row(client: Client, content: object) -> None:
    """The content version, the only thing a cached page asks the database."""
    for url in urls():
        client.get(url)
        assert count(client, url) == 1, url
