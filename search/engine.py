"""One search over causes (with their remedies), FAQs, tips and contact pages, on SQLite and
PostgreSQL.

Japanese is not split by spaces, so search matches substrings of normalised text (see
`search.normalise`): any query of one or more characters, typed in katakana or hiragana, full
or half width, or in romaji with the input method off (`search.romaji`). Staff-edited synonyms
widen each query word (`search.query`); a short kana or Latin word counts only where a word
starts (`search.boundaries`: こない is not in 出てこない). Candidates come
from an index, tier by tier (every word in the title, then summary, then body; then any word:
`search.backends`), and are scored (`search.scoring`): title above summary above body, all
words above some, causes above other articles, and the weak tail is cut once some result has
every word. Matches are marked in the title and a snippet cut at word boundaries
(`search.snippets`).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from .backends import CANDIDATES, Candidate, candidates
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
    SearchEntry.Kind.CONTACT: _("Contact"),
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
    """Published causes, FAQs, tips and contact pages for a query, best first."""
    cleaned = clean_query(query)
    synonyms = synonym_map()
    typed = parse_query(cleaned, synonyms)
    if not typed:
        return Results(cleaned, (), ())
    wanted = max(CANDIDATES, 2 * limit)
    # Phrases typed without spaces are searched for by their pieces where the whole phrase is
    # (almost) nowhere: guessed so, and checked in the same round trip as the first candidates.
    phrased = [g for g in typed if phrase_pieces(g, synonyms)]
    groups = split_phrases(typed, {}, synonyms)
    entries, whole = candidates(groups, wanted, phrases=phrased, enough=SPLIT_BELOW)
    found = {g.word: len(rows) for g, rows in zip(phrased, whole, strict=True)}
    if (split := split_phrases(typed, found, synonyms)) != groups:
        groups = split
        if len(typed) == 1 and len(whole[0]) < wanted:  # every entry with the phrase
            entries = whole[0]
        else:
            entries, _ = candidates(groups, wanted)
    phrases = [g for g in typed if g not in groups]
    needles = [w for g in groups for alt in g.alternatives for w in alt]
    bounded: dict[str, bool] = {}  # short words that count only where a word starts
    for group in groups:
        for word, must_end in group.bounded().items():
            bounded[word] = bounded.get(word, True) and must_end  # typed in any group: start only
    results = []
    for matched, points, entry in ranked(entries, groups, phrases)[:limit]:
        cut = snippet(entry, needles, bounded=bounded)
        results.append(
            Result(
                kind=entry.kind,
                kind_label=kind_label(entry),
                title=entry.title,
                url=entry.url,
                snippet=cut.text,
                title_html=highlight(entry.title, needles, entry.norm_title, bounded),
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
    groups = [Group(p, ((p,),), whole_words=False) for p in sorted(pieces)[:MAX_WORDS]]
    entries, _ = candidates(groups, kinds=[SearchEntry.Kind.FAQ])
    scores = {e.pk: score(e, groups) for e in entries}
    ranked_faqs = sorted(
        entries, key=lambda e: (-scores[e.pk].matched, -scores[e.pk].points, e.title)
    )
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
