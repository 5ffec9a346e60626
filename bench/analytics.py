#!/usr/bin/env python
"""The outcome dashboard on a year of data, and the flow's result page with learning on and off.

    .venv/bin/python bench/analytics.py                  # both databases, 1M events (make bench-analytics)
    .venv/bin/python bench/analytics.py --quick          # 100k events, fewer repetitions
    .venv/bin/python bench/analytics.py --db sqlite --events 1000000 --votes 100000

For each database, in a database of its own (a temporary SQLite file, or a throwaway PostgreSQL
database `bench_analytics_<pid>` dropped at the end), a subprocess of this script:
  1. migrates and loads the shipped content;
  2. writes a year of synthetic outcomes: flows of started / answered / tried / done / resolved /
     escalated events over real services, causes and remedies (about 5 events a flow, up to
     `--events`), `--votes` votes on real pages, a search log of a year, and each remedy's
     outcome statistics as recording them would have left them;
  3. times in-process, with Django's test client and a staff user (no second factor: the page,
     not the sign-in, is measured): the dashboard for the last year (the slowest range a person
     asks for) and for the last 30 days, a bare Django view through the same middleware, and the
     flow's result page with `REMEDY_LEARNING` off and on, in alternation.
It prints the figures with the goals (dashboard under 500 ms for a year; the result page no
slower with learning on than off, as a ratio of the same run) and exits 0 whatever the verdicts.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import BARE_PATH  # noqa: E402
from bench.tables import table  # noqa: E402

SETTINGS_MODULE = "bench.settings"
DASHBOARD_GOAL_MS = 500.0
RESULT_RATIO_GOAL = 1.10  # learning on ÷ off, p50: "no slower", with 10 % for noise
RESULT_URL = (
    "/diagnose/?service=seller-central&a=code-not-arriving&a=changed-nothing&a=new-device-no"
)
SEED = 20261128
BATCH = 10_000


# --------------------------------------------------------------------------------------------
# The child: one database, filled and timed


@contextlib.contextmanager
def given_times(*models: Any) -> Iterator[None]:
    """Let bulk_create keep the synthetic `created_at` (auto_now_add would set "now")."""
    fields = [model._meta.get_field("created_at") for model in models]
    for field in fields:
        field.auto_now_add = False
    try:
        yield
    finally:
        for field in fields:
            field.auto_now_add = True


def fill(events: int, votes: int) -> dict[str, float]:
    """A year of synthetic outcomes; seconds each part took."""
    from feedback.models import FlowEvent, Vote

    with given_times(FlowEvent, Vote):
        return _fill(events, votes)


def _fill(events: int, votes: int) -> dict[str, float]:
    from django.utils import timezone

    from articles.models import FAQ, Cause, PreventionTip, Remedy, Service
    from diagnosis.models import RemedyStat
    from feedback.models import FlowEvent, SearchLog, Vote

    rng = random.Random(SEED)
    now = timezone.now()
    services = list(Service.objects.values_list("slug", flat=True))
    causes = list(Cause.objects.published().values_list("pk", "slug"))
    remedies: dict[int, list[Remedy]] = {}
    for remedy in Remedy.objects.filter(kind=Remedy.Kind.FIX):
        remedies.setdefault(remedy.cause_id, []).append(remedy)
    stats: dict[tuple[int, str], list[int]] = {}
    timings: dict[str, float] = {}

    started = time.perf_counter()
    rows: list[FlowEvent] = []
    written = flow = 0
    Kind = FlowEvent.Kind
    while written < events:
        flow += 1
        token = f"{flow:032x}"
        when = now - timedelta(seconds=rng.randrange(365 * 86400))
        service = rng.choice(services)
        cause_pk, cause = rng.choice(causes)
        flow_rows = [(Kind.STARTED, "", "", "")]
        if rng.random() < 0.8:
            flow_rows.append((Kind.ANSWERED, "", cause, ""))
            for remedy in remedies.get(cause_pk, [])[: rng.randint(0, 3)]:
                success = rng.random() < 0.35
                kind = Kind.RESOLVED if success else Kind.TRIED
                flow_rows.append((kind, str(remedy.pk), cause, remedy.version))
                stat = stats.setdefault((remedy.pk, remedy.version), [0, 0])
                stat[0] += 1
                stat[1] += success
                if success:
                    break
            else:
                if rng.random() < 0.5:
                    flow_rows.append((Kind.ESCALATED, "", cause, ""))
        for i, (kind, key, cause_slug, version) in enumerate(flow_rows):
            rows.append(
                FlowEvent(
                    flow_id=token,
                    kind=kind,
                    key=key,
                    service=service,
                    cause=cause_slug,
                    version=version,
                    answers=["code-not-arriving"] if kind == Kind.ANSWERED else [],
                    created_at=when + timedelta(seconds=30 * i),
                    day=timezone.localdate(when + timedelta(seconds=30 * i)),
                )
            )
        written += len(flow_rows)
        if len(rows) >= BATCH:
            FlowEvent.objects.bulk_create(rows)
            rows = []
    FlowEvent.objects.bulk_create(rows)
    from feedback import counts

    counts.rebuild()  # as the migration does for events stored before the counts existed
    timings["events"] = time.perf_counter() - started

    started = time.perf_counter()
    pages = [("cause", pk) for pk, _ in causes]
    pages += [("faq", pk) for pk in FAQ.objects.values_list("pk", flat=True)]
    pages += [("tip", pk) for pk in PreventionTip.objects.values_list("pk", flat=True)]
    vote_rows = []
    for _ in range(votes):
        page, pk = rng.choice(pages)
        comment = "手順どおりにできました。" if rng.random() < 0.05 else ""
        when = now - timedelta(seconds=rng.randrange(365 * 86400))
        vote_rows.append(
            Vote(
                page=page,
                object_id=pk,
                helpful=rng.random() < 0.7,
                comment=comment,
                created_at=when,
                day=timezone.localdate(when),
            )
        )
    Vote.objects.bulk_create(vote_rows, batch_size=BATCH)
    from feedback import counts

    counts.rebuild_votes()
    queries = ["パスワード", "認証コード", "届かない", "xyzzy", "パスキー", "テレビ"]
    log_rows = [
        SearchLog(
            day=(now - timedelta(days=d)).date(),
            query=q,
            searches=rng.randint(1, 50),
            zero_results=rng.randint(0, 5) if q == "xyzzy" else 0,
            clicks=rng.randint(0, 10),
        )
        for d in range(365)
        for q in queries
    ]
    SearchLog.objects.bulk_create(log_rows, batch_size=BATCH)
    RemedyStat.objects.bulk_create(
        RemedyStat(remedy_id=pk, version=v, tries=t, successes=s)
        for (pk, v), (t, s) in stats.items()
    )
    timings["votes, searches, statistics"] = time.perf_counter() - started
    return timings


def spread_times() -> None:
    """The events must spread over the year, or the year's dashboard would measure little."""
    from django.db.models import Max, Min

    from feedback.models import FlowEvent

    span = FlowEvent.objects.aggregate(first=Min("created_at"), last=Max("created_at"))
    if span["first"] and span["last"] and (span["last"] - span["first"]).days < 300:
        raise SystemExit("the synthetic events did not keep their times")


def timed(call: Callable[[], Any], runs: int) -> list[float]:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def child(args: argparse.Namespace) -> int:
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings, setup_test_environment

    from articles import content

    setup_test_environment()
    # Pages are rendered in-process: static URLs without a collected manifest.
    plain_static = override_settings(
        STORAGES={
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
    )
    plain_static.enable()
    call_command("migrate", verbosity=0)
    content.load()
    fills = fill(args.events, args.votes)
    spread_times()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    staff = Client()
    staff.force_login(User.objects.create_superuser("bench", "bench@example.invalid", "x"))
    visitor = Client()
    today = date.today()

    def dashboard(days: int) -> Callable[[], Any]:
        url = f"/admin/dashboard/?start={today - timedelta(days=days - 1)}&end={today}"

        def get() -> Any:
            response = staff.get(url)
            assert response.status_code == 200, (url, response.status_code)
            return response

        return get

    results: dict[str, Any] = {"fill": fills}
    with override_settings(STAFF_OTP_REQUIRED=False):
        for label, days in (("dashboard, 1 year", 365), ("dashboard, 30 days", 30)):
            dashboard(days)()  # warm
            results[label] = timed(dashboard(days), args.reps)
    results["bare view"] = timed(lambda: visitor.get(BARE_PATH), args.reps * 20)

    def result_page() -> Any:
        response = visitor.get(RESULT_URL)
        assert response.status_code == 200
        return response

    off: list[float] = []
    on: list[float] = []
    for _ in range(args.reps * 4):  # alternate, so load on the machine falls on both alike
        with override_settings(REMEDY_LEARNING=False):
            off += timed(result_page, 5)
        with override_settings(REMEDY_LEARNING=True):
            on += timed(result_page, 5)
    results["result page, learning off"] = off
    results["result page, learning on"] = on
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            results["version"] = f"PostgreSQL {cursor.fetchone()[0].split()[0]}"
        else:
            cursor.execute("SELECT sqlite_version()")
            results["version"] = f"SQLite {cursor.fetchone()[0]}"
    from feedback.models import FlowEvent, Vote

    results["rows"] = {"events": FlowEvent.objects.count(), "votes": Vote.objects.count()}
    Path(args.out).write_text(json.dumps(results, ensure_ascii=False))
    return 0


# --------------------------------------------------------------------------------------------
# The parent


@contextlib.contextmanager
def database(db: str, tmp: Path, pg_url: str) -> Iterator[str]:
    if db == "sqlite":
        yield f"sqlite:///{tmp / 'analytics.sqlite3'}"
        return
    import psycopg

    name = f"bench_analytics_{os.getpid()}"
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(urlsplit(pg_url)._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(pg_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run_child(db: str, url: str, tmp: Path, args: argparse.Namespace) -> dict[str, Any]:
    out = tmp / f"analytics-{db}.json"
    dropped = {"DATABASE_URL", "CACHE_URL", "DEBUG", "CONN_MAX_AGE"}
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env.update(DJANGO_SETTINGS_MODULE=SETTINGS_MODULE, DATABASE_URL=url, LOG_LEVEL="WARNING")
    command = [sys.executable, str(Path(__file__).resolve()), "--child", "--out", str(out)]
    command += ["--events", str(args.events), "--votes", str(args.votes), "--reps", str(args.reps)]
    done = subprocess.run(command, cwd=ROOT, env=env, timeout=5400)
    if done.returncode != 0 or not out.exists():
        raise SystemExit(f"the run on {db} failed ({done.returncode})")
    return json.loads(out.read_text())


def p(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def report(runs: dict[str, dict[str, Any]]) -> None:
    rows = [["db", "rows", "measure", "p50 ms", "p95 ms", "× bare p50", "goal", "verdict"]]
    for db, r in runs.items():
        bare = statistics.median(r["bare view"])
        size = f"{r['rows']['events']:,} events, {r['rows']['votes']:,} votes"
        for label in ("dashboard, 1 year", "dashboard, 30 days", "bare view"):
            mid, tail = statistics.median(r[label]), p(r[label], 0.95)
            goal, verdict = "", ""
            if label == "dashboard, 1 year":
                goal = f"< {DASHBOARD_GOAL_MS:.0f} ms"
                verdict = "PASS" if tail < DASHBOARD_GOAL_MS else "FAIL"
            rows.append(
                [db, size, label, f"{mid:.1f}", f"{tail:.1f}", f"{mid / bare:.0f}", goal, verdict]
            )
        off = statistics.median(r["result page, learning off"])
        on = statistics.median(r["result page, learning on"])
        for label, value in (("result page, learning off", off), ("result page, learning on", on)):
            tail = p(r[label], 0.95)
            rows.append(
                [db, size, label, f"{value:.1f}", f"{tail:.1f}", f"{value / bare:.0f}", "", ""]
            )
        ratio = on / off
        verdict = "PASS" if ratio <= RESULT_RATIO_GOAL else "FAIL"
        rows.append(
            [
                db,
                size,
                "result page on ÷ off",
                f"{ratio:.2f}",
                "",
                "",
                f"≤ {RESULT_RATIO_GOAL}",
                verdict,
            ]
        )
    print(table(rows))
    for db, r in runs.items():
        fills = ", ".join(f"{k} {v:.0f} s" for k, v in r["fill"].items())
        print(f"{db}: {r['version']}; filled in {fills}")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--votes", type=int, default=100_000)
    parser.add_argument("--reps", type=int, default=10)
    parser.add_argument("--quick", action="store_true", help="100k events, 10k votes, 5 runs")
    parser.add_argument(
        "--pg-url",
        default=os.environ.get("PG_BENCH_URL", "postgres://postgres@127.0.0.1:5432/postgres"),
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.quick:
        args.events, args.votes, args.reps = 100_000, 10_000, 5
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.child:
        return child(args)
    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    print(
        f"bench/analytics.py {datetime.now():%Y-%m-%d %H:%M}: {args.events:,} events, {args.votes:,} votes"
    )
    runs = {}
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        for db in dbs:
            print(f"  {db}: filling and timing…", flush=True)
            with database(db, tmp, args.pg_url) as url:
                runs[db] = run_child(db, url, tmp, args)
    report(runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
