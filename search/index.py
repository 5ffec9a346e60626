"""Index upkeep: the search index follows the published content.

`update(obj)` and `remove(kind, id)` follow single saves and deletes (see `signals.py`);
`rebuild()` indexes everything once after a bulk load; `write(documents)` is the public bulk
API for anything else that fills the index (the benchmark's generated documents), so index
rows are only ever written here.

SQLite keeps an FTS5 table (`search_fts`, rowid = SearchEntry.id) of overlapping
two-character tokens; PostgreSQL keeps the normalised text (pg_trgm) and the one- and
two-character pieces of each word (`grams_*`, indexed as arrays; see the migrations).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from html import unescape

from django.db import connection, transaction
from django.utils.html import strip_tags

from articles.models import FAQ, Cause, PreventionTip, Status, SupportChannel

from .models import SearchEntry
from .normalise import gram_text, normalise, words

FIELDS = ("title", "summary", "body")
KINDS = {Cause: "cause", FAQ: "faq", PreventionTip: "tip", SupportChannel: "contact"}
Indexed = Cause | FAQ | PreventionTip | SupportChannel


@dataclass(frozen=True)
class Document:
    """One searchable document, as the index stores it."""

    kind: str
    object_id: int
    url: str
    title: str
    summary: str
    body: str
    priority: int = 0


def _plain(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(strip_tags(html))).strip()


def document(obj: Indexed) -> Document | None:
    """The searchable text of a piece of content, or None when it is not public."""
    if obj.status != Status.PUBLISHED:
        return None
    url = obj.get_absolute_url()
    if isinstance(obj, Cause):
        remedies = list(obj.remedies.all())
        summary = " ".join([obj.summary, obj.warning, *(r.title for r in remedies)])
        body = " ".join([_plain(obj.body_html), *(_plain(r.body_html) for r in remedies)])
        return Document("cause", obj.pk, url, obj.title, summary.strip(), body, priority=2)
    if isinstance(obj, FAQ):
        answer = _plain(obj.answer_html)
        return Document("faq", obj.pk, url, obj.question, answer[:160], answer, priority=1)
    if isinstance(obj, SupportChannel):  # how to reach someone: the ways (電話, チャット) count
        summary = f"{obj.summary} {'、'.join(obj.method_list)}".strip()
        return Document("contact", obj.pk, url, obj.title, summary, _plain(obj.body_html))
    return Document("tip", obj.pk, url, obj.title, obj.summary, _plain(obj.body_html))


def piece_set(normalised: str) -> str:
    """The one- and two-character pieces of every word (PostgreSQL's `grams_*` columns)."""
    pieces = dict.fromkeys(
        p for w in words(normalised) for p in (*w, *(w[i : i + 2] for i in range(len(w) - 1)))
    )
    return " ".join(pieces)


def _row(doc: Document, sqlite: bool) -> tuple[SearchEntry, tuple[str, ...]]:
    norms = {f: normalise(getattr(doc, f)) for f in FIELDS}
    entry = SearchEntry(
        kind=doc.kind,
        object_id=doc.object_id,
        url=doc.url,
        title=doc.title,
        summary=doc.summary,
        body=doc.body,
        priority=doc.priority,
        **{f"norm_{f}": norms[f] for f in FIELDS},
    )
    if not sqlite:
        for f in FIELDS:
            setattr(entry, f"grams_{f}", piece_set(norms[f]))
    return entry, tuple(gram_text(norms[f]) for f in FIELDS) if sqlite else ()


def write(documents: Iterable[Document], batch: int = 2000) -> int:
    """Add documents to the index in batches (documents not yet in it); returns how many."""
    sqlite = connection.vendor == "sqlite"
    count = 0
    pending: list[tuple[SearchEntry, tuple[str, ...]]] = []

    def flush() -> None:
        with transaction.atomic():
            entries = SearchEntry.objects.bulk_create([e for e, _ in pending])
            if sqlite:
                if any(e.pk is None for e in entries):  # older SQLite: no RETURNING
                    raise RuntimeError("bulk_create did not return ids")
                with connection.cursor() as cursor:
                    cursor.executemany(
                        "INSERT INTO search_fts (rowid, title, summary, body)"
                        " VALUES (%s, %s, %s, %s)",
                        [(e.pk, *fts) for e, fts in pending],
                    )
        pending.clear()

    for doc in documents:
        pending.append(_row(doc, sqlite))
        count += 1
        if len(pending) >= batch:
            flush()
    if pending:
        flush()
    return count


def update(obj: Indexed) -> None:
    """Index one piece of content again after a save (or drop it when it is not public)."""
    kind = KINDS[type(obj)]
    doc = document(obj)
    with transaction.atomic():
        remove(kind, obj.pk)
        if doc is not None:
            write([doc])


def remove(kind: str, object_id: int) -> None:
    ids = list(
        SearchEntry.objects.filter(kind=kind, object_id=object_id).values_list("id", flat=True)
    )
    if not ids:
        return
    with transaction.atomic():
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.executemany("DELETE FROM search_fts WHERE rowid = %s", [(i,) for i in ids])
        SearchEntry.objects.filter(id__in=ids).delete()


def clear() -> None:
    with transaction.atomic():
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("DELETE FROM search_fts")
        SearchEntry.objects.all().delete()


def rebuild() -> int:
    """Index every published document from scratch."""

    def published() -> Iterable[Document]:
        for model in KINDS:
            queryset = model.objects.published()
            if model is Cause:
                queryset = queryset.prefetch_related("remedies")
            elif model is SupportChannel:
                queryset = queryset.select_related("service")  # its page is the service's
            for obj in queryset:
                doc = document(obj)
                if doc is not None:
                    yield doc

    with transaction.atomic():
        clear()
        count = write(published())
        optimise()
    return count


def optimise() -> None:
    """After a bulk load. SQLite: merge the FTS5 index into one segment; rows inserted one by one
    leave many, and every token of a query is then looked up in each (a search of the shipped
    40 documents took 1 ms per tier query before, 0.15 ms after)."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO search_fts (search_fts) VALUES ('optimize')")
