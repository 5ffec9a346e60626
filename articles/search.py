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
from functools import lru_cache
from html import unescape

from django.db import connection, transaction
from django.utils.html import conditional_escape, format_html, format_html_join, strip_tags
from django.utils.safestring import SafeString

from . import flowgraph
from .models import FAQ, Cause, PreventionTip, SearchEntry, Status, Synonym
from .textnorm import grams, normalise, words

MAX_QUERY = 200
MAX_WORDS = 8
MAX_ALTERNATIVES = 12
CANDIDATES = 150
SNIPPET_SCAN = 1500  # snippets come from the summary or the start of the body
FIELDS = ("title", "summary", "body")
FIELD_SCORE = {"title": 30, "summary": 12, "body": 4}
KIND_SCORE = {"cause": 6, "faq": 2, "tip": 0}
KIND_ORDER = {"cause": 0, "faq": 1, "tip": 2}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


# --- Queries ------------------------------------------------------------------------------------


def clean_query(raw: str | None) -> str:
    """The query as a person meant it: no control characters, at most 200 characters."""
    return _CONTROL.sub("", raw or "").strip()[:MAX_QUERY]


_synonyms: tuple[int, dict[str, tuple[str, ...]]] | None = None


def synonym_map() -> dict[str, tuple[str, ...]]:
    """Normalised term -> every normalised term of its group; rebuilt when content changes."""
    global _synonyms
    version = flowgraph.version()
    if _synonyms is None or _synonyms[0] != version:
        groups: dict[str, set[str]] = {}
        for synonym in Synonym.objects.all():
            terms = {normalise(t) for t in synonym.term_list}
            terms = {t for t in terms if t}
            for term in terms:
                groups.setdefault(term, set()).update(terms)
        _synonyms = (version, {k: tuple(sorted(v)) for k, v in groups.items()})
    return _synonyms[1]


@dataclass(frozen=True)
class Group:
    """One query word and what else it may be written as. Each alternative is a tuple of words
    (a multi-word synonym such as "prime video" must match all of its words)."""

    word: str
    alternatives: tuple[tuple[str, ...], ...]
    raw: str = ""  # as typed (width and case folded, kana untouched): for splitting phrases


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


def split_phrases(
    groups: Sequence[Group], found: dict[str, int], synonyms: dict[str, tuple[str, ...]]
) -> list[Group]:
    """Split each word that (almost) nowhere appears (`found`: documents per word) into the
    pieces of the phrase it was typed as. The whole phrase still earns a bonus where it does
    appear (see `score`)."""
    refined: list[Group] = []
    for group in groups:
        pieces = phrase_chunks(group.raw) if len(group.word) > 2 else []
        if len(pieces) == 1 and len(group.word) > 3:
            pieces = known_word_chunks(group.word, synonyms) or pieces
        splittable = [normalise(piece) for piece, _ in pieces] not in ([], [group.word])
        if splittable and found.get(group.word, 0) < SPLIT_BELOW:
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


def _pg_condition(column: str, groups: Sequence[Group], require_all: bool) -> tuple[str, list[str]]:
    params: list[str] = []
    group_sql = []
    for group in groups:
        alt_sql = []
        for alt in group.alternatives:
            word_sql = []
            for word in alt:
                if len(word) >= 3:
                    word_sql.append(f"norm_{column} LIKE %s")
                    params.append(f"%{word}%")
                else:
                    word_sql.append(f"pieces_{column} @> ARRAY[%s]::text[]")
                    params.append(word)
            alt_sql.append("(" + " AND ".join(word_sql) + ")")
        group_sql.append("(" + " OR ".join(alt_sql) + ")")
    return "(" + (" AND " if require_all else " OR ").join(group_sql) + ")", params


def _match(
    column: str | None, groups: Sequence[Group], require_all: bool, limit: int, exclude: set[int]
) -> list[int]:
    """Ids of index entries matching in one column (or, for None, in any column)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT rowid FROM articles_search_fts WHERE articles_search_fts MATCH %s LIMIT %s",
                [_fts_expression(column, groups, require_all), limit + len(exclude)],
            )
        else:
            parts = [
                _pg_condition(c, groups, require_all) for c in ([column] if column else FIELDS)
            ]
            condition = " OR ".join(sql for sql, _ in parts)
            params = [p for _, ps in parts for p in ps]
            cursor.execute(
                f"SELECT id FROM articles_searchentry WHERE {condition} LIMIT %s",
                [*params, limit + len(exclude)],
            )
        return [row[0] for row in cursor.fetchall() if row[0] not in exclude][:limit]


def candidates(groups: Sequence[Group], limit: int = CANDIDATES) -> list[int]:
    found: list[int] = []
    seen: set[int] = set()
    for require_all in (True, False) if len(groups) > 1 else (True,):
        for column in FIELDS:
            if len(found) >= limit:
                return found
            ids = _match(column, groups, require_all, limit - len(found), seen)
            found += ids
            seen.update(ids)
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


def _all_text(entry: SearchEntry) -> str:
    return f"{entry.norm_title}\n{entry.norm_summary}\n{entry.norm_body}"


def _present(alternative: tuple[str, ...], text: str) -> bool:
    return all(word in text for word in alternative)


def score(
    entry: SearchEntry, groups: Sequence[Group], phrases: Sequence[Group] = ()
) -> tuple[int, int]:
    """(how many query words were found, score). `phrases` are whole phrases that were split
    into pieces: finding one intact is worth its field's score again, and more."""
    fields = {"title": entry.norm_title, "summary": entry.norm_summary, "body": entry.norm_body}
    matched = 0
    total = 0
    for group in groups:
        best = 0
        for name in FIELDS:
            text = fields[name]
            if any(_present(alt, text) for alt in group.alternatives):
                best = FIELD_SCORE[name]
                if name == "body":
                    hits = sum(text.count(w) for alt in group.alternatives for w in alt)
                    best += min(hits, 4)
                break
        if best:
            matched += 1
            total += best
    if matched and any(fields["title"].startswith(g.word) for g in groups):
        total += 2
    for phrase in phrases:
        for name in FIELDS:
            if any(_present(alt, fields[name]) for alt in phrase.alternatives):
                total += FIELD_SCORE[name] + 8
                break
    return matched, total + KIND_SCORE.get(entry.kind, 0) * bool(matched)


_normalise_char = lru_cache(maxsize=8192)(normalise)


def _char_map(text: str) -> tuple[str, list[int]]:
    """Normalise character by character, remembering where each normalised character came from."""
    out: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        piece = _normalise_char(ch)
        out.append(piece)
        if len(piece) == 1:
            origin.append(i)
        else:
            origin.extend([i] * len(piece))
    return "".join(out), origin


def _spans(text: str, needles: Iterable[str]) -> list[tuple[int, int]]:
    norm, origin = _char_map(text)
    spans: list[tuple[int, int]] = []
    for needle in {n for n in needles if n}:
        start = norm.find(needle)
        while start != -1:
            end = start + len(needle) - 1
            spans.append((origin[start], origin[end] + 1))
            start = norm.find(needle, start + 1)
    spans.sort()
    merged: list[tuple[int, int]] = []
    for s, e in spans:
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
        else:
            merged.append((s, e))
    return merged


def highlight(text: str, needles: Iterable[str]) -> SafeString:
    """Escaped text with every match in <mark>: the query never reaches the page as HTML."""
    pieces: list[SafeString] = []
    pos = 0
    for start, end in _spans(text, needles):
        pieces.append(conditional_escape(text[pos:start]))
        pieces.append(format_html("<mark>{}</mark>", text[start:end]))
        pos = end
    pieces.append(conditional_escape(text[pos:]))
    return format_html_join("", "{}", ((p,) for p in pieces))


def snippet_text(entry: SearchEntry, needles: Sequence[str], width: int = 90) -> str:
    for text in (entry.summary, entry.body[:SNIPPET_SCAN]):
        spans = _spans(text, needles)
        if spans:
            start = max(0, spans[0][0] - width // 3)
            cut = text[start : start + width]
            return ("…" if start else "") + cut + ("…" if start + width < len(text) else "")
    return entry.summary[:width] + ("…" if len(entry.summary) > width else "")


@dataclass(frozen=True)
class Results:
    query: str
    groups: tuple[Group, ...]
    results: tuple[Result, ...]

    def __bool__(self) -> bool:
        return bool(self.results)

    def __len__(self) -> int:
        return len(self.results)


# Scoring reads the normalised text; the pieces for PostgreSQL's index are never needed here.
_NOT_READ = ("grams_title", "grams_summary", "grams_body")


def _entries(ids: list[int], kinds: Sequence[str] | None) -> list[SearchEntry]:
    """The candidates with what scoring reads; the display text comes later, for the winners."""
    entries = SearchEntry.objects.filter(id__in=ids).defer(*_NOT_READ, "summary", "body")
    if kinds:
        entries = entries.filter(kind__in=kinds)
    return list(entries)


def search(query: str | None, limit: int = 20, kinds: Sequence[str] | None = None) -> Results:
    """Published causes, FAQs and tips for a query, best first."""
    cleaned = clean_query(query)
    synonyms = synonym_map()
    typed = parse_query(cleaned, synonyms)
    if not typed:
        return Results(cleaned, (), ())
    entries = _entries(candidates(typed), kinds)
    found = {
        g.word: sum(1 for e in entries if any(_present(a, _all_text(e)) for a in g.alternatives))
        for g in typed
    }
    groups = split_phrases(typed, found, synonyms)
    phrases = [g for g in typed if g not in groups]
    if phrases:
        entries = _entries(candidates(groups), kinds)
    scored = []
    for entry in entries:
        matched, points = score(entry, groups, phrases)
        if matched:
            scored.append((-matched, -points, KIND_ORDER.get(entry.kind, 9), entry.title, entry))
    scored.sort(key=lambda row: row[:4])
    scores = {row[-1].pk: -row[0] * 100 - row[1] for row in scored}
    needles = [w for g in groups for alt in g.alternatives for w in alt]
    top = [row[-1] for row in scored[:limit]]
    display = {
        pk: (summary, body)
        for pk, summary, body in SearchEntry.objects.filter(id__in=[e.pk for e in top]).values_list(
            "id", "summary", "body"
        )
    }
    results = []
    for entry in top:
        entry.summary, entry.body = display[entry.pk]
        snippet = snippet_text(entry, needles)
        results.append(
            Result(
                kind=entry.kind,
                kind_label=entry.get_kind_display(),
                title=entry.title,
                url=entry.url,
                snippet=snippet,
                title_html=highlight(entry.title, needles),
                snippet_html=highlight(snippet, needles),
                score=scores[entry.pk],
            )
        )
    return Results(cleaned, tuple(groups), tuple(results))


def closest_faqs(query: str, limit: int = 3) -> list[Result]:
    """For an empty result: the FAQs sharing the most two-character pieces with the query."""
    pieces = {g for w in words(normalise(clean_query(query))) for g in grams(w) if len(g) == 2}
    if not pieces:
        return []
    groups = [Group(p, ((p,),)) for p in sorted(pieces)[:MAX_WORDS]]
    ids = candidates(groups)
    entries = SearchEntry.objects.filter(id__in=ids, kind=SearchEntry.Kind.FAQ)
    scores = {e.pk: score(e, groups) for e in entries}
    ranked = sorted(entries, key=lambda e: (-scores[e.pk][0], -scores[e.pk][1], e.title))
    return [
        Result(
            e.kind,
            e.get_kind_display(),
            e.title,
            e.url,
            e.summary,
            highlight(e.title, []),
            highlight(e.summary, []),
            0,
        )
        for e in ranked[:limit]
    ]


# --- Keeping the index in step ------------------------------------------------------------------


def _plain(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(strip_tags(html))).strip()


def document(obj: Cause | FAQ | PreventionTip) -> dict[str, object] | None:
    """The searchable text of a piece of content, or None when it is not public."""
    if obj.status != Status.PUBLISHED:
        return None
    if isinstance(obj, Cause):
        remedies = list(obj.remedies.all())
        summary = " ".join([obj.summary, obj.warning, *(r.title for r in remedies)])
        body = " ".join([_plain(obj.body_html), *(_plain(r.body_html) for r in remedies)])
        return {
            "kind": "cause",
            "title": obj.title,
            "summary": summary.strip(),
            "body": body,
            "priority": 2,
        }
    if isinstance(obj, FAQ):
        answer = _plain(obj.answer_html)
        return {
            "kind": "faq",
            "title": obj.question,
            "summary": answer[:160],
            "body": answer,
            "priority": 1,
        }
    return {
        "kind": "tip",
        "title": obj.title,
        "summary": obj.summary,
        "body": _plain(obj.body_html),
        "priority": 0,
    }


def _piece_set(text: str) -> str:
    pieces = dict.fromkeys(
        p for w in words(text) for p in (*w, *(w[i : i + 2] for i in range(len(w) - 1)))
    )
    return " ".join(pieces)


def index(obj: Cause | FAQ | PreventionTip) -> None:
    kind = {Cause: "cause", FAQ: "faq", PreventionTip: "tip"}[type(obj)]
    doc = document(obj)
    if doc is None:
        remove(kind, obj.pk)
        return
    norms = {f: normalise(str(doc[f])) for f in FIELDS}
    values = {
        "url": obj.get_absolute_url(),
        "title": doc["title"],
        "summary": doc["summary"],
        "body": doc["body"],
        "priority": doc["priority"],
        **{f"norm_{f}": norms[f] for f in FIELDS},
    }
    sqlite = connection.vendor == "sqlite"
    if not sqlite:
        values.update({f"grams_{f}": _piece_set(norms[f]) for f in FIELDS})
    with transaction.atomic():
        entry, _ = SearchEntry.objects.update_or_create(
            kind=kind, object_id=obj.pk, defaults=values
        )
        if sqlite:
            with connection.cursor() as cursor:
                cursor.execute("DELETE FROM articles_search_fts WHERE rowid = %s", [entry.pk])
                cursor.execute(
                    "INSERT INTO articles_search_fts (rowid, title, summary, body) VALUES (%s, %s, %s, %s)",
                    [
                        entry.pk,
                        *(" ".join(g for w in words(norms[f]) for g in grams(w)) for f in FIELDS),
                    ],
                )


def remove(kind: str, object_id: int) -> None:
    ids = list(
        SearchEntry.objects.filter(kind=kind, object_id=object_id).values_list("id", flat=True)
    )
    if not ids:
        return
    with transaction.atomic():
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                for pk in ids:
                    cursor.execute("DELETE FROM articles_search_fts WHERE rowid = %s", [pk])
        SearchEntry.objects.filter(id__in=ids).delete()


def rebuild() -> int:
    """Index every published document from scratch."""
    with transaction.atomic():
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("DELETE FROM articles_search_fts")
        SearchEntry.objects.all().delete()
        count = 0
        for model in (Cause, FAQ, PreventionTip):
            queryset = model.objects.published()
            if model is Cause:
                queryset = queryset.prefetch_related("remedies")
            for obj in queryset:
                index(obj)
                count += 1
    return count
