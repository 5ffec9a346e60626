"""One search over causes (with their remedies), FAQs and tips, on SQLite and PostgreSQL.

Japanese is not split by spaces, so search matches substrings of normalised text (see
`search.normalise`): any query of one or more characters, typed in katakana or hiragana, full
or half width. Staff-edited synonyms widen each query word (`search.query`). Candidates come
from an index, tier by tier (every word in the title, then summary, then body; then any word:
`search.backends`), and are scored (`search.scoring`): title above summary above body, all
words above some, causes above other articles. Matches are marked in the title and a snippet
(`search.snippets`).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from .backends import CANDIDATES, Candidate, candidates, count_upto
from .models import SearchEntry
from .normalise import grams, normalise, words
from .query import (
    MAX_WORDS,
    SPLIT_BELOW,
    Group,
    clean_query,
    parse_query,
    phrase_pieces,
    split_phrases,
    synonym_map,
)
from .scoring import ranked, score
from .snippets import highlight, snippet

# The label on each result's badge (and `kind_label` in the API).
KIND_LABELS = {
    SearchEntry.Kind.CAUSE: _("Cause"),
    SearchEntry.Kind.FAQ: _("FAQ"),
    SearchEntry.Kind.TIP: _("Prevention tip"),
}


def kind_label(entry: Candidate) -> str:
    return str(KIND_LABELS[SearchEntry.Kind(entry.kind)])


@dataclass(frozen=True)
class Result:
    kind: str
    kind_label: str
    title: str
    url: str
    snippet: str
    title_html: SafeString
    snippet_html: SafeString
    score: int


@dataclass(frozen=True)
class Results:
    query: str
    groups: tuple[Group, ...]
    results: tuple[Result, ...]

    def __bool__(self) -> bool:
        return bool(self.results)

    def __len__(self) -> int:
        return len(self.results)


def search(query: str | None, limit: int = 20) -> Results:
    """Published causes, FAQs and tips for a query, best first."""
    cleaned = clean_query(query)
    synonyms = synonym_map()
    typed = parse_query(cleaned, synonyms)
    if not typed:
        return Results(cleaned, (), ())
    found = {g.word: count_upto(g, SPLIT_BELOW) for g in typed if phrase_pieces(g, synonyms)}
    groups = split_phrases(typed, found, synonyms)
    entries = candidates(groups, max(CANDIDATES, 2 * limit))
    phrases = [g for g in typed if g not in groups]
    needles = [w for g in groups for alt in g.alternatives for w in alt]
    results = []
    for matched, points, entry in ranked(entries, groups, phrases)[:limit]:
        cut = snippet(entry, needles)
        results.append(
            Result(
                kind=entry.kind,
                kind_label=kind_label(entry),
                title=entry.title,
                url=entry.url,
                snippet=cut.text,
                title_html=highlight(entry.title, needles, entry.norm_title),
                snippet_html=cut.html,
                score=matched * 100 + points,
            )
        )
    return Results(cleaned, tuple(groups), tuple(results))


def closest_faqs(query: str, limit: int = 3) -> list[Result]:
    """For an empty result: the FAQs sharing the most two-character pieces with the query."""
    pieces = {g for w in words(normalise(clean_query(query))) for g in grams(w) if len(g) == 2}
    if not pieces:
        return []
    groups = [Group(p, ((p,),)) for p in sorted(pieces)[:MAX_WORDS]]
    entries = candidates(groups, kinds=[SearchEntry.Kind.FAQ])
    scores = {e.pk: score(e, groups) for e in entries}
    ranked_faqs = sorted(entries, key=lambda e: (-scores[e.pk][0], -scores[e.pk][1], e.title))
    return [
        Result(
            e.kind,
            kind_label(e),
            e.title,
            e.url,
            e.summary,
            escape(e.title),
            escape(e.summary),
            0,
        )
        for e in ranked_faqs[:limit]
    ]
