"""How well a candidate answers a query: all words above some, title above summary above body,
causes above other articles; and which results are not worth showing at all.

The tail cut: once some result has every word of the query (and one of them as typed, or in
its title or summary), results are dropped that have fewer than half the words, or that match
only through a synonym in their body text (a "weak" match: 「暗証番号」 deep in an article for a
search of 「パスワード」)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .backends import Candidate
from .query import Group

FIELD_SCORE = {"title": 30, "summary": 12, "body": 4}
KIND_SCORE = {"cause": 6, "contact": 4, "faq": 2, "tip": 0}
AS_TYPED = 6  # for each word found as typed, not through a synonym: as much as a cause over a tip
KIND_ORDER = {"cause": 0, "faq": 1, "contact": 2, "tip": 3}  # among equal scores; then by title


@dataclass(frozen=True, slots=True)
class Score:
    matched: int  # query words found
    strong: int  # of those, found as typed, or in the title or summary
    points: int


def score(entry: Candidate, groups: Sequence[Group], phrases: Sequence[Group] = ()) -> Score:
    """How many query words were found, how many of them strongly, and the points. `phrases`
    are whole phrases that were split into pieces: finding one intact is worth its field's
    score again, and more."""
    fields = (
        (entry.norm_title, entry.title, FIELD_SCORE["title"]),
        (entry.norm_summary, entry.summary, FIELD_SCORE["summary"]),
        (entry.norm_body, entry.body, 0),
    )
    matched = strong = total = 0
    for group in groups:
        for text, display, points in fields:
            found = group.match(text, display)
            if found:
                if not points:  # the body: a little more for each mention, up to 4
                    hits = sum(text.count(w) for alt in group.alternatives for w in alt)
                    points = FIELD_SCORE["body"] + min(hits, 4)
                    strong += found == 2
                else:
                    strong += 1
                matched += 1
                total += points + AS_TYPED * (found == 2)
                break
    if matched and any(entry.norm_title.startswith(g.word) for g in groups):
        total += 2
    for phrase in phrases:
        for text, display, points in fields:
            if phrase.found_in(text, display):
                total += (points or FIELD_SCORE["body"]) + 8
                break
    return Score(matched, strong, total + KIND_SCORE.get(entry.kind, 0) * bool(matched))


def worth_showing(found: Score, words: int) -> bool:
    """Whether a result survives the tail cut (applied once some result has every word)."""
    return found.strong > 0 and 2 * found.matched >= words


def ranked(
    entries: Iterable[Candidate], groups: Sequence[Group], phrases: Sequence[Group] = ()
) -> list[tuple[int, int, Candidate]]:
    """(words found, score, entry) of the entries where any word was found, best first: most
    words, then highest score, then by kind (KIND_ORDER) and title; the tail cut applied."""
    scored = []
    for entry in entries:
        found = score(entry, groups, phrases)
        if found.matched:
            scored.append((found, KIND_ORDER.get(entry.kind, 9), entry.title, entry))
    words = len(groups)
    if any(f.matched == words and f.strong for f, *_ in scored):
        scored = [row for row in scored if worth_showing(row[0], words)]
    scored.sort(key=lambda row: (-row[0].matched, -row[0].points, row[1], row[2]))
    return [(found.matched, found.points, entry) for found, _, _, entry in scored]
