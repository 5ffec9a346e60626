"""The JSON payload of `GET /api/diagnose`, built from plain values (the view only serialises)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from . import learning, ranking
from .forms import SLUG
from .ranking import Graph


class BadQuery(ValueError):
    """A parameter the API cannot answer; `field` names it."""

    def __init__(self, field: str, message: str):
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}")


def diagnose(graph: Graph, service: str, answers: list[str]) -> dict[str, Any]:
    """Unknown ids are errors here, unlike on the pages, so that a client learns about its
    mistake."""
    service_question = graph.service_question
    service_options = {o.slug for o in service_question.options} if service_question else set()
    if service not in service_options:
        raise BadQuery(
            "service",
            _("There is no service “%(service)s” (%(known)s).")
            % {"service": service[:60], "known": ", ".join(sorted(service_options))},
        )
    unknown = [a for a in answers if not SLUG.match(a) or graph.option(a) is None]
    if unknown:
        raise BadQuery(
            "answers",
            _("Unknown answers: %(unknown)s") % {"unknown": ", ".join(u[:60] for u in unknown[:5])},
        )
    ranked = ranking.rank(graph, service, answers, learning.orders(graph))
    base = settings.SITE_URL
    return {
        "service": service,
        "answers": list(ranked.answers.slugs),
        "fallback": ranked.fallback,
        "notes": list(ranked.notes),
        "causes": [
            {
                "code": rc.cause.code,
                "slug": rc.cause.slug,
                "title": rc.cause.title,
                "score": rc.score,
                "urgent": rc.decisive,
                "warning": rc.cause.warning if rc.decisive else "",
                "reasons": list(rc.reasons),
                "url": base + rc.cause.url,
                "checklist": rc.checklist,
                "remedies": [
                    {
                        "title": r.title,
                        "kind": "action" if r.action else "fix",
                        "url": f"{base}{rc.cause.url}#remedy-{r.id}",
                    }
                    for r in rc.remedies
                ],
            }
            for rc in ranked.causes
        ],
        "others": [
            {"slug": rc.cause.slug, "title": rc.cause.title, "url": base + rc.cause.url}
            for rc in ranked.others
        ],
    }
