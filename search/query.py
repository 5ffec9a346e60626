"""What a query asks for: the cleaned text, its words and what else each may be written as.

Staff-edited synonyms widen each word (`synonym_map`, rebuilt when the content changes).
Phrases typed without spaces ("確認コードが届かない") can be split into their pieces where the
whole phrase is (almost) nowhere to be found (`split_phrases`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

from articles import version

from .models import Synonym
from .normalise import normalise, words

MAX_QUERY = 200
MAX_WORDS = 8
MAX_ALTERNATIVES = 12
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

Synonyms = dict[str, tuple[str, ...]]


def clean_query(raw: str | None) -> str:
    """The query as a person meant it: no control characters, at most 200 characters."""
    return _CONTROL.sub("", raw or "").strip()[:MAX_QUERY]


# --- Synonyms -----------------------------------------------------------------------------------

SYNONYMS_MAX_AGE = 1.0  # seconds: how late another worker may notice a staff edit of synonyms


def _build_synonyms(at_version: int) -> Synonyms:
    groups: dict[str, set[str]] = {}
    for synonym in Synonym.objects.all():
        found = {normalise(t) for t in synonym.term_list}
        for term in found - {""}:
            groups.setdefault(term, set()).update(found - {""})
    return {k: tuple(sorted(v)) for k, v in groups.items()}


_synonyms = version.Cached(_build_synonyms, max_age=SYNONYMS_MAX_AGE)


def synonym_map() -> Synonyms:
    """Normalised term -> every normalised term of its group; rebuilt when content changes.

    A search checks the content version at most once a second (a round trip to the database
    saved on nearly every keystroke). An edit made by this process is noticed at once, one made
    by another worker within a second."""
    return _synonyms.get()


# --- Words and their alternatives ---------------------------------------------------------------


@dataclass(frozen=True)
class Group:
    """One query word and what else it may be written as. Each alternative is a tuple of words
    (a multi-word synonym such as "prime video" must match all of its words)."""

    word: str
    alternatives: tuple[tuple[str, ...], ...]
    raw: str = ""  # as typed (width and case folded, kana untouched): for splitting phrases

    @cached_property
    def singles(self) -> tuple[str, ...]:
        return tuple(alt[0] for alt in self.alternatives if len(alt) == 1)

    @cached_property
    def multis(self) -> tuple[tuple[str, ...], ...]:
        return tuple(alt for alt in self.alternatives if len(alt) > 1)

    def found_in(self, text: str) -> bool:
        """Whether any alternative is in the (normalised) text: plain loops, as this runs for
        every candidate, group and field of a search."""
        for word in self.singles:
            if word in text:
                return True
        return any(all(word in text for word in alternative) for alternative in self.multis)


def _group(raw: str, synonyms: Synonyms) -> Group:
    token = normalise(raw)
    alternatives: dict[str, None] = {token: None}
    for term, group in synonyms.items():
        if term and term in token:
            for other in group:
                alternatives.setdefault(token.replace(term, other), None)
    alts = tuple(tuple(words(a)) for a in list(alternatives)[:MAX_ALTERNATIVES])
    return Group(token, tuple(a for a in alts if a), raw)


def parse_query(query: str, synonyms: Synonyms | None = None) -> list[Group]:
    synonyms = synonym_map() if synonyms is None else synonyms
    raw = unicodedata.normalize("NFKC", query).lower()
    tokens: list[str] = []
    # Multi-word synonyms ("prime video") stay together as one query word.
    for term in sorted((t for t in synonyms if " " in t), key=len, reverse=True):
        if term in raw:
            tokens.append(term)
            raw = raw.replace(term, " ")
    tokens += words(raw)
    groups: list[Group] = []
    seen: set[str] = set()
    for token in tokens:
        group = _group(token, synonyms)
        if group.word in seen or not group.alternatives:
            continue
        seen.add(group.word)
        groups.append(group)
        if len(groups) == MAX_WORDS:
            break
    return groups


# --- Phrases typed without spaces ---------------------------------------------------------------

# Phrases typed without spaces ("確認コードが届かない") are split where the script changes.
# Hiragana after kanji is inflection (届|かない); short or grammatical hiragana is dropped.
_RUNS = re.compile(
    r"(?P<kanji>[\u4e00-\u9fff\u3005\u3006]+)|(?P<hira>[\u3041-\u309f]+)"
    r"|(?P<kata>[\u30a0-\u30ff]+)|(?P<alnum>[0-9a-z]+)"
)
_GRAMMAR_WORDS = """
が を に は で と の も へ や か な ね よ から まで より って です ます ません でした
できない できません できる できた する した して しない します される された されて
ない なかった なる なった なって いる いた いない ある あった ください たい れる られる
という について ので のに けど だけ ように ような こと もの とき ため
"""
GRAMMAR = frozenset(_GRAMMAR_WORDS.split())


def phrase_chunks(raw: str) -> list[tuple[str, str]]:
    """(piece, stem) pairs: a kanji run with the hiragana after it is one piece whose stem is
    the kanji alone (届かない → 届), so an inflected word matches its other forms too."""
    chunks: list[tuple[str, str]] = []
    previous = ""
    raw = raw.replace("ー", "")  # a long vowel mark belongs to the word it lengthens
    for match in _RUNS.finditer(raw):
        kind, text = match.lastgroup or "", match.group()
        if kind == "hira":
            if previous == "kanji" and chunks:
                stem = chunks[-1][0]
                if text not in GRAMMAR and text[:1] not in "がをにはでとのもへや":
                    chunks[-1] = (stem + text, stem)
            elif len(text) > 2 and text not in GRAMMAR:
                chunks.append((text, ""))
        elif kind != "alnum" or len(text) > 1 or text.isdigit():
            chunks.append((text, ""))
        previous = kind
    return chunks


def known_word_chunks(word: str, synonyms: Synonyms) -> list[tuple[str, str]]:
    """Split a phrase with no script changes (all hiragana: ぱすわーどわすれた) around the
    longest synonym term it contains, keeping the rest if it is more than grammar."""
    terms = [t for t in synonyms if len(t) >= 2 and t in word and t != word]
    if not terms:
        return []
    term = max(terms, key=len)
    before, _, after = word.partition(term)
    pieces = [p for p in (before, term, after) if len(p) > 1 and p not in GRAMMAR]
    return [(p, "") for p in pieces] if len(pieces) > 1 else []


SPLIT_BELOW = 3  # a phrase found in fewer documents than this is searched for by its pieces


def phrase_pieces(group: Group, synonyms: Synonyms) -> list[tuple[str, str]]:
    """The (piece, stem) pairs a typed phrase splits into, or [] when it is one word."""
    pieces = phrase_chunks(group.raw) if len(group.word) > 2 else []
    if len(pieces) == 1 and len(group.word) > 3:
        pieces = known_word_chunks(group.word, synonyms) or pieces
    if [normalise(piece) for piece, _ in pieces] in ([], [group.word]):
        return []
    return pieces


def split_phrases(
    groups: Sequence[Group], found: dict[str, int], synonyms: Synonyms
) -> list[Group]:
    """Split each word that (almost) nowhere appears (`found`: documents per word, counted up to
    SPLIT_BELOW) into the pieces of the phrase it was typed as. The whole phrase still earns a
    bonus where it does appear (see `scoring.score`)."""
    refined: list[Group] = []
    for group in groups:
        pieces = phrase_pieces(group, synonyms)
        if pieces and found.get(group.word, 0) < SPLIT_BELOW:
            for piece, stem in pieces:
                part = _group(piece, synonyms)
                if stem:
                    extra = _group(stem, synonyms).alternatives
                    merged = dict.fromkeys((*part.alternatives, *extra))
                    part = Group(part.word, tuple(merged)[: MAX_ALTERNATIVES * 2], piece)
                refined.append(part)
        else:
            refined.append(group)
    unique = {g.word: g for g in refined if g.alternatives}
    return list(unique.values())[:MAX_WORDS]
