"""The flow graph in memory: built from the database, rebuilt when the content version changes.

Every save or delete of content or flow data bumps `ContentVersion` (see `signals.py`). Each
worker keeps the graph it built and the version it was built from; a request costs one small
query to compare versions, and the rebuild happens only after an edit.
"""

from __future__ import annotations

import threading
from collections import defaultdict

from django.db import connection
from django.db.models import F, Prefetch

from .diagnosis import (
    CauseNode,
    ChannelNode,
    Graph,
    OptionNode,
    QuestionNode,
    RemedyNode,
    ServiceNode,
    TipNode,
    Weight,
)
from .models import (
    Cause,
    ContentVersion,
    Option,
    OptionCause,
    PreventionTip,
    Question,
    Service,
    SupportChannel,
)

_lock = threading.Lock()
_graph: Graph | None = None
local_bumps = 0  # bumps made by this process: what it must notice at once (see search.py)


def version() -> int:
    """The content version: one indexed read of one row, asked on every flow step and search,
    so it skips the ORM's query building."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT version FROM {ContentVersion._meta.db_table} WHERE id = 1")
        row = cursor.fetchone()
    return row[0] if row else 0


def bump() -> None:
    """Mark every worker's graph as stale."""
    global local_bumps
    local_bumps += 1
    if not ContentVersion.objects.filter(pk=1).update(version=F("version") + 1):
        ContentVersion.objects.get_or_create(pk=1, defaults={"version": 1})


def current() -> Graph:
    global _graph
    wanted = version()
    graph = _graph
    if graph is not None and graph.version == wanted:
        return graph
    with _lock:
        if _graph is None or _graph.version != wanted:
            _graph = build(wanted)
        return _graph


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
                RemedyNode(r.pk, c.slug, r.title, r.body_html) for r in c.remedies.all()
            ),
            tips=tuple(tips_by_cause[c.pk]),
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
