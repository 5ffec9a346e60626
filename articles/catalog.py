"""What each browsable page shows, as plain values: the views only render these.

Every function runs a fixed number of queries, whatever the amount of content (no per-item
lookups), so pages stay fast as staff add content. The page's own subject (a cause, an FAQ, a
tip, a service) is a model instance; lists are plain rows (dicts) with only the fields the page
shows and the item's `url`, read with `.values()`: no model instances, no Markdown bodies a list
does not show, no prefetch machinery, and URLs built without a reverse() per item
(`models.slug_urls`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

from django.db.models import FilteredRelation, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _

from .models import FAQ, Cause, PreventionTip, Service, Status, SupportChannel

Row = dict[str, Any]

# What a list shows of each kind of content.
SERVICE_LINK = ("pk", "slug", "name", "short_name")
CAUSE_CARD = ("slug", "title", "summary", "urgent", "warning")
FAQ_ITEM = ("slug", "question", "answer_html")
TIP_CARD = ("slug", "title", "summary")
CHANNEL_LINK = ("slug", "title", "summary", "service__slug")


@dataclass(frozen=True)
class Crumb:
    title: str
    url: str


def _crumbs(*items: tuple[str, str]) -> list[Crumb]:
    """Home, then the items. Built on each request, so the titles are in the active language."""
    return [Crumb(_("Home"), "/"), *(Crumb(title, url) for title, url in items)]


def slug_urls(viewname: str) -> Callable[[str], str]:
    return lambda slug: reverse(viewname, args=[slug])


def _with_urls(rows: Iterable[Row], viewname: str) -> list[Row]:
    """The rows as a list, each with the `url` of its slug under `viewname`."""
    url = slug_urls(viewname)
    result = list(rows)
    for row in result:
        row["url"] = url(row["slug"])
    return result


def _services(services: QuerySet[Service]) -> list[Row]:
    return _with_urls(services.values(*SERVICE_LINK), "articles:service")


def _causes(causes: QuerySet[Cause]) -> list[Row]:
    return _with_urls(causes.values(*CAUSE_CARD), "articles:cause")


def _faqs(faqs: QuerySet[FAQ], limit: int | None = None) -> list[Row]:
    return _with_urls(faqs.values(*FAQ_ITEM)[:limit], "articles:faq")


def _tips(tips: QuerySet[PreventionTip], limit: int | None = None) -> list[Row]:
    return _with_urls(tips.values(*TIP_CARD)[:limit], "articles:tip")


def _channels(channels: QuerySet[SupportChannel]) -> list[Row]:
    """Links to channels: `<contact page of the channel's service>#<channel slug>`, which is
    `SupportChannel.get_absolute_url`."""
    contact_url = slug_urls("articles:contact_service")
    result = list(channels.values(*CHANNEL_LINK))
    for row in result:
        row["url"] = f"{contact_url(row['service__slug'])}#{row['slug']}"
    return result


def _services_with_channels(services: QuerySet[Service]) -> tuple[list[Row], list[Row]]:
    """The services, and links to their published support channels, from one query (services
    LEFT JOIN published channels). The channels come in `SupportChannel`'s own order: service
    order, then channel order."""
    published = FilteredRelation(
        "support_channels", condition=Q(support_channels__status=Status.PUBLISHED)
    )
    rows = services.annotate(channel=published).values(
        *SERVICE_LINK, "order", "channel__pk", "channel__order", "channel__slug", "channel__title"
    )
    service_url = slug_urls("articles:service")
    contact_url = slug_urls("articles:contact_service")
    found: dict[int, Row] = {}
    channels: list[tuple[tuple[int, int, int], Row]] = []
    for row in rows:
        if row["pk"] not in found:
            found[row["pk"]] = {
                **{name: row[name] for name in SERVICE_LINK},
                "url": service_url(row["slug"]),
            }
        if row["channel__pk"] is not None:
            order = (row["order"], row["channel__order"], row["channel__pk"])
            url = f"{contact_url(row['slug'])}#{row['channel__slug']}"
            channels.append((order, {"title": row["channel__title"], "url": url}))
    channels.sort(key=itemgetter(0))
    return list(found.values()), [channel for _order, channel in channels]


@dataclass
class ServiceGroup:
    service: Row
    causes: list[Row] = field(default_factory=list)


def _causes_by_service(services: list[Row]) -> tuple[list[ServiceGroup], list[Row]]:
    """Every service with its published causes, and all published causes, in their order.

    One query: the causes joined to their services (a cause comes once for each service, or
    once with `None` when it has none)."""
    groups = {s["pk"]: ServiceGroup(s) for s in services}
    causes: dict[str, Row] = {}
    rows = Cause.objects.published().values(*CAUSE_CARD, "services")
    for row in _with_urls(rows, "articles:cause"):
        cause = causes.setdefault(row["slug"], row)
        group = groups.get(row.pop("services"))
        if group is not None:
            group.causes.append(cause)
    return list(groups.values()), list(causes.values())


def home() -> dict[str, object]:
    groups, causes = _causes_by_service(_services(Service.objects.all()))
    return {
        "groups": groups,
        "urgent_causes": [c for c in causes if c["urgent"]],
        "faqs": _faqs(FAQ.objects.published().filter(featured=True), limit=6),
        "tips": _tips(PreventionTip.objects.published(), limit=6),
    }


def cause_index() -> dict[str, object]:
    groups, causes = _causes_by_service(_services(Service.objects.all()))
    return {
        "groups": groups,
        "causes": causes,
        "breadcrumbs": _crumbs((_("Why you cannot log in"), reverse("articles:causes"))),
    }


def service_page(slug: str) -> dict[str, object]:
    service = get_object_or_404(Service, slug=slug)
    return {
        "service": service,
        "causes": _causes(Cause.objects.published().for_service(service)),
        "faqs": _faqs(FAQ.objects.published().for_service(service)),
        "tips": _tips(PreventionTip.objects.published().for_service(service), limit=6),
        # One service: its channels in their own order.
        "channels": _channels(
            SupportChannel.objects.published().filter(service=service).order_by("order", "pk")
        ),
        "breadcrumbs": _crumbs((service.name, service.get_absolute_url())),
    }


def cause_page(slug: str) -> dict[str, object]:
    cause = get_object_or_404(Cause.objects.published(), slug=slug)
    services, channels = _services_with_channels(Service.objects.filter(causes=cause))
    return {
        "cause": cause,
        "services": services,
        # One cause: its remedies in their own order (the model orders by cause first).
        "remedies": list(cause.remedies.order_by("order", "pk").values("pk", "title", "body_html")),
        "faqs": _faqs(FAQ.objects.published().filter(causes=cause)),
        "tips": _tips(PreventionTip.objects.published().filter(causes=cause)),
        "channels": channels,
        "breadcrumbs": _crumbs(
            (_("Why you cannot log in"), reverse("articles:causes")),
            (cause.title, cause.get_absolute_url()),
        ),
    }


def faq_index(service_slug: str | None) -> dict[str, object]:
    services = _services(Service.objects.all())
    current = None
    faqs = FAQ.objects.published()
    if service_slug:
        current = next((s for s in services if s["slug"] == service_slug), None)
        if current is None:
            raise Http404(_("There is no such service."))
        faqs = faqs.filter(services=current["pk"])
    return {
        "services": services,
        "current_service": current,
        "faqs": _faqs(faqs),
        "breadcrumbs": _crumbs((_("Frequently asked questions"), reverse("articles:faqs"))),
    }


def faq_page(slug: str) -> dict[str, object]:
    faq = get_object_or_404(FAQ.objects.published(), slug=slug)
    causes = _with_urls(
        Cause.objects.published().filter(faqs=faq).values("pk", *CAUSE_CARD), "articles:cause"
    )
    related = (
        FAQ.objects.published()
        .filter(causes__in=[c["pk"] for c in causes])
        .exclude(pk=faq.pk)
        .distinct()
        .values("slug", "question")[:5]
    )
    return {
        "faq": faq,
        "services": _services(Service.objects.filter(faqs=faq)),
        "causes": causes,
        "related": _with_urls(related, "articles:faq"),
        "breadcrumbs": _crumbs(
            (_("Frequently asked questions"), reverse("articles:faqs")),
            (faq.question, faq.get_absolute_url()),
        ),
    }


def tip_index() -> dict[str, object]:
    tips = _with_urls(PreventionTip.objects.published().values("pk", *TIP_CARD), "articles:tip")
    by_pk: dict[int, Row] = {}
    for tip in tips:
        tip["causes"] = []
        by_pk[tip["pk"]] = tip
    # The published causes each tip prevents, in the causes' order: one query on the link table.
    links = (
        PreventionTip.causes.through.objects.filter(
            preventiontip__in=list(by_pk), cause__status=Status.PUBLISHED
        )
        .order_by("cause__order", "cause__pk")
        .values("preventiontip", "cause__slug", "cause__title")
    )
    cause_url = slug_urls("articles:cause")
    for link in links:
        by_pk[link["preventiontip"]]["causes"].append(
            {"title": link["cause__title"], "url": cause_url(link["cause__slug"])}
        )
    return {
        "tips": tips,
        "breadcrumbs": _crumbs((_("Prevention tips"), reverse("articles:tips"))),
    }


def tip_page(slug: str) -> dict[str, object]:
    tip = get_object_or_404(PreventionTip.objects.published(), slug=slug)
    return {
        "tip": tip,
        "services": _services(Service.objects.filter(tips=tip)),
        "causes": _causes(Cause.objects.published().filter(tips=tip)),
        "breadcrumbs": _crumbs(
            (_("Prevention tips"), reverse("articles:tips")),
            (tip.title, tip.get_absolute_url()),
        ),
    }


def contact_index() -> dict[str, object]:
    contact_url = slug_urls("articles:contact_service")
    services = list(Service.objects.values("pk", "slug", "name"))
    by_pk: dict[int, Row] = {}
    for service in services:
        service["url"] = contact_url(service["slug"])
        service["channels"] = []
        by_pk[service["pk"]] = service
    channels = (
        SupportChannel.objects.published().order_by("order", "pk").values("service", "summary")
    )
    for channel in channels:
        by_pk[channel["service"]]["channels"].append(channel)
    return {
        "services": services,
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
        "urgent_causes": _causes(
            Cause.objects.published().for_service(service).filter(urgent=True)
        ),
        "breadcrumbs": _crumbs(
            (_("Contact"), reverse("articles:contact")),
            (service.name, service.get_contact_url()),
        ),
    }
