"""Matches marked in the display text: the title highlighted, and a snippet of the summary or
body around the first match, cut where a word begins or ends (`search.boundaries`). Every piece
of text is escaped; only <mark> is added."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from django.utils.html import escape, format_html_join
from django.utils.safestring import SafeString

from .backends import Candidate
from .boundaries import DROPPED, at_word, cut_end, cut_start, fold, needle_pattern

# Needles that count only where a word starts: needle → whether it must also end one.
Bounded = Mapping[str, bool]
_NO_MARKS = str.maketrans("", "", DROPPED)


def _spans(
    text: str,
    needles: Iterable[str],
    bounded: Bounded | None = None,
    low: int = 0,
    high: int | None = None,
) -> list[tuple[int, int]]:
    """Where in text[low:high] the (normalised) needles are, as merged (start, end) pairs in
    positions of `text`. Only that part is folded, with a character of context on each side
    for the word boundaries."""
    wanted = tuple(sorted({n for n in needles if n}))
    if not wanted:
        return []
    high = len(text) if high is None else min(high, len(text))
    offset = max(0, low - 1)
    part = text[offset : high + 1]
    merged: list[tuple[int, int]] = []
    for match in needle_pattern(wanted).finditer(fold(part), low - offset, high - offset):
        start, end = match.span()
        if bounded:
            whole = bounded.get(match.group().translate(_NO_MARKS))
            if whole is not None and not at_word(part, start, end, whole):
                continue
        start, end = start + offset, end + offset
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _marked(text: str, spans: Iterable[tuple[int, int]]) -> SafeString:
    """Escaped text with each span in <mark> (format_html_join and escape do the escaping)."""
    pairs = []
    pos = 0
    for start, end in spans:
        pairs.append((text[pos:start], text[start:end]))
        pos = end
    return format_html_join("", "{}<mark>{}</mark>", pairs) + escape(text[pos:])


def highlight(
    text: str,
    needles: Iterable[str],
    normalised: str | None = None,
    bounded: Bounded | None = None,
) -> SafeString:
    """Escaped text with every match in <mark>: the query never reaches the page as HTML.
    `normalised` (the text normalised, when known) spares the work where nothing matches."""
    if normalised is not None and not any(n and n in normalised for n in needles):
        return escape(text)
    return _marked(text, _spans(text, needles, bounded))


@dataclass(frozen=True)
class Snippet:
    text: str
    html: SafeString


def _cut(text: str, start: int, end: int, spans: Iterable[tuple[int, int]] = ()) -> Snippet:
    before, after = ("…" if start else ""), ("…" if end < len(text) else "")
    cut = text[start:end]
    return Snippet(before + cut + after, escape(before) + _marked(cut, spans) + escape(after))


def snippet(
    entry: Candidate, needles: Sequence[str], width: int = 90, bounded: Bounded | None = None
) -> Snippet:
    """About `width` characters of the summary, or else of the body, around the first match,
    with the matches marked, cut where words begin and end, … where text is left out.

    The normalised fields say where the first match is, so only a window of the display text
    around it is mapped character by character (normalised positions run a little behind, as
    long vowel marks are dropped; the window allows for that)."""
    for text, normalised in ((entry.summary, entry.norm_summary), (entry.body, entry.norm_body)):
        positions = [i for i in (normalised.find(n) for n in needles if n) if i >= 0]
        if not positions:
            continue
        low, high = max(0, min(positions) - width), min(positions) + 2 * width
        spans = _spans(text, needles, bounded, low, high)
        if not spans:  # very far behind: look through the whole text
            low, high = 0, len(text)
            spans = _spans(text, needles, bounded)
        if not spans:
            continue
        first, first_end = spans[0]
        start = cut_start(text, first - width // 3, first)
        end = cut_end(text, start + width, first_end)
        if start < low or end > high:
            spans = _spans(text, needles, bounded, start, end)
        inside = [
            (max(s, start) - start, min(e, end) - start) for s, e in spans if s < end and e > start
        ]
        return _cut(text, start, end, inside)
    summary = entry.summary
    return _cut(summary, 0, cut_end(summary, width, 0))
