"""Timing searches for `bench/search.py` (in its child process, Django set up): each measured
query through `search.engine.search`, next to a plain `icontains` scan, alternately, with the
part of each search spent in SQL."""

from __future__ import annotations

import contextlib
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import reduce
from operator import and_, or_
from typing import Any

from bench.corpus import QUERIES

ICONTAINS_LIMIT = 60  # = search.backends.CANDIDATES: the scan gathers as many ids as the search
MIN_RUNS = 10


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
    docs_with_word: int
    sql_queries: int
    search: Timing
    search_sql: Timing  # the part of each search spent in cursor.execute (and fetching)
    icontains: Timing


class SqlTimer:
    """An execute_wrapper that adds up the time spent in the database.

    sqlite3 computes rows as they are fetched (execute only steps to the first), so on SQLite
    the cursor's fetch methods are timed too; psycopg has every row once execute returns."""

    def __init__(self) -> None:
        self.seconds = 0.0

    def __call__(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - start
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


def explain(query: str) -> list[str]:
    """The plan of each candidate query of one search: on PostgreSQL `EXPLAIN (ANALYZE,
    BUFFERS)` of every SELECT of a batch, after its SET LOCALs, in a transaction rolled back."""
    from django.db import connection

    from search.engine import search

    statements: list[tuple[str, Any]] = []

    def keep(execute: Callable[..., Any], sql: str, params: Any, *args: Any) -> Any:
        statements.append((sql, params))
        return execute(sql, params, *args)

    with connection.execute_wrapper(keep):
        search(query)
    out = []
    with connection.cursor() as cursor:
        for sql, params in statements:
            if "search_fts" not in sql and "WHERE (" not in sql:
                continue  # the content version check
            if connection.vendor != "postgresql":
                cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
                plan = "\n".join(" | ".join(str(c) for c in row) for row in cursor.fetchall())
                out.append(f"{cursor.db.ops.last_executed_query(cursor, sql, params)}\n{plan}")
                continue
            import psycopg

            # The query words are letters and digits: "; " only ever separates statements.
            batch = psycopg.ClientCursor(cursor.cursor.connection).mogrify(sql, params)
            cursor.execute("BEGIN")
            for part in batch.split("; "):
                if part.startswith("SET "):
                    cursor.execute(part)
                    continue
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + part)
                plan = "\n".join(row[0] for row in cursor.fetchall())
                out.append(f"{part}\n{plan}")
            cursor.execute("ROLLBACK")
    return out


def runs_within(seconds: float, reps: int, budget: float) -> int:
    """How many runs fit in the budget: at most reps, and at least MIN_RUNS unless reps is less."""
    return min(reps, max(MIN_RUNS, int(budget / max(seconds, 1e-6))))


def measure(reps: int, warmup: int, want_explain: bool, budget: float) -> list[KindResult]:
    from django.db import connection
    from django.db.models import Q
    from django.test.utils import CaptureQueriesContext

    from search.engine import search
    from search.index import FIELDS
    from search.models import SearchEntry
    from search.normalise import normalise

    timer = SqlTimer()
    results = []
    with connection.execute_wrapper(timer):
        for query in QUERIES:
            match = reduce(
                and_,
                (
                    reduce(or_, (Q(**{f"norm_{f}__icontains": normalise(w)}) for f in FIELDS))
                    for w in query.words
                ),
            )
            docs_with_word = SearchEntry.objects.filter(match).count()

            def scan(match: Q = match) -> list[int]:
                ids = SearchEntry.objects.filter(match).values_list("id", flat=True)
                return list(ids[:ICONTAINS_LIMIT])

            search(query.text)
            with CaptureQueriesContext(connection) as ctx:
                search(query.text)
            sql_queries = len(ctx.captured_queries)
            warm: list[float] = []
            for _ in range(max(1, warmup)):  # a slow query gets fewer: a quarter of the budget
                start = time.perf_counter()
                search(query.text)
                warm.append(time.perf_counter() - start)
                if sum(warm) > budget / 4:
                    break
            search_reps = runs_within(min(warm), reps, budget)
            start = time.perf_counter()
            scan()
            scan_reps = runs_within(time.perf_counter() - start, reps, budget)

            search_times: list[float] = []
            sql_times: list[float] = []
            scan_times: list[float] = []
            for i in range(max(search_reps, scan_reps)):  # alternate: noise weighs on both alike
                if i < search_reps:
                    timer.seconds = 0.0
                    start = time.perf_counter()
                    search(query.text)
                    search_times.append(time.perf_counter() - start)
                    sql_times.append(timer.seconds)
                if i < scan_reps:
                    start = time.perf_counter()
                    scan()
                    scan_times.append(time.perf_counter() - start)

            timings = (summarise(t) for t in (search_times, sql_times, scan_times))
            result = KindResult(query.kind, query.text, docs_with_word, sql_queries, *timings)
            print(
                f"    {query.kind:<9} {query.text:<9} search p50 {result.search.p50:7.2f} ms"
                f" p95 {result.search.p95:7.2f} ms (SQL p50 {result.search_sql.p50:.2f});"
                f" icontains p50 {result.icontains.p50:8.2f} ms p95 {result.icontains.p95:8.2f}"
                f" ms; {docs_with_word} docs contain it",
                flush=True,
            )
            if want_explain:
                for plan in explain(query.text):
                    print("      " + plan.replace("\n", "\n      "), flush=True)
            results.append(result)
    return results
