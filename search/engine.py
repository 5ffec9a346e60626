"""One search over causes (with their remedies), FAQs and tips, on SQLite and PostgreSQL.

Japanese is not split by spaces, so search matches substrings of normalised text (see
`textnorm`): any query of one or more characters, typed in katakana or hiragana, full or half
width. Staff-edited synonyms widen each query word. Candidates come from an index, tier by tier
(every word in the title, then summary, then body; then any word), and are scored here:
title above summary above body, all words above some, causes above other articles.

- SQLite: an FTS5 table of bigram tokens; a word is a phrase of its bigrams, a single character
  a one-character prefix.
- PostgreSQL: pg_trgm GIN indexes for words of three or more characters; GIN indexes on arrays
  of one- and two-character pieces for shorter ones.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from itertools import islice, product
from typing import Any

from django.db import connection
from django.utils.html import escape, format_html_join
from django.utils.safestring import SafeString

from articles import version

from .models import SearchEntry, Synonym
from .normalise import grams, normalise, words

MAX_QUERY = 200
MAX_WORDS = 8
MAX_ALTERNATIVES = 12
CANDIDATES = 60  # at least; twice the results asked for when that is more
FIELDS = ("title", "summary", "body")
FIELD_SCORE = {"title": 30, "summary": 12, "body": 4}
KIND_SCORE = {"cause": 6, "faq": 2, "tip": 0}
KIND_ORDER = {"cause": 0, "faq": 1, "tip": 2}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


# --- Queries ------------------------------------------------------------------------------------


def clean_query(raw: str | None) -> str:
    """The query as a person meant it: no control characters, at most 200 characters."""
    return _CONTROL.sub("", raw or "").strip()[:MAX_QUERY]


SYNONYMS_MAX_AGE = 1.0  # seconds: how late another worker may notice a staff edit of synonyms


def _build_synonyms(at_version: int) -> dict[str, tuple[str, ...]]:
    groups: dict[str, set[str]] = {}
    for synonym in Synonym.objects.all():
        found = {normalise(t) for t in synonym.term_list}
        for term in found - {""}:
            groups.setdefault(term, set()).update(found - {""})
    return {k: tuple(sorted(v)) for k, v in groups.items()}


_synonyms = version.Cached(_build_synonyms, max_age=SYNONYMS_MAX_AGE)


def synonym_map() -> dict[str, tuple[str, ...]]:
    """Normalised term -> every normalised term of its group; rebuilt when content changes.

    A search checks the content version at most once a second (a round trip to the database
    saved on nearly every keystroke). An edit made by this process is noticed at once, one made
    by another worker within a second."""
    return _synonyms.get()


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


def _group(raw: str, synonyms: dict[str, tuple[str, ...]]) -> Group:
    token = normalise(raw)
    alternatives: dict[str, None] = {token: None}
    for term, group in synonyms.items():
        if term and term in token:
            for other in group:
                alternatives.setdefault(token.replace(term, other), None)
    alts = tuple(tuple(words(a)) for a in list(alternatives)[:MAX_ALTERNATIVES])
    return Group(token, tuple(a for a in alts if a), raw)


def parse_query(query: str, synonyms: dict[str, tuple[str, ...]] | None = None) -> list[Group]:
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


def known_word_chunks(word: str, synonyms: dict[str, tuple[str, ...]]) -> list[tuple[str, str]]:
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


def phrase_pieces(group: Group, synonyms: dict[str, tuple[str, ...]]) -> list[tuple[str, str]]:
    """The (piece, stem) pairs a typed phrase splits into, or [] when it is one word."""
    pieces = phrase_chunks(group.raw) if len(group.word) > 2 else []
    if len(pieces) == 1 and len(group.word) > 3:
        pieces = known_word_chunks(group.word, synonyms) or pieces
    if [normalise(piece) for piece, _ in pieces] in ([], [group.word]):
        return []
    return pieces


def split_phrases(
    groups: Sequence[Group], found: dict[str, int], synonyms: dict[str, tuple[str, ...]]
) -> list[Group]:
    """Split each word that (almost) nowhere appears (`found`: documents per word, counted up to
    SPLIT_BELOW) into the pieces of the phrase it was typed as. The whole phrase still earns a
    bonus where it does appear (see `score`)."""
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


@dataclass(slots=True)
class Candidate:
    """An index entry as scoring reads it: plain values, no model instance."""

    pk: int
    kind: str
    title: str
    url: str
    summary: str
    body: str
    norm_title: str
    norm_summary: str
    norm_body: str

    @property
    def kind_label(self) -> str:
        return str(SearchEntry.Kind(self.kind).label)


# --- Index backends -----------------------------------------------------------------------------


def _fts_word(word: str) -> str:
    if len(word) == 1:
        return f'"{word}"*'
    return '"' + " ".join(word[i : i + 2] for i in range(len(word) - 1)) + '"'


def _fts_expression(column: str | None, groups: Sequence[Group], require_all: bool) -> str:
    parts = []
    for group in groups:
        alts = [" AND ".join(_fts_word(w) for w in alt) for alt in group.alternatives]
        parts.append("(" + " OR ".join(f"({a})" for a in alts) + ")")
    joined = (" AND " if require_all else " OR ").join(parts)
    return f"{{{column}}} : ({joined})" if column else joined


def _pg_word(column: str, word: str) -> tuple[str, Any]:
    if len(word) >= 3:  # pg_trgm's GIN index
        return f"norm_{column} LIKE %s", f"%{word}%"
    return f"pieces_{column} @> ARRAY[%s]::text[]", word  # the GIN index of short pieces


MAX_COMBINATIONS = 12


def _pieces(word: str) -> list[str]:
    return [word] if len(word) == 1 else [word[i : i + 2] for i in range(len(word) - 1)]


def _pg_all_words(column: str, groups: Sequence[Group]) -> tuple[str, list[Any]] | None:
    """Every word of several groups in one column, as one search of the pieces index per
    combination of alternatives: the index intersects the pieces' lists itself, skipping
    through the long ones (2 ms where ANDing a trigram search of ログイン with one of 履歴 took
    6 ms at 100k documents). `strpos` then checks each word whole; the index's own results are
    exact, so the pieces arrays (large in long bodies) are never read back from the rows.
    None past MAX_COMBINATIONS."""
    combinations = list(islice(product(*(g.alternatives for g in groups)), MAX_COMBINATIONS + 1))
    if len(combinations) > MAX_COMBINATIONS:
        return None
    found = " OR ".join([f"pieces_{column} @> %s::text[]"] * len(combinations))
    params: list[Any] = [
        sorted({p for alternative in combination for w in alternative for p in _pieces(w)})
        for combination in combinations
    ]
    checks = []
    for group in groups:
        alternatives = []
        for alternative in group.alternatives:
            alternatives.append(" AND ".join([f"strpos(norm_{column}, %s) > 0"] * len(alternative)))
            params += alternative
        checks.append("(" + " OR ".join(alternatives) + ")")
    return f"(({found}) AND {' AND '.join(checks)})", params


def _pg_condition(column: str, groups: Sequence[Group], require_all: bool) -> tuple[str, list[Any]]:
    """One condition per group: single words in one `LIKE ANY` (three or more characters) and
    one `&&` (shorter), multi-word alternatives as ANDs. Few clauses keep planning cheap."""
    if require_all and len(groups) > 1:
        combined = _pg_all_words(column, groups)
        if combined is not None:
            return combined
    params: list[Any] = []
    group_sql = []
    for group in groups:
        singles = [alt[0] for alt in group.alternatives if len(alt) == 1]
        long_words = [f"%{w}%" for w in singles if len(w) >= 3]
        short_words = [w for w in singles if len(w) < 3]
        alt_sql = []
        if long_words:
            alt_sql.append(f"norm_{column} LIKE ANY (%s)")
            params.append(long_words)
        if short_words:
            alt_sql.append(f"pieces_{column} && %s::text[]")
            params.append(short_words)
        for alt in group.alternatives:
            if len(alt) > 1:
                words_sql = [_pg_word(column, w) for w in alt]
                alt_sql.append("(" + " AND ".join(sql for sql, _ in words_sql) + ")")
                params += [param for _, param in words_sql]
        group_sql.append("(" + " OR ".join(alt_sql) + ")")
    return "(" + (" AND " if require_all else " OR ").join(group_sql) + ")", params


# What scoring and snippets read: plain values, fetched by the statement that finds candidates.
_COLUMNS = (
    "id",
    "kind",
    "title",
    "url",
    "summary",
    "body",
    "norm_title",
    "norm_summary",
    "norm_body",
)

# PostgreSQL: the summary and body tiers, and the check for whole phrases, use their indexes
# only. The planner has no statistics for those long columns (migration 0006: matching a pattern
# against sampled bodies cost more than the query) and would guess how many rows match from the
# pattern's length; when the guess is high and the truth is none, a sequential scan reads every
# row to fill the LIMIT (seconds at 100k documents) where the index takes a millisecond. Sent
# with the query in one round trip, the SET LOCAL lasts for that statement's implicit transaction.
_INDEX_ONLY = "SET LOCAL enable_seqscan = off; "


def _placeholders(values: Sequence[object]) -> str:
    return ", ".join(["%s"] * len(values))


def _tier(
    column: str | None,
    groups: Sequence[Group],
    require_all: bool,
    limit: int,
    exclude: Sequence[int] = (),
    kinds: Sequence[str] = (),
) -> list[Candidate]:
    """Entries matching in one column (or, for None, in any column), leaving out `exclude`."""
    table = SearchEntry._meta.db_table
    columns = ", ".join(f"e.{c}" for c in _COLUMNS)
    params: list[Any] = []
    prefix = ""
    if connection.vendor == "sqlite":
        sql = (
            f"SELECT {columns} FROM search_fts JOIN {table} e"
            " ON e.id = search_fts.rowid WHERE search_fts MATCH %s"
        )
        params.append(_fts_expression(column, groups, require_all))
        if exclude:
            sql += f" AND search_fts.rowid NOT IN ({_placeholders(exclude)})"
            params += exclude
    else:
        parts = [_pg_condition(c, groups, require_all) for c in ([column] if column else FIELDS)]
        sql = f"SELECT {columns} FROM {table} e WHERE ({' OR '.join(c for c, _ in parts)})"
        params += [p for _, ps in parts for p in ps]
        if exclude:
            sql += " AND NOT (e.id = ANY(%s))"
            params.append(list(exclude))
        prefix = "" if column == "title" else _INDEX_ONLY
    if kinds:
        sql += f" AND e.kind IN ({_placeholders(kinds)})"
        params += kinds
    with connection.cursor() as cursor:
        cursor.execute(prefix + sql + " LIMIT %s", [*params, limit])
        if prefix:
            cursor.nextset()
        return [Candidate(*row) for row in cursor.fetchall()]


def count_upto(group: Group, most: int) -> int:
    """In how many entries (counting no further than `most`) the word appears, in any column."""
    return len(_tier(None, [group], True, most))


def candidates(
    groups: Sequence[Group], limit: int = CANDIDATES, kinds: Sequence[str] = ()
) -> list[Candidate]:
    """Up to `limit` entries, tier by tier: every word in the title, then in the summary, then
    in the body; then any word, in the same order. A tier that fills the list ends the search."""
    found: list[Candidate] = []
    for require_all in (True, False) if len(groups) > 1 else (True,):
        for column in FIELDS:
            if len(found) >= limit:
                return found
            seen = [c.pk for c in found]
            found += _tier(column, groups, require_all, limit - len(found), seen, kinds)
    return found


# --- Scoring and snippets -----------------------------------------------------------------------


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


_FOLD_ONE = _OneToOne()


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
    scored = []
    for entry in entries:
        matched, points = score(entry, groups, phrases)
        if matched:
            scored.append((-matched, -points, KIND_ORDER.get(entry.kind, 9), entry.title, entry))
    scored.sort(key=lambda row: row[:4])
    needles = [w for g in groups for alt in g.alternatives for w in alt]
    results = []
    for matched, points, _, _, entry in scored[:limit]:
        cut = snippet(entry, needles)
        results.append(
            Result(
                kind=entry.kind,
                kind_label=entry.kind_label,
                title=entry.title,
                url=entry.url,
                snippet=cut.text,
                title_html=highlight(entry.title, needles, entry.norm_title),
                snippet_html=cut.html,
                score=-matched * 100 - points,
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
    ranked = sorted(entries, key=lambda e: (-scores[e.pk][0], -scores[e.pk][1], e.title))
    return [
        Result(
            e.kind,
            e.kind_label,
            e.title,
            e.url,
            e.summary,
            escape(e.title),
            escape(e.summary),
            0,
        )
        for e in ranked[:limit]
    ]


# --- Keeping the index in step ------------------------------------------------------------------
