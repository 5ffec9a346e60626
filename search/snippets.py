"""Matches marked in the display text: the title highlighted, and a snippet of the summary or
body around the first match. Every piece of text is escaped; only <mark> is added."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from django.utils.html import escape, format_html_join
from django.utils.safestring import SafeString

from .backends import Candidate
from .normalise import normalise

# Highlighting works on the display text, so positions must stay those of the display text.
# Each character is folded on its own, one to one (ア → あ, Ａ → a); the marks that
# normalisation drops (ー, 〜) stay, and a needle may have them between any two characters.
_DROPPED = "ー〜～"


class _OneToOne(dict[int, str]):
    """Each character's normalised form where that is one character, else the character."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        folded = normalise(char)
        self[code] = value = folded if len(folded) == 1 else char
        return value


_FOLD_ONE = _OneToOne()  # a str.translate table, filled as characters are met


@lru_cache(maxsize=512)
def _needle_pattern(needles: tuple[str, ...]) -> re.Pattern[str]:
    gap = f"[{_DROPPED}]*"
    longest_first = sorted(needles, key=len, reverse=True)
    return re.compile("|".join(gap.join(map(re.escape, n)) + gap for n in longest_first))


def _spans(text: str, needles: Iterable[str]) -> list[tuple[int, int]]:
    """Where in `text` the (normalised) needles are, as merged (start, end) pairs."""
    wanted = tuple(sorted({n for n in needles if n}))
    if not wanted:
        return []
    merged: list[tuple[int, int]] = []
    for match in _needle_pattern(wanted).finditer(text.translate(_FOLD_ONE)):
        start, end = match.span()
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


def highlight(text: str, needles: Iterable[str], normalised: str | None = None) -> SafeString:
    """Escaped text with every match in <mark>: the query never reaches the page as HTML.
    `normalised` (the text normalised, when known) spares the work where nothing matches."""
    if normalised is not None and not any(n and n in normalised for n in needles):
        return escape(text)
    return _marked(text, _spans(text, needles))


@dataclass(frozen=True)
class Snippet:
    text: str
    html: SafeString


def snippet(entry: Candidate, needles: Sequence[str], width: int = 90) -> Snippet:
    """About `width` characters of the summary, or else of the body, around the first match,
    with the matches marked.

    The normalised fields say where the first match is, so only a window of the display text
    around it is mapped character by character (normalised positions run a little behind, as
    long vowel marks are dropped; the window allows for that)."""
    for text, normalised in ((entry.summary, entry.norm_summary), (entry.body, entry.norm_body)):
        positions = [i for i in (normalised.find(n) for n in needles if n) if i >= 0]
        if not positions:
            continue
        low = max(0, min(positions) - width // 2)
        spans = _spans(text[low : low + 2 * width], needles)
        if not spans:  # very far behind: look through the whole text
            low, spans = 0, _spans(text, needles)
        if spans:
            start = max(0, low + spans[0][0] - width // 3)
            end = min(len(text), start + width)
            inside = [
                (max(s + low, start) - start, min(e + low, end) - start)
                for s, e in spans
                if s + low < end and e + low > start
            ]
            cut = text[start:end]
            before, after = ("…" if start else ""), ("…" if end < len(text) else "")
            return Snippet(
                before + cut + after, escape(before) + _marked(cut, inside) + escape(after)
            )
    cut = entry.summary[:width] + ("…" if len(entry.summary) > width else "")
    return Snippet(cut, escape(cut))
