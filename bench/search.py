#!/usr/bin/env python
"""Search latency on synthetic corpora of 1k, 10k and 100k Japanese documents, SQLite and PostgreSQL.

    .venv/bin/python bench/search.py                      # the full run (make bench-search)
    .venv/bin/python bench/search.py --quick              # 1k and 10k documents, fewer repetitions
    .venv/bin/python bench/search.py --db sqlite --sizes 1000,100000 --explain

For each database and each corpus size, in a database of its own (a temporary SQLite file, or a
throwaway PostgreSQL database `bench_search_<pid>_<size>` dropped at the end):
  1. `manage.py migrate` and `articles.content.load()` (the shipped content, about 40 documents,
     and with it the synonyms of fixtures/synonyms.yaml, which widen queries as on the site);
  2. synthetic help-center documents (title 15-30 characters, summary 60-100, body 300-1000),
     generated with a fixed seed from a vocabulary in which the frequency of each measured word
     is controlled, inserted as `SearchEntry` rows with exactly the values `articles.search.index`
     writes (normalised text; the FTS5 rows on SQLite, the `grams_*` columns on PostgreSQL);
  3. for each kind of query (rare word, 2-character word, common word, miss, and a phrase typed
     without spaces that is in no document), warm-up runs and then repeated runs of
     `articles.search.search(query)` next to a plain `icontains` scan (`Q(norm_title__icontains=q)
     | Q(norm_summary__icontains=q) | Q(norm_body__icontains=q)` on SearchEntry, for the
     normalised query, first 60 ids: as many candidates as the search gathers), in
     alternation (100 each, fewer for a slow query: see --budget), and their p50/p95 latency.
Each (database, size) runs in a subprocess of this script, so that DATABASE_URL is set cleanly.
It prints a table with the goals and PASS/FAIL, and exits 0 whatever the verdicts (it measures).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.tables import table  # noqa: E402

SETTINGS_MODULE = "bench.settings"
DEFAULT_SIZES = (1_000, 10_000, 100_000)
QUICK_SIZES = (1_000, 10_000)
DEFAULT_PG_URL = "postgres://postgres@127.0.0.1:5432/postgres"
SEED = 20261122

# Goals: p95 at the largest size, and how much p95 may grow from the smallest to the largest.
P95_GOAL_MS = 20.0
GROWTH_GOAL = 5.0
ICONTAINS_LIMIT = 60  # = articles.search.CANDIDATES: the scan gathers as many ids as the search


@dataclass(frozen=True)
class Query:
    kind: str
    text: str
    note: str


# The measured queries. Their words are kept out of the filler vocabulary below (with their
# synonyms), and put into documents only as `generate` decides, so their frequency is known.
RARE = "定期おトク便"
SHORT = "停止"
COMMON = "ログイン"
MISS = "クーポン"
PHRASE = "ログイン履歴"
QUERIES = (
    Query("rare", RARE, "in 5 documents at every size"),
    Query("2-char", SHORT, "in ~12% of documents, like the shipped content (5 of 40)"),
    Query("common", COMMON, "in ~40% of documents"),
    Query(
        "miss", MISS, "in no document; one katakana word with no synonym inside, nothing to split"
    ),
    Query(
        "phrase",
        PHRASE,
        "in no document as typed; the search splits it into ログイン (~40%) and 履歴 (most)",
    ),
)
SHORT_SHARE = 0.12
COMMON_SHARE = 0.40
RARE_COUNT = 5


# --------------------------------------------------------------------------------------------
# Synthetic documents


# Filler vocabulary: help-center words, none containing a measured word or one of its synonyms
# (サインイン, 凍結, 閉鎖, BAN, 入れない, …).
NOUNS = (
    "パスワード",
    "確認コード",
    "2段階認証",
    "ブラウザ",
    "アプリ",
    "注文",
    "設定",
    "アカウント",
    "メールアドレス",
    "電話番号",
    "画面",
    "本人確認",
    "支払い方法",
    "お届け先住所",
    "商品",
    "出品情報",
    "在庫",
    "キャッシュ",
    "クッキー",
    "通知",
    "端末",
    "スマートフォン",
    "パソコン",
    "セキュリティ",
    "認証アプリ",
    "注文履歴",
    "閲覧履歴",
    "プライム会員",
    "ギフトカード",
    "返品",
    "配送状況",
    "請求書",
    "セラーセントラル",
    "プライムビデオ",
    "テレビ",
    "迷惑メールフォルダ",
    "受信設定",
    "SMS",
    "Wi-Fi",
    "ヘルプページ",
    "カスタマーサービス",
    "利用規約",
    "身分証明書",
    "銀行口座",
    "クレジットカード",
)
VERBS = (
    "確認します",
    "入力します",
    "変更します",
    "再設定します",
    "削除します",
    "試します",
    "開きます",
    "選択します",
    "送信します",
    "有効にします",
    "無効にします",
    "更新します",
    "見直します",
    "保存します",
    "登録します",
)
STATES = (
    "表示されない",
    "届かない",
    "使えない",
    "わからない",
    "間違っている",
    "古いままの",
    "切り替わらない",
    "読み込めない",
)
OPENERS = (
    "",
    "",
    "",
    "まず、",
    "次に、",
    "念のため、",
    "しばらく待ってから",
    "もう一度",
    "必要に応じて",
    "それでも解決しない場合は、",
)
SENTENCES = (
    "{o}{n1}を{v}。",
    "{o}{n1}の{n2}を{v}。",
    "{n1}が{s}場合は、{n2}を{v}。",
    "{n1}から{n2}を{v}。",
    "{o}{n1}で{n2}を{v}。",
    "{n1}と{n2}が正しいかどうかを{v}。",
    "{n1}が{s}ときは、{n2}の{n3}を{v}。",
    "{n1}には{n2}が必要です。",
)
TITLES = (
    "{n1}が{s}ときの対処法",
    "{n1}の{n2}を{v_base}方法",
    "{n1}と{n2}について",
    "{n1}が{s}場合",
    "{n1}で{n2}が{s}",
)
V_BASE = ("確認する", "変更する", "再設定する", "削除する", "登録する", "見直す")

# How the measured words are written into a sentence or a title.
FORMS: dict[str, tuple[str, ...]] = {
    COMMON: (
        "{w}できない場合は、{n1}を{v}。",
        "{w}画面で{n1}を{v}。",
        "{w}の前に{n1}を{v}。",
        "{w}するときは{n1}が必要です。",
    ),
    SHORT: (
        "アカウントが{w}された場合は、{n1}を{v}。",
        "出品が{w}されたときは、{n1}の{n2}を{v}。",
        "{w}の理由は{n1}に表示されます。",
    ),
    RARE: ("{w}の{n1}を{v}。", "{w}を利用している場合は、{n1}を{v}。"),
}
TITLE_FORMS: dict[str, tuple[str, ...]] = {
    COMMON: ("{w}できないときの{n1}", "{w}画面で{n1}が{s}", "{w}時に{n1}を{v_base}方法"),
    SHORT: ("アカウントが{w}されたとき", "{n1}が{w}された場合の対処法"),
    RARE: ("{w}の{n1}を{v_base}方法",),
}


@dataclass
class Doc:
    """A synthetic document; summary and body as their sentences (each ends with 。)."""

    kind: str
    title: str
    summary: list[str]
    body: list[str]


class Generator:
    def __init__(self, seed: int, pool: int = 20_000) -> None:
        self.rng = random.Random(seed)
        # Filler sentences are drawn from a pool: much faster than composing each one.
        self.pool = [self.fill(self.rng.choice(SENTENCES)) for _ in range(pool)]

    def fill(self, template: str, word: str = "") -> str:
        rng = self.rng
        n1, n2, n3 = rng.sample(NOUNS, 3)
        return template.format(
            w=word,
            n1=n1,
            n2=n2,
            n3=n3,
            v=rng.choice(VERBS),
            v_base=rng.choice(V_BASE),
            s=rng.choice(STATES),
            o=rng.choice(OPENERS),
        )

    def text(self, low: int, high: int, words: list[str]) -> list[str]:
        """Sentences adding up to a length in [low, high], the given words each in one of them."""
        rng = self.rng
        target = rng.randint(low, high)
        parts = [self.fill(rng.choice(FORMS[w]), w) for w in words]
        length = sum(len(s) for s in parts)
        while length < target:
            for sentence in rng.choices(self.pool, k=8):
                if length + len(sentence) <= high:
                    parts.append(sentence)
                    length += len(sentence)
                if length >= target:
                    break
            if length >= low and length + 20 > high:
                break
        rng.shuffle(parts)
        return parts

    def title(self, word: str | None) -> str:
        rng = self.rng
        title = ""
        for _ in range(50):
            if word:
                title = self.fill(rng.choice(TITLE_FORMS[word]), word)
            else:
                title = self.fill(rng.choice(TITLES))
            if 15 <= len(title) <= 30:
                break
        return title

    def doc(self, words: list[str]) -> Doc:
        """One document; each of `words` goes into the title, the summary or the body."""
        rng = self.rng
        kind = rng.choices(("cause", "faq", "tip"), weights=(2, 5, 3))[0]
        in_title = [w for w in words if rng.random() < 0.3]
        title_word = in_title[0] if in_title else None
        rest = [w for w in words if w != title_word]
        in_summary = [w for w in rest if rng.random() < 0.4]
        in_body = [w for w in rest if w not in in_summary]
        # A word in the title or summary is usually in the body too, as in real articles.
        in_body += [w for w in words if w not in in_body and rng.random() < 0.5]
        return Doc(
            kind,
            self.title(title_word),
            self.text(60, 100, in_summary),
            self.text(300, 1000, in_body),
        )


def rare_positions(size: int) -> set[int]:
    """Where the rare word goes: RARE_COUNT documents spread evenly over the corpus."""
    return {(k * size) // RARE_COUNT + size // (2 * RARE_COUNT) for k in range(RARE_COUNT)}


def generate(size: int, seed: int = SEED) -> Iterator[Doc]:
    gen = Generator(seed + size)
    rare = rare_positions(size)
    for number in range(size):
        words = []
        if gen.rng.random() < COMMON_SHARE:
            words.append(COMMON)
        if gen.rng.random() < SHORT_SHARE:
            words.append(SHORT)
        if number in rare:
            words.append(RARE)
        yield gen.doc(words)


# --------------------------------------------------------------------------------------------
# Inserting them as articles.search.index would (child process, Django set up)

FIRST_ID = 1_000_000  # ids and object ids of the synthetic rows, clear of the shipped content
PRIORITY = {"cause": 2, "faq": 1, "tip": 0}
URL_PREFIX = {"cause": "/causes/", "faq": "/faq/", "tip": "/tips/"}
CHECKED = 500  # documents whose index values are checked against the search module's own code


class IndexValues:
    """The values `articles.search.index` writes for a field, computed once per sentence.

    `index` normalises the text, then writes (SQLite) the FTS5 text, the bigrams of each word
    (`textnorm.gram_text`), or (PostgreSQL) `search._piece_set`, the one- and two-character
    pieces of each word, without repeats. A word never spans two sentences (each ends with 。),
    so both can be put together from the sentences' own, which are cached: the synthetic corpus
    reuses sentences. The first documents are also computed directly with the search module's
    functions; if they differ (the index format changed), every document is computed directly.
    """

    def __init__(self, sqlite: bool) -> None:
        self.sqlite = sqlite
        self.cache: dict[str, tuple[str, str, tuple[str, ...]]] = {}
        self.direct = False
        self.checked = 0

    def sentence(self, text: str) -> tuple[str, str, tuple[str, ...]]:
        hit = self.cache.get(text)
        if hit is None:
            from articles.textnorm import grams, normalise, words

            norm = normalise(text)
            found = words(norm)
            if self.sqlite:
                hit = (norm, " ".join(g for w in found for g in grams(w)), ())
            else:
                pieces = tuple(
                    p for w in found for p in (*w, *(w[i : i + 2] for i in range(len(w) - 1)))
                )
                hit = (norm, "", pieces)
            self.cache[text] = hit
        return hit

    def exact(self, text: str) -> tuple[str, str]:
        """(normalised, FTS text or pieces) computed by the search module's own functions."""
        from articles.search import _piece_set
        from articles.textnorm import gram_text, normalise

        norm = normalise(text)
        return norm, gram_text(text) if self.sqlite else _piece_set(norm)

    def field(self, parts: list[str]) -> tuple[str, str]:
        if self.direct:
            return self.exact("".join(parts))
        cache = self.cache
        hits = [cache.get(p) or self.sentence(p) for p in parts]
        norm = "".join(h[0] for h in hits)
        if self.sqlite:
            indexed = " ".join(h[1] for h in hits if h[1])
        else:
            indexed = " ".join(dict.fromkeys(p for h in hits for p in h[2]))
        if self.checked < CHECKED * 3:
            self.checked += 1
            if (norm, indexed) != self.exact("".join(parts)):
                print("    note: index values differ from articles.search's; computing directly")
                self.direct = True
                return self.exact("".join(parts))
        return norm, indexed


FtsRow = tuple[int, str, str, str]  # rowid, title, summary, body


def entries(docs: Iterator[Doc], sqlite: bool) -> Iterator[tuple[Any, FtsRow | None]]:
    """(SearchEntry, its FTS5 row on SQLite) for each document, with ids from FIRST_ID."""
    from articles.models import SearchEntry

    values = IndexValues(sqlite)
    for number, doc in enumerate(docs):
        pk = FIRST_ID + number
        fields = {"title": [doc.title], "summary": doc.summary, "body": doc.body}
        computed = {name: values.field(parts) for name, parts in fields.items()}
        extra = {} if sqlite else {f"grams_{name}": computed[name][1] for name in fields}
        entry = SearchEntry(
            id=pk,
            kind=doc.kind,
            object_id=pk,
            url=f"{URL_PREFIX[doc.kind]}synthetic-{pk}/",
            title=doc.title,
            summary="".join(doc.summary),
            body="".join(doc.body),
            priority=PRIORITY[doc.kind],
            **{f"norm_{name}": computed[name][0] for name in fields},
            **extra,
        )
        titles, summaries, bodies = (computed[name][1] for name in fields)
        yield entry, (pk, titles, summaries, bodies) if sqlite else None


def insert(docs: Iterator[Doc], batch: int = 2000) -> int:
    """Bulk-insert the documents: bulk_create and executemany into the FTS5 table on SQLite,
    COPY on PostgreSQL (several times faster than INSERT for 100k rows of text)."""
    from django.db import connection, transaction

    from articles.models import SearchEntry

    sqlite = connection.vendor == "sqlite"
    count = 0
    with transaction.atomic(), connection.cursor() as cursor:
        if sqlite:
            rows: list[SearchEntry] = []
            fts: list[FtsRow] = []

            def flush() -> None:
                SearchEntry.objects.bulk_create(rows)
                cursor.executemany(
                    "INSERT INTO articles_search_fts (rowid, title, summary, body)"
                    " VALUES (%s, %s, %s, %s)",
                    fts,
                )
                rows.clear()
                fts.clear()

            for entry, fts_row in entries(docs, sqlite):
                rows.append(entry)
                if fts_row is not None:
                    fts.append(fts_row)
                count += 1
                if len(rows) >= batch:
                    flush()
            flush()
            return count
        fields = SearchEntry._meta.concrete_fields
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        table = connection.ops.quote_name(SearchEntry._meta.db_table)
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for entry, _ in entries(docs, sqlite):
                copy.write_row(
                    [f.get_db_prep_save(f.pre_save(entry, True), connection) for f in fields]
                )
                count += 1
    return count


def pg_search_indexes() -> list[tuple[str, str]]:
    """(name, CREATE INDEX statement) of each index on the search table that backs no
    constraint: the ones the migrations created for searching, whatever they are now."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i"
            " WHERE i.indrelid = 'articles_searchentry'::regclass AND NOT EXISTS"
            " (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)"
        )
        return [(name, sql) for name, sql in cursor.fetchall()]


def create_indexes(statements: list[str]) -> None:
    """CREATE INDEX statements side by side, one connection each (PostgreSQL 15 builds a GIN
    index on one CPU)."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    def run(sql: str) -> None:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SET maintenance_work_mem = '256MB'")
                cursor.execute(sql)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=max(1, os.cpu_count() or 1)) as pool:
        for future in [pool.submit(run, sql) for sql in statements]:
            future.result()


def build(size: int, load_content: bool) -> dict[str, float]:
    """Migrate, load the shipped content, insert the synthetic documents; seconds per step."""
    from django.core.management import call_command
    from django.db import connection

    timings: dict[str, float] = {}
    start = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    timings["migrate"] = time.perf_counter() - start
    if load_content:
        from articles import content

        start = time.perf_counter()
        content.load()
        timings["load_content"] = time.perf_counter() - start

    start = time.perf_counter()
    postgres = connection.vendor == "postgresql"
    indexes = pg_search_indexes() if postgres else []
    with connection.cursor() as cursor:
        # Building the GIN indexes once at the end is much faster than row by row; they are
        # created again from their own definitions (what the migrations made).
        for name, _ in indexes:
            cursor.execute(f"DROP INDEX {name}")
    if indexes:
        print(
            f"    {len(indexes)} search indexes rebuilt after the insert: "
            + ", ".join(name for name, _ in indexes),
            flush=True,
        )
    insert(generate(size))
    timings["insert"] = time.perf_counter() - start
    start = time.perf_counter()
    if postgres:
        create_indexes([sql for _, sql in indexes])
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE articles_searchentry")  # as autovacuum would
    else:
        from articles import search

        search.optimise()  # as search.rebuild() does after load_content
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    timings["index"] = time.perf_counter() - start
    return timings


# --------------------------------------------------------------------------------------------
# Measuring (child process)


@dataclass
class Timing:
    p50: float
    p95: float
    mean: float
    runs: int


def summarise(samples: list[float]) -> Timing:
    ms = sorted(s * 1000 for s in samples)
    if len(ms) == 1:
        return Timing(ms[0], ms[0], ms[0], 1)
    cuts = statistics.quantiles(ms, n=100, method="inclusive")
    return Timing(cuts[49], cuts[94], statistics.fmean(ms), len(ms))


@dataclass
class KindResult:
    kind: str
    query: str
    normalised: str
    docs_with_word: int
    results: int
    sql_queries: int
    search: Timing
    search_sql: Timing  # the part of each search spent in cursor.execute (and fetching)
    icontains: Timing
    icontains_hits: int
    explain: list[str] = field(default_factory=list)


@dataclass
class RunResult:
    db: str
    size: int
    corpus: int  # rows in SearchEntry: the synthetic documents plus the shipped content
    synonyms: int
    build_seconds: dict[str, float]
    kinds: list[KindResult]
    versions: str
    load: str  # load averages (1 min) when the measurements started and ended
    code: str  # a hash of the search code this run imported (others may edit it meanwhile)


class SqlTimer:
    """An execute_wrapper that adds up the time spent in the database and keeps the SQL.

    sqlite3 computes rows as they are fetched (execute only steps to the first), so on SQLite
    the cursor's fetch methods are timed too; psycopg has every row once execute returns."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.statements: list[tuple[str, Any]] = []
        self.keep = False

    def __call__(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - start
            if self.keep:
                self.statements.append((sql, params))
            self.time_fetches(context["cursor"].cursor)

    def time_fetches(self, raw: Any) -> None:
        for name in ("fetchone", "fetchmany", "fetchall"):
            method = getattr(raw, name, None)
            if method is None or getattr(method, "timed", False):
                continue

            def timed(*args: Any, _method: Any = method, **kwargs: Any) -> Any:
                start = time.perf_counter()
                try:
                    return _method(*args, **kwargs)
                finally:
                    self.seconds += time.perf_counter() - start

            timed.timed = True  # type: ignore[attr-defined]
            with contextlib.suppress(AttributeError, TypeError):
                setattr(raw, name, timed)  # SQLite's cursor class is Python: this works


def explain(statements: list[tuple[str, Any]]) -> list[str]:
    """The plan of each candidate query of one search (EXPLAIN ANALYZE on PostgreSQL)."""
    from django.db import connection

    out = []
    with connection.cursor() as cursor:
        for sql, params in statements:
            if "articles_search_fts" not in sql and "WHERE (" not in sql:
                continue  # the version check and the fetch of the entries by id
            if connection.vendor == "postgresql":
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
            else:
                cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            plan = "\n".join(" | ".join(str(c) for c in row) for row in cursor.fetchall())
            out.append(f"{cursor.db.ops.last_executed_query(cursor, sql, params)}\n{plan}")
    return out


MIN_RUNS = 10


def runs_within(seconds: float, reps: int, budget: float) -> int:
    """How many runs fit in the budget: at most reps, and at least MIN_RUNS unless reps is less."""
    return min(reps, max(MIN_RUNS, int(budget / max(seconds, 1e-6))))


def measure(reps: int, warmup: int, want_explain: bool, budget: float) -> list[KindResult]:
    from articles.textnorm import normalise
    from django.db import connection
    from django.db.models import Q
    from django.test.utils import CaptureQueriesContext

    from articles import search
    from articles.models import SearchEntry

    timer = SqlTimer()
    results = []
    with connection.execute_wrapper(timer):
        for query in QUERIES:
            norm = normalise(query.text)
            match = (
                Q(norm_title__icontains=norm)
                | Q(norm_summary__icontains=norm)
                | Q(norm_body__icontains=norm)
            )
            docs_with_word = SearchEntry.objects.filter(match).count()

            def scan(match: Q = match) -> list[int]:
                ids = SearchEntry.objects.filter(match).values_list("id", flat=True)
                return list(ids[:ICONTAINS_LIMIT])

            found = search.search(query.text)
            with CaptureQueriesContext(connection) as ctx:
                search.search(query.text)
            sql_queries = len(ctx.captured_queries)
            warm: list[float] = []
            for _ in range(max(1, warmup)):  # a slow query gets fewer: a quarter of the budget
                start = time.perf_counter()
                search.search(query.text)
                warm.append(time.perf_counter() - start)
                if sum(warm) > budget / 4:
                    break
            search_reps = runs_within(min(warm), reps, budget)
            start = time.perf_counter()
            hits = len(scan())
            scan_reps = runs_within(time.perf_counter() - start, reps, budget)

            search_times: list[float] = []
            sql_times: list[float] = []
            scan_times: list[float] = []
            for i in range(max(search_reps, scan_reps)):  # alternate: noise weighs on both alike
                if i < search_reps:
                    timer.seconds = 0.0
                    start = time.perf_counter()
                    search.search(query.text)
                    search_times.append(time.perf_counter() - start)
                    sql_times.append(timer.seconds)
                if i < scan_reps:
                    start = time.perf_counter()
                    scan()
                    scan_times.append(time.perf_counter() - start)

            plans: list[str] = []
            if want_explain:
                timer.keep = True
                timer.statements = []
                search.search(query.text)
                timer.keep = False
                plans = explain(timer.statements)
            result = KindResult(
                kind=query.kind,
                query=query.text,
                normalised=norm,
                docs_with_word=docs_with_word,
                results=len(found),
                sql_queries=sql_queries,
                search=summarise(search_times),
                search_sql=summarise(sql_times),
                icontains=summarise(scan_times),
                icontains_hits=hits,
                explain=plans,
            )
            print(
                f"    {query.kind:<7} {query.text:<8} search p50 {result.search.p50:7.2f} ms"
                f" p95 {result.search.p95:7.2f} ms (SQL p50 {result.search_sql.p50:.2f});"
                f" icontains p50 {result.icontains.p50:8.2f} ms p95 {result.icontains.p95:8.2f}"
                f" ms; {docs_with_word} docs contain it",
                flush=True,
            )
            for plan in plans:
                print("      " + plan.replace("\n", "\n      "), flush=True)
            results.append(result)
    return results


def code_hash() -> str:
    import hashlib

    digest = hashlib.sha256()
    for name in SEARCH_CODE:
        with contextlib.suppress(OSError):
            digest.update((ROOT / name).read_bytes())
    return digest.hexdigest()[:12]


def child(args: argparse.Namespace) -> int:
    code = code_hash()
    import django

    django.setup()
    from django.db import connection

    from articles.models import SearchEntry, Synonym

    timings = build(args.size, not args.no_content)
    corpus = SearchEntry.objects.count()
    synonyms = Synonym.objects.count()
    print(
        f"    built {corpus:,} entries ({synonyms} synonym groups) in "
        + ", ".join(f"{k} {v:.1f} s" for k, v in timings.items()),
        flush=True,
    )
    load_before = load_average()
    kinds = measure(args.reps, args.warmup, args.explain, args.budget)
    load = f"{load_before:.1f} -> {load_average():.1f}"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            version = f"PostgreSQL {cursor.fetchone()[0].split()[0]}"
        else:
            cursor.execute("SELECT sqlite_version()")
            version = f"SQLite {cursor.fetchone()[0]}"
    result = RunResult(args.db, args.size, corpus, synonyms, timings, kinds, version, load, code)
    Path(args.out).write_text(json.dumps(asdict(result), ensure_ascii=False))
    return 0


# --------------------------------------------------------------------------------------------
# The parent: one subprocess per database and size, then the report


class BenchError(Exception):
    pass


def pg_admin(url: str) -> Any:
    import psycopg

    parts = urlsplit(url)
    return psycopg.connect(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
        user=parts.username or "postgres",
        password=parts.password or None,
        dbname=parts.path.lstrip("/") or "postgres",
        autocommit=True,
    )


@contextlib.contextmanager
def database(db: str, size: int, tmp: Path, pg_url: str, keep: bool) -> Iterator[str]:
    """A fresh, empty database for one run; its DATABASE_URL. Dropped on the way out."""
    if db == "sqlite":
        path = tmp / f"search-{size}.sqlite3"
        try:
            yield f"sqlite:///{path}"
        finally:
            if not keep:
                path.unlink(missing_ok=True)
        return
    name = f"bench_search_{os.getpid()}_{size}"
    with pg_admin(pg_url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(urlsplit(pg_url)._replace(path=f"/{name}"))
    finally:
        if not keep:
            with pg_admin(pg_url) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run_child(db: str, size: int, url: str, tmp: Path, args: argparse.Namespace) -> RunResult:
    out = tmp / f"result-{db}-{size}.json"
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "CACHE_URL", "DEBUG", "CONN_MAX_AGE"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE=SETTINGS_MODULE,
        DATABASE_URL=url,
        LOG_LEVEL="WARNING",
        PYTHONPATH=os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p),
    )
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--child",
        "--db",
        db,
        "--size",
        str(size),
        "--reps",
        str(args.reps),
        "--warmup",
        str(args.warmup),
        "--budget",
        str(args.budget),
        "--out",
        str(out),
    ]
    if args.explain:
        command.append("--explain")
    if args.no_content:
        command.append("--no-content")
    done = subprocess.run(command, cwd=ROOT, env=env, timeout=3600)
    if done.returncode != 0 or not out.exists():
        raise BenchError(f"the run on {db} with {size:,} documents failed ({done.returncode})")
    data = json.loads(out.read_text())
    kinds = []
    for k in data.pop("kinds"):
        for name in ("search", "search_sql", "icontains"):
            k[name] = Timing(**k[name])
        kinds.append(KindResult(**k))
    return RunResult(kinds=kinds, **data)


def short(n: int) -> str:
    return f"{n // 1000}k" if n % 1000 == 0 else f"{n:,}"


def report(results: list[RunResult], sizes: list[int]) -> None:
    smallest, largest = min(sizes), max(sizes)
    by_key = {(r.db, r.size, k.kind): k for r in results for k in r.kinds}
    rows = [
        [
            "db",
            "docs",
            "kind",
            "query",
            "docs with it",
            "search p50",
            "search p95",
            "SQL p50",
            "icontains p50",
            "icontains p95",
            "runs",
            f"p95 {short(largest)}/{short(smallest)}",
            "verdict",
        ]
    ]
    failures: list[str] = []
    for run in results:
        for k in run.kinds:
            ratio = ""
            verdict = ""
            if run.size == largest:
                fast = k.search.p95 < P95_GOAL_MS
                base = by_key.get((run.db, smallest, k.kind))
                growth = k.search.p95 / base.search.p95 if base and base.search.p95 else math.nan
                flat = growth <= GROWTH_GOAL if len(sizes) > 1 else True
                ratio = f"{growth:.1f}x" if len(sizes) > 1 else "-"
                verdict = "PASS" if fast and flat else "FAIL"
                if not fast:
                    failures.append(f"{run.db} {k.kind}: p95 {k.search.p95:.1f} ms")
                if not flat:
                    failures.append(f"{run.db} {k.kind}: p95 grew {growth:.1f}x")
            rows.append(
                [
                    run.db,
                    short(run.size),
                    k.kind,
                    k.query,
                    f"{k.docs_with_word:,}",
                    f"{k.search.p50:.2f}",
                    f"{k.search.p95:.2f}",
                    f"{k.search_sql.p50:.2f}",
                    f"{k.icontains.p50:.2f}",
                    f"{k.icontains.p95:.2f}",
                    f"{k.search.runs}/{k.icontains.runs}",
                    ratio,
                    verdict,
                ]
            )
    print(table(rows))
    print(
        "\nTimes in ms. search: articles.search.search(query) (default limit 20), in-process;"
        " SQL p50: the part of it spent executing SQL and fetching rows. icontains: the first"
        f" {ICONTAINS_LIMIT} ids matching Q(norm_title__icontains=q) | Q(norm_summary__icontains=q)"
        " | Q(norm_body__icontains=q) for the normalised query, no synonyms. docs with it:"
        " entries whose normalised text contains the query word (the shipped content included)."
        " runs: timed runs of search / of icontains."
        f" Goals, at {short(largest)} documents: search p95 < {P95_GOAL_MS:.0f} ms, and p95"
        f" at most {GROWTH_GOAL:.0f}x the p95 at {short(smallest)}."
        + (
            ""
            if largest == DEFAULT_SIZES[-1] and smallest == DEFAULT_SIZES[0]
            else f" (The goals are set for {short(DEFAULT_SIZES[-1])} against"
            f" {short(DEFAULT_SIZES[0])}; this run judges its own largest and smallest sizes.)"
        )
    )
    print("\nRuns:")
    for run in results:
        queries = ", ".join(f"{k.kind} {k.sql_queries}" for k in run.kinds)
        build = ", ".join(f"{k} {v:.1f} s" for k, v in run.build_seconds.items())
        print(
            f"  {run.db:<8} {run.size:>7,} docs: {run.corpus:,} entries, {run.synonyms} synonym"
            f" groups, {run.versions}; SQL queries per search: {queries}; build: {build};"
            f" load average while measuring {run.load}"
        )
    codes = sorted({run.code for run in results})
    if len(codes) > 1:
        print(
            "\nWARNING: the search code changed during the run (someone edited "
            + ", ".join(SEARCH_CODE)
            + "): the runs measured different code ("
            + "; ".join(f"{r.db} {short(r.size)} {r.code}" for r in results)
            + "). Rerun for comparable figures."
        )
    print()
    if failures:
        print("Verdict: FAIL (" + "; ".join(failures) + ")")
    else:
        print("Verdict: PASS (every kind of query meets both goals on every database)")


def code_state() -> str:
    """The commit, and whether the search code differs from it (others may be editing it)."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
        changed = subprocess.run(
            ["git", "status", "--porcelain", "--", *SEARCH_CODE],
            cwd=ROOT,
            capture_output=True,
            text=True,
        ).stdout.split()
    except OSError:
        return "unknown (no git)"
    edited = [p for p in SEARCH_CODE if p in changed]
    return f"commit {head or '?'}" + (
        f", with uncommitted changes to {', '.join(edited)}" if edited else ""
    )


SEARCH_CODE = ("articles/search.py", "articles/textnorm.py", "articles/models.py")


def load_average() -> float:
    try:
        return float(Path("/proc/loadavg").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return math.nan


def busy_warning() -> str:
    load = load_average()
    if math.isnan(load):
        return ""
    cpus = os.cpu_count() or 1
    if load < 0.5 * cpus:
        return ""
    return (
        f"WARNING: load average {load:.1f} on {cpus} CPU(s) before starting: other processes are"
        " busy, so latencies (p95 above all) will be higher and noisier than on a quiet machine."
    )


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--sizes", help="corpus sizes, comma-separated (default 1000,10000,100000)")
    parser.add_argument("--quick", action="store_true", help="sizes 1000,10000; fewer runs")
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--reps", type=int, help="timed runs per query (default 100, quick 30)")
    parser.add_argument("--warmup", type=int, default=5, help="untimed runs first (default 5)")
    parser.add_argument(
        "--budget",
        type=float,
        help="seconds for the timed runs of one query, per method: a slow query gets fewer"
        f" runs, at least {MIN_RUNS} (default 20, quick 5)",
    )
    parser.add_argument("--explain", action="store_true", help="print each candidate query's plan")
    parser.add_argument(
        "--no-content",
        action="store_true",
        help="skip load_content: no shipped documents and no synonyms",
    )
    parser.add_argument(
        "--pg-url",
        default=os.environ.get("BENCH_PG_URL", DEFAULT_PG_URL),
        help=f"PostgreSQL server to create throwaway databases on (default {DEFAULT_PG_URL})",
    )
    parser.add_argument("--keep", action="store_true", help="keep the databases and folder")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.sizes:
        try:
            args.size_list = sorted({int(s) for s in args.sizes.split(",") if s.strip()})
        except ValueError:
            parser.error("--sizes takes numbers separated by commas")
    else:
        args.size_list = list(QUICK_SIZES if args.quick else DEFAULT_SIZES)
    if not args.size_list or min(args.size_list) < 1:
        parser.error("sizes must be positive")
    args.reps = args.reps or (30 if args.quick else 100)
    args.budget = args.budget if args.budget is not None else (5.0 if args.quick else 20.0)
    if args.reps < 2 or args.warmup < 0 or args.budget <= 0:
        parser.error("--reps must be at least 2, --warmup at least 0 and --budget positive")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.child:
        return child(args)
    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    tmp = Path(tempfile.mkdtemp(prefix="loginhelp-search-bench-"))
    print(f"# Search benchmark, {datetime.now().astimezone():%Y-%m-%d %H:%M %Z}")
    print(
        f"machine: {os.cpu_count()} CPU(s); Python {sys.version.split()[0]}; sizes"
        f" {', '.join(f'{s:,}' for s in args.size_list)}; per query and method {args.reps} timed"
        f" runs (fewer, at least {MIN_RUNS}, if they would take over {args.budget:g} s) after"
        f" up to {args.warmup} warm-up runs; seed {SEED}"
    )
    print(
        "content: "
        + (
            "none, and no synonyms (--no-content)"
            if args.no_content
            else "the shipped content (load_content) with the synonyms of fixtures/synonyms.yaml"
        )
    )
    print(f"code: {code_state()}")
    print("queries: " + "; ".join(f"{q.kind} {q.text} ({q.note})" for q in QUERIES))
    if warning := busy_warning():
        print(warning)
    results: list[RunResult] = []
    try:
        for db in dbs:
            for size in args.size_list:
                print(f"\n{db}, {size:,} synthetic documents", flush=True)
                with database(db, size, tmp, args.pg_url, args.keep) as url:
                    if args.keep:
                        print(f"    DATABASE_URL={url}")
                    results.append(run_child(db, size, url, tmp, args))
    except BenchError as exc:
        print(f"\nbench/search.py: {exc}", file=sys.stderr)
    except Exception as exc:  # a measurement: report what ran, and exit 0
        print(f"\nbench/search.py: {type(exc).__name__}: {exc}", file=sys.stderr)
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    if results:
        print()
        report(results, args.size_list)
    return 0


if __name__ == "__main__":
    sys.exit(main())
