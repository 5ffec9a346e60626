"""The flow graph in memory: built from the database, rebuilt when the content version changes.

Each worker keeps the graph it built and the version it was built from (`articles.version`);
a request costs one small query to compare versions, and the rebuild happens only after an edit.
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Prefetch

from articles import version
from articles.models import FAQ, Cause, PreventionTip, Service, SupportChannel

from .models import Option, OptionCause, Question
from .ranking import (
    CauseNode,
    ChannelNode,
    FaqNode,
    Graph,
    OptionNode,
    QuestionNode,
    RemedyNode,
    ServiceNode,
    TipNode,
    Weight,
)


def current() -> Graph:
    """The graph of the current content version."""
    return _graph.get()


def build(at_version: int) -> Graph:
    services = {
        s.slug: ServiceNode(s.slug, s.name, s.short_name, s.get_contact_url())
        for s in Service.objects.all()
    }
    tips_by_cause: dict[int, list[TipNode]] = defaultdict(list)
    for tip in PreventionTip.objects.published().prefetch_related("causes"):
        node = TipNode(tip.slug, tip.title, tip.summary, tip.get_absolute_url())
        for cause in tip.causes.all():
            tips_by_cause[cause.pk].append(node)
    faqs_by_cause: dict[int, list[FaqNode]] = defaultdict(list)
    for faq in FAQ.objects.published().prefetch_related("causes"):
        faq_node = FaqNode(faq.slug, faq.question, faq.get_absolute_url())
        for cause in faq.causes.all():
            faqs_by_cause[cause.pk].append(faq_node)
    causes = tuple(
        CauseNode(
            slug=c.slug,
            code=c.code,
            title=c.title,
            summary=c.summary,
            urgent=c.urgent,
            warning=c.warning,
            url=c.get_absolute_url(),
            services=frozenset(s.slug for s in c.services.all()),
            remedies=tuple(
                RemedyNode(
                    r.pk,
                    c.slug,
                    r.title,
                    r.body_html,
                    action=r.is_action,
                    first_when=frozenset(r.first_when_list),
                    version=r.version,
                    pinned=r.pinned,
                )
                for r in c.remedies.all()
            ),
            tips=tuple(tips_by_cause[c.pk]),
            faqs=tuple(faqs_by_cause[c.pk]),
        )
        for c in Cause.objects.published().prefetch_related("services", "remedies")
    )
    published = {c.slug for c in causes}
    channels: dict[str, list[ChannelNode]] = defaultdict(list)
    for ch in SupportChannel.objects.published().select_related("service"):
        channels[ch.service.slug].append(
            ChannelNode(
                ch.slug,
                ch.service.slug,
                ch.title,
                ch.summary,
                tuple(ch.method_list),
                ch.url,
                ch.body_html,
                ch.get_absolute_url(),
            )
        )
    options = Option.objects.select_related("service").prefetch_related(
        "services",
        Prefetch("weights", queryset=OptionCause.objects.select_related("cause")),
    )
    questions = tuple(
        QuestionNode(
            slug=q.slug,
            kind=q.kind,
            text=q.text,
            help=q.help,
            services=frozenset(s.slug for s in q.services.all()),
            after=frozenset(o.slug for o in q.after.all()),
            options=tuple(
                OptionNode(
                    slug=o.slug,
                    question=q.slug,
                    label=o.label,
                    hint=o.hint,
                    service=o.service.slug if o.service else None,
                    services=frozenset(s.slug for s in o.services.all()),
                    neutral=o.neutral,
                    weights=tuple(
                        Weight(w.cause.slug, w.weight, w.decisive)
                        for w in o.weights.all()
                        if w.cause.slug in published
                    ),
                )
                for o in q.options.all()
            ),
        )
        for q in Question.objects.published().prefetch_related(
            "services", "after", Prefetch("options", queryset=options)
        )
    )
    return Graph(
        version=at_version,
        questions=questions,
        causes=causes,
        services=services,
        channels={k: tuple(v) for k, v in channels.items()},
    )


_graph = version.Cached(build)
