"""What each browsable page shows: the views only render these.

Every function runs a fixed number of queries, whatever the amount of content (lists come with
`prefetch_related`, never a query per item), so pages stay fast as staff add content; a test
(`tests/articles/test_queries.py`) holds each page to it. Lists read only the fields they show.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _

from .models import FAQ, Cause, ContentQuerySet, PreventionTip, Service, SupportChannel

# What a list shows of each kind of content.
CAUSE_CARD = ("slug", "title", "summary", "urgent", "warning", "order")
FAQ_ITEM = ("slug", "question", "answer_html", "order")
TIP_CARD = ("slug", "title", "summary", "order")


@dataclass(frozen=True)
class Crumb:
    title: str
    url: str


def _crumbs(*items: tuple[str, str]) -> list[Crumb]:
    """Home, then the items. Built on each request, so the titles are in the active language."""
    return [Crumb(_("Home"), "/"), *(Crumb(title, url) for title, url in items)]


def _causes() -> ContentQuerySet:
    return Cause.objects.published().only(*CAUSE_CARD)


def _faqs() -> ContentQuerySet:
    return FAQ.objects.published().only(*FAQ_ITEM)


def _tips() -> ContentQuerySet:
    return PreventionTip.objects.published().only(*TIP_CARD)


def _channels() -> QuerySet[SupportChannel]:
    return SupportChannel.objects.published().select_related("service").defer("body", "body_html")


@dataclass
class ServiceGroup:
    service: Service
    causes: list[Cause]


def _groups() -> list[ServiceGroup]:
    """Every service with its published causes."""
    causes = Prefetch("causes", queryset=_causes(), to_attr="published_causes")
    return [ServiceGroup(s, s.published_causes) for s in Service.objects.prefetch_related(causes)]


@dataclass
class CauseEntry:
    """A cause in the home page's one list, with the services it concerns. `every_service`
    says it concerns them all, so the page says that once instead of naming each of them."""

    cause: Cause
    services: list[Service]
    every_service: bool


def _services() -> QuerySet[Service]:
    return Service.objects.only("slug", "name", "short_name", "order")


def _cause_entries(services: list[Service]) -> list[CauseEntry]:
    """Every published cause once, the urgent ones first (as `Cause.urgent` promises staff)."""
    every = {service.pk for service in services}
    causes = (
        _causes()
        .order_by("-urgent", "order", "pk")
        .prefetch_related(Prefetch("services", queryset=_services(), to_attr="listed"))
    )
    return [CauseEntry(c, c.listed, {s.pk for s in c.listed} == every) for c in causes]


def home() -> dict[str, object]:
    services = list(_services())
    return {
        "causes": _cause_entries(services),
        "services": services,
        "faqs": list(_faqs().filter(featured=True)[:6]),
        "tips": list(_tips()[:6]),
    }


def cause_index() -> dict[str, object]:
    return {
        "groups": _groups(),
        "causes": list(_causes()),
        "breadcrumbs": _crumbs((_("Why you cannot log in"), reverse("articles:causes"))),
    }


def service_page(slug: str) -> dict[str, object]:
    service = get_object_or_404(Service, slug=slug)
    return {
        "service": service,
        "causes": list(_causes().for_service(service)),
        "faqs": list(_faqs().for_service(service)),
        "tips": list(_tips().for_service(service)[:6]),
        # One service: its channels in their own order.
        "channels": list(_channels().filter(service=service).order_by("order", "pk")),
        "breadcrumbs": _crumbs((service.name, service.get_absolute_url())),
    }


def cause_page(slug: str) -> dict[str, object]:
    cause = get_object_or_404(Cause.objects.published(), slug=slug)
    services = list(cause.services.all())
    return {
        "cause": cause,
        "services": services,
        # One cause: its remedies in their own order (the model orders by cause first).
        "remedies": list(cause.remedies.order_by("order", "pk")),
        "faqs": list(_faqs().filter(causes=cause)),
        "tips": list(_tips().filter(causes=cause)),
        "channels": list(_channels().filter(service__in=services)),
        "breadcrumbs": _crumbs(
            (_("Why you cannot log in"), reverse("articles:causes")),
            (cause.title, cause.get_absolute_url()),
        ),
    }


def faq_index(service_slug: str | None) -> dict[str, object]:
    services = list(Service.objects.all())
    current = None
    faqs = _faqs()
    if service_slug:
        current = next((s for s in services if s.slug == service_slug), None)
        if current is None:
            raise Http404(_("There is no such service."))
        faqs = faqs.for_service(current)
    return {
        "services": services,
        "current_service": current,
        "faqs": list(faqs),
        "breadcrumbs": _crumbs((_("Frequently asked questions"), reverse("articles:faqs"))),
    }


def faq_page(slug: str) -> dict[str, object]:
    faq = get_object_or_404(FAQ.objects.published(), slug=slug)
    causes = list(_causes().filter(faqs=faq))
    related = _faqs().filter(causes__in=causes).exclude(pk=faq.pk).distinct()[:5]
    return {
        "faq": faq,
        "services": list(faq.services.all()),
        "causes": causes,
        "related": list(related),
        "breadcrumbs": _crumbs(
            (_("Frequently asked questions"), reverse("articles:faqs")),
            (faq.question, faq.get_absolute_url()),
        ),
    }


def tip_index() -> dict[str, object]:
    causes = Prefetch("causes", queryset=_causes(), to_attr="published_causes")
    return {
        "tips": list(_tips().prefetch_related(causes)),
        "breadcrumbs": _crumbs((_("Prevention tips"), reverse("articles:tips"))),
    }


def tip_page(slug: str) -> dict[str, object]:
    tip = get_object_or_404(PreventionTip.objects.published(), slug=slug)
    return {
        "tip": tip,
        "services": list(tip.services.all()),
        "causes": list(_causes().filter(tips=tip)),
        "breadcrumbs": _crumbs(
            (_("Prevention tips"), reverse("articles:tips")),
            (tip.title, tip.get_absolute_url()),
        ),
    }


def contact_index() -> dict[str, object]:
    channels = Prefetch(
        "support_channels",
        queryset=SupportChannel.objects.published()
        .order_by("order", "pk")
        .only("service", "summary"),
        to_attr="published_channels",
    )
    return {
        "services": list(Service.objects.prefetch_related(channels)),
        "breadcrumbs": _crumbs((_("Contact"), reverse("articles:contact"))),
    }


def contact_page(slug: str) -> dict[str, object]:
    service = get_object_or_404(Service, slug=slug)
    return {
        "service": service,
        "channels": list(
            SupportChannel.objects.published()
            .filter(service=service)
            .order_by("order", "pk")
            .defer("body")
        ),
        "urgent_causes": list(_causes().for_service(service).filter(urgent=True)),
        "breadcrumbs": _crumbs(
            (_("Contact"), reverse("articles:contact")),
            (service.name, service.get_contact_url()),
        ),
    }
