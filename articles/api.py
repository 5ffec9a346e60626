"""JSON payloads of the public API, built from plain values (the views only serialise them)."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from . import diagnosis
from . import search as site_search
from .diagnosis import Graph
from .flow import MAX_ANSWERS, SLUG, BadQuery


def diagnose(graph: Graph, service: str | None, answers: str | None) -> dict[str, Any]:
    """`GET /api/diagnose?service=...&answers=a,b`: unknown ids are errors here, unlike the pages,
    so that a client learns about its mistake."""
    service = (service or "").strip()
    service_question = graph.service_question
    service_options = {o.slug for o in service_question.options} if service_question else set()
    if not service:
        raise BadQuery(
            "service", f"service を指定してください（{', '.join(sorted(service_options))}）。"
        )
    if service not in service_options:
        raise BadQuery(
            "service",
            f"service「{service[:60]}」はありません（{', '.join(sorted(service_options))}）。",
        )
    slugs = [a.strip() for a in (answers or "").split(",") if a.strip()]
    if len(slugs) > MAX_ANSWERS:
        raise BadQuery("answers", f"answers は {MAX_ANSWERS} 個までです。")
    unknown = [a for a in slugs if not SLUG.match(a) or graph.option(a) is None]
    if unknown:
        raise BadQuery(
            "answers", f"answers に不明な回答があります: {', '.join(u[:60] for u in unknown[:5])}"
        )
    ranking = diagnosis.rank(graph, service, slugs)
    base = settings.SITE_URL
    return {
        "service": service,
        "answers": list(ranking.answers.slugs),
        "fallback": ranking.fallback,
        "notes": list(ranking.notes),
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
                "remedies": [
                    {"title": r.title, "url": f"{base}{rc.cause.url}#remedy-{r.id}"}
                    for r in rc.cause.remedies
                ],
            }
            for rc in ranking.causes
        ],
    }


def search(query: str | None, limit: str | None) -> dict[str, Any]:
    """`GET /api/search?q=...&limit=`: over-long queries are cut, never an error."""
    cleaned = site_search.clean_query(query)
    if not cleaned:
        raise BadQuery("q", "q に検索語を指定してください。")
    limit = (limit or "").strip()
    if not limit:
        count = 10
    elif limit.isdigit() and len(limit) < 4 and 1 <= int(limit) <= 50:
        count = int(limit)
    else:
        raise BadQuery("limit", "limit は 1 から 50 までの整数で指定してください。")
    results = site_search.search(cleaned, limit=count)
    base = settings.SITE_URL
    return {
        "query": cleaned,
        "results": [
            {
                "kind": r.kind,
                "kind_label": r.kind_label,
                "title": r.title,
                "url": base + r.url,
                "snippet": r.snippet,
                "snippet_html": str(r.snippet_html),
                "score": r.score,
            }
            for r in results.results
        ],
    }


def error(exc: BadQuery) -> dict[str, Any]:
    return {"error": {"field": exc.field, "message": exc.message}}
