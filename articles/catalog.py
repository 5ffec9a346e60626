"""What each browsable page shows, as plain values: the views only render these.

Every function runs a fixed number of queries, whatever the amount of content (prefetches, no
per-item lookups), so pages stay fast as staff add content.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse

from .models import FAQ, Cause, PreventionTip, Service, SupportChannel


@dataclass(frozen=True)
class Crumb:
    title: str
    url: str


HOME = Crumb("ホーム", "/")


def _crumbs(*items: tuple[str, str]) -> list[Crumb]:
    return [HOME, *(Crumb(title, url) for title, url in items)]


def _published_services() -> Prefetch:
    return Prefetch("services", queryset=Service.objects.all())


@dataclass
class ServiceGroup:
    service: Service
    causes: list[Cause] = field(default_factory=list)


def group_by_service(services: list[Service], causes: list[Cause]) -> list[ServiceGroup]:
    groups = {s.pk: ServiceGroup(s) for s in services}
    for cause in causes:
        for service in cause.services.all():
            if service.pk in groups:
                groups[service.pk].causes.append(cause)
    return list(groups.values())


def home() -> dict[str, object]:
    services = list(Service.objects.all())
    causes = list(Cause.objects.published().prefetch_related(_published_services()))
    return {
        "groups": group_by_service(services, causes),
        "urgent_causes": [c for c in causes if c.urgent],
        "faqs": list(FAQ.objects.published().filter(featured=True)[:6]),
        "tips": list(PreventionTip.objects.published()[:6]),
    }


def cause_index() -> dict[str, object]:
    services = list(Service.objects.all())
    causes = list(Cause.objects.published().prefetch_related(_published_services()))
    return {
        "groups": group_by_service(services, causes),
        "causes": causes,
        "breadcrumbs": _crumbs(("ログインできない原因", reverse("articles:causes"))),
    }


def service_page(slug: str) -> dict[str, object]:
    service = get_object_or_404(Service, slug=slug)
    return {
        "service": service,
        "causes": list(Cause.objects.published().for_service(service)),
        "faqs": list(FAQ.objects.published().for_service(service)),
        "tips": list(PreventionTip.objects.published().for_service(service)[:6]),
        "channels": list(SupportChannel.objects.published().filter(service=service)),
        "breadcrumbs": _crumbs((service.name, service.get_absolute_url())),
    }


def cause_page(slug: str) -> dict[str, object]:
    cause = get_object_or_404(
        Cause.objects.published().prefetch_related(_published_services(), "remedies"), slug=slug
    )
    services = list(cause.services.all())
    return {
        "cause": cause,
        "services": services,
        "remedies": list(cause.remedies.all()),
        "faqs": list(FAQ.objects.published().filter(causes=cause)),
        "tips": list(PreventionTip.objects.published().filter(causes=cause)),
        "channels": list(
            SupportChannel.objects.published()
            .filter(service__in=[s.pk for s in services])
            .select_related("service")
        ),
        "breadcrumbs": _crumbs(
            ("ログインできない原因", reverse("articles:causes")),
            (cause.title, cause.get_absolute_url()),
        ),
    }


def faq_index(service_slug: str | None) -> dict[str, object]:
    services = list(Service.objects.all())
    current = None
    faqs = FAQ.objects.published()
    if service_slug:
        current = next((s for s in services if s.slug == service_slug), None)
        if current is None:
            raise Http404("そのサービスはありません")
        faqs = faqs.for_service(current)
    return {
        "services": services,
        "current_service": current,
        "faqs": list(faqs),
        "breadcrumbs": _crumbs(("よくある質問", reverse("articles:faqs"))),
    }


def faq_page(slug: str) -> dict[str, object]:
    faq = get_object_or_404(
        FAQ.objects.published().prefetch_related(
            _published_services(), Prefetch("causes", queryset=Cause.objects.published())
        ),
        slug=slug,
    )
    causes = list(faq.causes.all())
    related = (
        FAQ.objects.published()
        .filter(causes__in=[c.pk for c in causes])
        .exclude(pk=faq.pk)
        .distinct()[:5]
    )
    return {
        "faq": faq,
        "services": list(faq.services.all()),
        "causes": causes,
        "related": list(related),
        "breadcrumbs": _crumbs(
            ("よくある質問", reverse("articles:faqs")), (faq.question, faq.get_absolute_url())
        ),
    }


def tip_index() -> dict[str, object]:
    tips = PreventionTip.objects.published().prefetch_related(
        Prefetch("causes", queryset=Cause.objects.published())
    )
    return {
        "tips": list(tips),
        "breadcrumbs": _crumbs(("予防のヒント", reverse("articles:tips"))),
    }


def tip_page(slug: str) -> dict[str, object]:
    tip = get_object_or_404(
        PreventionTip.objects.published().prefetch_related(
            _published_services(), Prefetch("causes", queryset=Cause.objects.published())
        ),
        slug=slug,
    )
    return {
        "tip": tip,
        "services": list(tip.services.all()),
        "causes": list(tip.causes.all()),
        "breadcrumbs": _crumbs(
            ("予防のヒント", reverse("articles:tips")), (tip.title, tip.get_absolute_url())
        ),
    }


def contact_index() -> dict[str, object]:
    services = Service.objects.prefetch_related(
        Prefetch("support_channels", queryset=SupportChannel.objects.published())
    )
    return {
        "services": list(services),
        "breadcrumbs": _crumbs(("お問い合わせ", reverse("articles:contact"))),
    }


def contact_page(slug: str) -> dict[str, object]:
    service = get_object_or_404(Service, slug=slug)
    return {
        "service": service,
        "channels": list(SupportChannel.objects.published().filter(service=service)),
        "urgent_causes": list(Cause.objects.published().for_service(service).filter(urgent=True)),
        "breadcrumbs": _crumbs(
            ("お問い合わせ", reverse("articles:contact")),
            (service.name, service.get_contact_url()),
        ),
    }
