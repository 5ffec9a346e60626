"""How well a candidate answers a query: title above summary above body, all words above some,
causes above other articles."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from .backends import Candidate
from .query import Group

FIELD_SCORE = {"title": 30, "summary": 12, "body": 4}
KIND_SCORE = {"cause": 6, "faq": 2, "tip": 0}
KIND_ORDER = {"cause": 0, "faq": 1, "tip": 2}  # among equal scores; then by title


def score(
    entry: Candidate, groups: Sequence[Group], phrases: Sequence[Group] = ()
) -> tuple[int, int]:
    """(how many query words were found, score). `phrases` are whole phrases that were split
    into pieces: finding one intact is worth its field's score again, and more."""
    fields = (
        (entry.norm_title, FIELD_SCORE["title"]),
        (entry.norm_summary, FIELD_SCORE["summary"]),
        (entry.norm_body, 0),
    )
    matched = 0
    total = 0
    for group in groups:
        for text, points in fields:
            if group.found_in(text):
                if not points:  # the body: a little more for each mention, up to 4
                    hits = sum(text.count(w) for alt in group.alternatives for w in alt)
                    points = FIELD_SCORE["body"] + min(hits, 4)
                matched += 1
                total += points
                break
    if matched and any(entry.norm_title.startswith(g.word) for g in groups):
        total += 2
    for phrase in phrases:
        for text, points in fields:
            if phrase.found_in(text):
                total += (points or FIELD_SCORE["body"]) + 8
                break
    return matched, total + KIND_SCORE.get(entry.kind, 0) * bool(matched)


def ranked(
    entries: Iterable[Candidate], groups: Sequence[Group], phrases: Sequence[Group] = ()
) -> list[tuple[int, int, Candidate]]:
    """(words found, score, entry) of the entries where any word was found, best first: most
    words, then highest score, then by kind (KIND_ORDER) and title."""
    scored = []
    for entry in entries:
        matched, points = score(entry, groups, phrases)
        if matched:
            scored.append((-matched, -points, KIND_ORDER.get(entry.kind, 9), entry.title, entry))
    scored.sort(key=lambda row: row[:4])
    return [(-matched, -points, entry) for matched, points, _, _, entry in scored]
