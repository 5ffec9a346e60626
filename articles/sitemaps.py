from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.db.models import QuerySet
from django.urls import reverse

from .models import FAQ, Cause, PreventionTip, Service


class CanonicalSitemap(Sitemap):
    """Absolute URLs on SITE_URL, the same origin as <link rel=canonical>."""

    protocol = urlsplit(settings.SITE_URL).scheme or "https"

    def get_domain(self, site: object = None) -> str:
        return urlsplit(settings.SITE_URL).netloc


class StaticSitemap(CanonicalSitemap):
    def items(self) -> list[str]:
        return [
            "articles:home",
            "articles:causes",
            "articles:faqs",
            "articles:tips",
            "articles:contact",
        ]

    def location(self, item: str) -> str:
        return reverse(item)


class ServiceSitemap(CanonicalSitemap):
    def items(self) -> QuerySet[Service]:
        return Service.objects.all()


class ContactSitemap(CanonicalSitemap):
    def items(self) -> QuerySet[Service]:
        return Service.objects.all()

    def location(self, item: Service) -> str:
        return item.get_contact_url()


class ContentSitemap(CanonicalSitemap):
    model: type[Cause] | type[FAQ] | type[PreventionTip]

    def items(self) -> QuerySet:
        return self.model.objects.published()

    def lastmod(self, item: Cause) -> object:
        return item.updated_at


class CauseSitemap(ContentSitemap):
    model = Cause


class FAQSitemap(ContentSitemap):
    model = FAQ


class TipSitemap(ContentSitemap):
    model = PreventionTip


SITEMAPS = {
    "pages": StaticSitemap,
    "services": ServiceSitemap,
    "contact": ContactSitemap,
    "causes": CauseSitemap,
    "faqs": FAQSitemap,
    "tips": TipSitemap,
}
