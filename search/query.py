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

from . import romaji
from .boundaries import found_as_word, needs_boundary
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
    groups: dict[str, dict[str, None]] = {}
    for synonym in Synonym.objects.all():
        # In the staff's order (a dict, not a set): which alternatives a long query keeps must
        # not change from one process to the next.
        found = dict.fromkeys(t for t in map(normalise, synonym.term_list) if t)
        for term in found:
            groups.setdefault(term, {}).update(found)
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
class _Alternatives:
    """Alternatives sorted for matching: single words found by `in`, short single words that
    must start a word (`search.boundaries`), multi-word alternatives (all words anywhere)."""

    plain: tuple[str, ...]
    bounded: tuple[str, ...]
    multis: tuple[tuple[str, ...], ...]
    whole: bool  # bounded words must end a word too (synonyms)

    @classmethod
    def of(
        cls, alternatives: Sequence[tuple[str, ...]], whole: bool, checked: bool
    ) -> _Alternatives:
        singles = [alt[0] for alt in alternatives if len(alt) == 1]
        bounded = [w for w in singles if checked and needs_boundary(w)]
        plain = [w for w in singles if w not in bounded]
        multis = tuple(alt for alt in alternatives if len(alt) > 1)
        return cls(tuple(plain), tuple(bounded), multis, whole)

    def found_in(self, text: str, display: str) -> bool:
        """Plain loops: this runs for every candidate, group and field of a search."""
        for word in self.plain:
            if word in text:
                return True
        for alternative in self.multis:
            if all(word in text for word in alternative):
                return True
        return any(
            word in text and found_as_word(word, display, self.whole) for word in self.bounded
        )


@dataclass(frozen=True)
class Group:
    """One query word and what else it may be written as. Each alternative is a tuple of words
    (a multi-word synonym such as "prime video" must match all of its words). `own` are the
    alternatives that are the word itself (as typed, its kana reading when typed in romaji, the
    stem of an inflected word; by default the first), the others its synonyms. With
    `whole_words`, short kana or Latin alternatives count only where a word starts
    (`search.boundaries`)."""

    word: str
    alternatives: tuple[tuple[str, ...], ...]
    raw: str = ""  # as typed (width and case folded, kana untouched): for splitting phrases
    own: tuple[tuple[str, ...], ...] = ()
    whole_words: bool = True

    @cached_property
    def _matchers(self) -> tuple[_Alternatives, _Alternatives]:
        own = set(self.own or self.alternatives[:1])
        mine = [alt for alt in self.alternatives if alt in own]
        others = [alt for alt in self.alternatives if alt not in own]
        checked = self.whole_words
        return _Alternatives.of(mine, False, checked), _Alternatives.of(others, True, checked)

    @cached_property
    def searched(self) -> tuple[tuple[str, ...], ...]:
        """The alternatives an index needs to find every entry with any of them: a single word
        holding another alternative (あかうんと停止 holds 停止) finds nothing more. Fewer
        alternatives are fewer searches of the index (ログイン and 停止: 20 combinations of
        alternatives instead of 35)."""
        singles = self.singles
        return tuple(
            alt
            for alt in self.alternatives
            if len(alt) > 1 or not any(other != alt[0] and other in alt[0] for other in singles)
        )

    @cached_property
    def singles(self) -> tuple[str, ...]:
        return tuple(alt[0] for alt in self.alternatives if len(alt) == 1)

    def match(self, text: str, display: str) -> int:
        """2 where the word itself is in the (normalised) text, 1 where only a synonym is, else 0.
        `display` is the same text as written, for the word boundaries."""
        own, synonyms = self._matchers
        if own.found_in(text, display):
            return 2
        return 1 if synonyms.found_in(text, display) else 0

    def found_in(self, text: str, display: str) -> bool:
        return self.match(text, display) > 0

    def bounded(self) -> dict[str, bool]:
        """The alternatives that count only where a word starts: word → must it end one too."""
        own, synonyms = self._matchers
        return {**dict.fromkeys(synonyms.bounded, True), **dict.fromkeys(own.bounded, False)}


def _plain_group(raw: str, synonyms: Synonyms) -> Group:
    """The word and, for each synonym term inside it, the word with that term replaced by each
    other term of its group; a term inside a longer one found (ぱす in ぱすわど) is skipped."""
    token = normalise(raw)
    alternatives: dict[str, None] = {token: None}
    terms = sorted((t for t in synonyms if t and t in token), key=len, reverse=True)
    for i, term in enumerate(terms):
        if any(term in longer for longer in terms[:i]):
            continue
        for other in synonyms[term]:
            alternatives.setdefault(token.replace(term, other), None)
    alts = tuple(tuple(words(a)) for a in list(alternatives)[:MAX_ALTERNATIVES])
    return Group(token, tuple(a for a in alts if a), raw)


def _longest_term(text: str, synonyms: Synonyms) -> int:
    return max((len(term) for term in synonyms if term and term in text), default=0)


def _romaji_group(raw: str, kana: Sequence[str], synonyms: Synonyms) -> Group:
    """A word typed in romaji: the letters as typed and each kana reading are all the word
    itself. The form holding the longest synonym term leads (the letters on a tie: English
    words such as wifi keep their own synonyms), and every form's synonyms follow."""
    forms = [raw, *kana]
    primary = max(forms, key=lambda form: _longest_term(normalise(form), synonyms))
    groups = [_plain_group(f, synonyms) for f in [primary, *(f for f in forms if f != primary)]]
    own = tuple(dict.fromkeys(g.alternatives[0] for g in groups if g.alternatives))
    merged = dict.fromkeys((*own, *(alt for g in groups for alt in g.alternatives)))
    lead = groups[0]
    return Group(lead.word, tuple(merged)[: max(MAX_ALTERNATIVES, len(own))], primary, own)


def _group(raw: str, synonyms: Synonyms) -> Group:
    kana = [k for k in romaji.readings(raw) if len(normalise(k)) >= 2]
    return _romaji_group(raw, kana, synonyms) if kana else _plain_group(raw, synonyms)


# Words as typed: a run of Latin letters with ' or - inside (ko-do, kon'ya) stays one word when
# it reads as romaji; any other run of letters and digits is a word.
_TOKEN = re.compile(rf"(?:{romaji.ROMAJI.pattern})(?![^\W_])|[^\W_]+")
JOIN_MOST = 3  # romaji words typed apart (sain in, nidankai ninshou) read as one synonym term


def _tokens(raw: str, synonyms: Synonyms) -> list[str]:
    tokens: list[str] = []
    for token in _TOKEN.findall(raw):
        if re.search(r"['-]", token) and not romaji.readings(token):
            tokens += words(token)
        elif words(token):
            tokens.append(token)
    # Romaji words typed apart whose reading together is a synonym term are one word.
    joined: list[str] = []
    i = 0
    while i < len(tokens):
        for size in range(min(JOIN_MOST, len(tokens) - i), 1, -1):
            together = "'".join(tokens[i : i + size])
            if any(normalise(k) in synonyms for k in romaji.readings(together)):
                joined.append(together)
                i += size
                break
        else:
            joined.append(tokens[i])
            i += 1
    return joined


def parse_query(query: str, synonyms: Synonyms | None = None) -> list[Group]:
    synonyms = synonym_map() if synonyms is None else synonyms
    raw = unicodedata.normalize("NFKC", query).lower()
    tokens: list[str] = []
    # Multi-word synonyms ("prime video") stay together as one query word.
    for term in sorted((t for t in synonyms if " " in t), key=len, reverse=True):
        if term in raw:
            tokens.append(term)
            raw = raw.replace(term, " ")
    tokens += _tokens(raw, synonyms)
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
    """The (piece, stem) pairs a typed phrase splits into, or [] when it is one word (a
    synonym term, such as キャプスロック or caps lock, is one word)."""
    if group.word in synonyms:
        return []
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
                if stem:  # the stem (届 of 届かない) is the word itself too
                    extra = _group(stem, synonyms).alternatives
                    merged = dict.fromkeys((*part.alternatives, *extra))
                    own = (*(part.own or part.alternatives[:1]), *extra[:1])
                    part = Group(part.word, tuple(merged)[: MAX_ALTERNATIVES * 2], piece, own)
                refined.append(part)
        else:
            refined.append(group)
    unique = {g.word: g for g in refined if g.alternatives}
    return list(unique.values())[:MAX_WORDS]
