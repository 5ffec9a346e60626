#!/usr/bin/env python
"""Search latency on synthetic corpora of 1k, 10k and 100k Japanese documents, SQLite and PostgreSQL.

    .venv/bin/python bench/search.py                      # the full run (make bench-search)
    .venv/bin/python bench/search.py --quick              # 1k and 10k documents, fewer repetitions
    .venv/bin/python bench/search.py --db sqlite --sizes 1000,100000 --explain

For each database and each corpus size, in a database of its own (a temporary SQLite file, or a
throwaway PostgreSQL database `bench_search_<pid>_<size>` dropped at the end):
  1. `manage.py migrate` and `articles.content.load()` (the shipped content, about 40 documents,
     and with it the synonyms of fixtures/synonyms.yaml, which widen queries as on the site);
  2. the synthetic documents of `bench/corpus.py`, written by the index's own bulk API
     (`search.index.write`, then `search.index.optimise()`); on PostgreSQL the search indexes
     are dropped first and created again after, and the table vacuumed and analysed;
  3. for each kind of query (rare word, 2-character word, common word, miss, a phrase typed
     without spaces that is in no document, the common word typed in romaji, and two words where
     the documents with both come first), warm-up runs and then repeated runs of
     `search.engine.search(query)` next to a plain `icontains` scan (`Q(norm_title__icontains=q)
     | Q(norm_summary__icontains=q) | Q(norm_body__icontains=q)` on SearchEntry, for the
     normalised query, each of its words for the two words and the kana word for the romaji;
     first 60 ids: as many candidates as the search gathers), in
     alternation (100 each, fewer for a slow query: see --budget), and their p50/p95 latency.
Each (database, size) runs in a subprocess of this script, so that DATABASE_URL is set cleanly.
It prints a table with the goals and PASS/FAIL, and exits 0 whatever the verdicts (it measures).
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# Run as a script, this file's folder comes first on sys.path, where this file would hide the
# `search` app: the project's root takes its place.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.corpus import QUERIES, SEED, build  # noqa: E402
from bench.latency import ICONTAINS_LIMIT, MIN_RUNS, KindResult, Timing, measure  # noqa: E402
from bench.tables import table  # noqa: E402

SETTINGS_MODULE = "bench.settings"
DEFAULT_SIZES = (1_000, 10_000, 100_000)
QUICK_SIZES = (1_000, 10_000)
DEFAULT_PG_URL = "postgres://postgres@127.0.0.1:5432/postgres"
SEARCH_CODE = "search"  # the code measured: a hash of its files is recorded with each run

# Goals: p95 at the largest size, and how much p95 may grow from the smallest to the largest.
P95_GOAL_MS = 20.0
GROWTH_GOAL = 5.0


# --------------------------------------------------------------------------------------------
# One run (the child process)


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


def code_hash() -> str:
    digest = hashlib.sha256()
    for path in sorted((ROOT / SEARCH_CODE).rglob("*.py")):
        with contextlib.suppress(OSError):
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def child(args: argparse.Namespace) -> int:
    code = code_hash()
    import django

    django.setup()
    from django.db import connection

    from search.models import SearchEntry, Synonym

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

    return psycopg.connect(url, autocommit=True)


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
    dropped = {"DATABASE_URL", "CACHE_URL", "DEBUG", "CONN_MAX_AGE"}
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env.update(
        DJANGO_SETTINGS_MODULE=SETTINGS_MODULE,
        DATABASE_URL=url,
        LOG_LEVEL="WARNING",
        PYTHONPATH=os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p),
    )
    options = {"--db": db, "--size": size, "--reps": args.reps, "--warmup": args.warmup}
    options |= {"--budget": args.budget, "--out": out}
    command = [sys.executable, str(Path(__file__).resolve()), "--child"]
    command += [str(part) for option in options.items() for part in option]
    command += ["--explain"] * args.explain + ["--no-content"] * args.no_content
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


HEADER = "db,docs,kind,query,docs with it,search p50,search p95,SQL p50,icontains p50"
HEADER += ",icontains p95,runs"


def report(results: list[RunResult], sizes: list[int]) -> None:
    smallest, largest = min(sizes), max(sizes)
    by_key = {(r.db, r.size, k.kind): k for r in results for k in r.kinds}
    rows = [[*HEADER.split(","), f"p95 {short(largest)}/{short(smallest)}", "verdict"]]
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
            times = (k.search.p50, k.search.p95, k.search_sql.p50, k.icontains.p50, k.icontains.p95)
            rows.append(
                [run.db, short(run.size), k.kind, k.query, f"{k.docs_with_word:,}"]
                + [f"{t:.2f}" for t in times]
                + [f"{k.search.runs}/{k.icontains.runs}", ratio, verdict]
            )
    print(table(rows))
    print(
        "\nTimes in ms. search: search.engine.search(query) (default limit 20), in-process;"
        " SQL p50: the part of it spent executing SQL and fetching rows. icontains: the first"
        f" {ICONTAINS_LIMIT} ids matching Q(norm_title__icontains=q) | Q(norm_summary__icontains=q)"
        " | Q(norm_body__icontains=q) for the normalised query (for each word of the two words; for"
        " the romaji, for ログイン), no synonyms. docs with it:"
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
    if len({run.code for run in results}) > 1:
        print(
            f"\nWARNING: the search code changed during the run (someone edited {SEARCH_CODE}/):"
            " the runs measured different code ("
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
        git = ["git", "-C", str(ROOT)]
        head = subprocess.run(
            [*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True
        )
        changed = subprocess.run(
            [*git, "status", "--porcelain", "--", SEARCH_CODE], capture_output=True, text=True
        ).stdout.splitlines()
    except OSError:
        return "unknown (no git)"
    edited = [line[3:] for line in changed]
    return f"commit {head.stdout.strip() or '?'}" + (
        f", with uncommitted changes to {', '.join(edited)}" if edited else ""
    )


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
    add = parser.add_argument
    add("--sizes", help="corpus sizes, comma-separated (default 1000,10000,100000)")
    add("--quick", action="store_true", help="sizes 1000,10000; fewer runs")
    add("--db", choices=["sqlite", "postgres", "postgresql", "both"], default="both")
    add("--reps", type=int, help="timed runs per query (default 100, quick 30)")
    add("--warmup", type=int, default=5, help="untimed runs first (default 5)")
    add(
        "--budget",
        type=float,
        help="seconds for the timed runs of one query, per method: a slow query gets fewer"
        f" runs, at least {MIN_RUNS} (default 20, quick 5)",
    )
    add("--explain", action="store_true", help="print each candidate query's plan")
    add("--no-content", action="store_true", help="no shipped documents and no synonyms")
    add(
        "--pg-url",
        default=os.environ.get("BENCH_PG_URL", DEFAULT_PG_URL),
        help=f"PostgreSQL server to create throwaway databases on (default {DEFAULT_PG_URL})",
    )
    add("--keep", action="store_true", help="keep the databases and folder")
    add("--child", action="store_true", help=argparse.SUPPRESS)
    add("--size", type=int, help=argparse.SUPPRESS)
    add("--out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.db = "postgres" if args.db == "postgresql" else args.db
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
