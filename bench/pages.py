#!/usr/bin/env python
"""Page throughput and page weight, as served by gunicorn on SQLite, against a bare Django view.

    .venv/bin/python bench/pages.py            # the full run (make bench), about a minute
    .venv/bin/python bench/pages.py --quick    # 1 s per URL, one round
    .venv/bin/python bench/pages.py --profile  # also profile each page in-process (cProfile)

What it does, in a temporary folder it removes at the end:
  1. a fresh SQLite database: `manage.py migrate`, `manage.py load_content`, `collectstatic`;
  2. gunicorn (2 sync workers, no access log) on 127.0.0.1 and a free port, with
     `bench.settings`: the site as in production, no cache, plus the bare view
     `/__bench__/bare` in the same process;
  3. requests per second for each page and for the bare view, with `wrk` (or a Python client if
     wrk is missing): in each round every page is measured next to a run of the bare view, and
     the median over the rounds of page ÷ bare is the page's ratio;
  4. SQL queries per page, in-process with Django's test client (same settings, same database),
     and for pages that htmx swaps in part (the guided flow) the queries of the partial too;
  5. the gzip-compressed bytes of each page's HTML, and of the HTML plus the page's
     `<link rel=stylesheet>` and `<script src>` assets fetched from the same server; for htmx
     pages, also the partial that htmx requests (`HX-Request: true`).
It prints a table with the goals and PASS/FAIL, and exits 0 whatever the verdicts (it measures).

To benchmark another page, add a row to PAGES below.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import http.client
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import BARE_PATH  # noqa: E402  (needs ROOT on sys.path)
from bench.tables import table  # noqa: E402


@dataclass(frozen=True)
class Page:
    path: str  # as sent: percent-encoded (see `encoded`)
    label: str
    goal_ratio: float  # minimum page req/s ÷ bare view req/s, without any cache
    max_queries: int | None = None  # maximum statements that read or write data (None: no goal)
    partial: bool = False  # htmx swaps it in part: also the `HX-Request: true` response
    partial_goal: int | None = None  # maximum gzip bytes of that partial (None: no goal)

    @property
    def shown(self) -> str:
        return unquote(self.path)


def encoded(path: str) -> str:
    """A path with its query percent-encoded, as a browser sends it (wrk and http.client
    need ASCII)."""
    return quote(path, safe="/?&=%")


# Maximum gzip-compressed bytes of one page: its HTML plus its stylesheets and scripts.
PAGE_BYTES_GOAL = 30_000
# Maximum gzip-compressed bytes of the htmx partial of a flow step (`HX-Request: true`).
PARTIAL_BYTES_GOAL = 4_000
HTMX_HEADERS = {"HX-Request": "true"}

FLOW_STEP = "/diagnose/?service=seller-central&a=code-not-arriving"
FLOW_RESULT = FLOW_STEP + "&a=changed-nothing&a=new-device-no"

# The pages measured, in order. Add a row per page.
PAGES: list[Page] = [
    Page("/", "home", 0.3),
    Page("/causes/wrong-email-or-password/", "cause", 0.3),
    Page(FLOW_STEP, "flow step", 0.35, 2, partial=True, partial_goal=PARTIAL_BYTES_GOAL),
    Page(FLOW_RESULT, "flow result", 0.35, 2, partial=True),
    Page(encoded("/search/?q=認証コード"), "search", 0.3),
]


GUNICORN_WORKERS = 2
SETTINGS_MODULE = "bench.settings"
HOST = "127.0.0.1"
GZIP_LEVEL = 6  # for responses the server does not compress itself (the HTML)


class BenchError(Exception):
    pass


# --------------------------------------------------------------------------------------------
# Preparing the database, the static files and the server


def bench_env(tmp: Path) -> dict[str, str]:
    """The environment for manage.py, gunicorn and this process's own Django."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "CACHE_URL", "DEBUG", "SITE_URL", "CONN_MAX_AGE"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE=SETTINGS_MODULE,
        DATABASE_URL=f"sqlite:///{tmp / 'bench.sqlite3'}",  # an absolute path: sqlite:////tmp/…
        BENCH_STATIC_ROOT=str(tmp / "static"),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        LOG_LEVEL="WARNING",
        PYTHONPATH=os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p),
    )
    return env


def prepare(env: dict[str, str]) -> None:
    for args in (
        ["migrate", "--noinput", "-v0"],
        ["load_content"],
        ["collectstatic", "--noinput", "-v0"],
    ):
        step = " ".join(["manage.py", *args])
        print(f"  {step}", flush=True)
        done = subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        if done.returncode != 0:
            raise BenchError(f"{step} failed:\n{done.stdout}{done.stderr}")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def gunicorn_command() -> list[str]:
    venv_gunicorn = Path(sys.executable).parent / "gunicorn"
    if venv_gunicorn.exists():
        return [str(venv_gunicorn)]
    if (ROOT / ".venv/bin/gunicorn").exists():
        return [str(ROOT / ".venv/bin/gunicorn")]
    return [sys.executable, "-m", "gunicorn"]


@contextlib.contextmanager
def gunicorn(env: dict[str, str], tmp: Path) -> Iterator[int]:
    """Serve the site on a free loopback port; always stop the server on the way out."""
    port = free_port()
    log_path = tmp / "gunicorn.log"
    command = [
        *gunicorn_command(),
        "helpcenter.wsgi:application",
        "--bind",
        f"{HOST}:{port}",
        "--workers",
        str(GUNICORN_WORKERS),
        "--worker-class",
        "sync",
        "--chdir",
        str(ROOT),
        "--error-logfile",
        str(log_path),
        "--log-level",
        "warning",
        # No --access-logfile: gunicorn writes no access log without one.
    ]
    with open(log_path, "ab") as log:
        proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_until_up(proc, port, log_path)
        yield port
    except BenchError as exc:
        if proc.poll() is None:
            raise
        raise BenchError(
            f"{exc}\ngunicorn (pid {proc.pid}) exited with {proc.returncode} during the run"
            " (a negative code is the signal that ended it: another process may have killed"
            f" it); its log:\n{log_path.read_text()[-3000:]}"
        ) from exc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


def wait_until_up(proc: subprocess.Popen[bytes], port: int, log_path: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise BenchError(f"gunicorn exited ({proc.returncode}):\n{log_path.read_text()}")
        with contextlib.suppress(OSError, http.client.HTTPException):
            if fetch(port, "/healthz").status == 200:
                return
        time.sleep(0.2)
    raise BenchError(f"gunicorn did not answer within 30 s:\n{log_path.read_text()}")


# --------------------------------------------------------------------------------------------
# Fetching pages and assets, and weighing them


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes


def fetch(
    port: int, path: str, accept_gzip: bool = False, headers: dict[str, str] | None = None
) -> Response:
    conn = http.client.HTTPConnection(HOST, port, timeout=10)
    try:
        sent = {"Accept-Encoding": "gzip"} if accept_gzip else {}
        conn.request("GET", path, headers={**sent, **(headers or {})})
        resp = conn.getresponse()
        body = resp.read()
        return Response(resp.status, {k.lower(): v for k, v in resp.getheaders()}, body)
    finally:
        conn.close()


@dataclass(frozen=True)
class Weight:
    path: str
    raw: int  # bytes, uncompressed
    gz: int  # bytes, gzip-compressed
    how: str  # "served gzip" (e.g. by whitenoise), f"gzip -{GZIP_LEVEL}" (here) or "none …"


def weigh(port: int, path: str, headers: dict[str, str] | None = None) -> tuple[Weight, bytes]:
    """The body's size as sent gzip-compressed to a browser that accepts gzip."""
    resp = fetch(port, path, accept_gzip=True, headers=headers)
    if resp.status != 200:
        raise BenchError(f"GET {path} answered {resp.status}, expected 200")
    if resp.headers.get("content-encoding") == "gzip":
        raw = gzip.decompress(resp.body)
        return Weight(path, len(raw), len(resp.body), "served gzip"), raw
    packed = gzip.compress(resp.body, compresslevel=GZIP_LEVEL, mtime=0)
    if len(packed) >= len(resp.body):  # tiny files: servers send them as they are
        return Weight(path, len(resp.body), len(resp.body), "none (gzip no smaller)"), resp.body
    return Weight(path, len(resp.body), len(packed), f"gzip -{GZIP_LEVEL}"), resp.body


class AssetParser(HTMLParser):
    """Collects `<link rel=stylesheet href>` and `<script src>`, in document order."""

    def __init__(self) -> None:
        super().__init__()
        self.assets: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = {name: value or "" for name, value in attrs}
        url = ""
        if tag == "link" and "stylesheet" in attr.get("rel", "").lower().split():
            url = attr.get("href", "")
        elif tag == "script":
            url = attr.get("src", "")
        if url and url not in self.assets:
            self.assets.append(url)


@dataclass
class PageWeight:
    html: Weight
    assets: list[Weight] = field(default_factory=list)
    external: list[str] = field(default_factory=list)  # assets on another origin: not counted

    @property
    def total_gz(self) -> int:
        return self.html.gz + sum(a.gz for a in self.assets)


def weigh_page(port: int, path: str, seen: dict[str, Weight]) -> PageWeight:
    html, body = weigh(port, path)
    parser = AssetParser()
    parser.feed(body.decode("utf-8", errors="replace"))
    weight = PageWeight(html)
    for url in parser.assets:
        parts = urlsplit(url)
        if parts.netloc and parts.netloc not in {f"{HOST}:{port}", f"localhost:{port}"}:
            weight.external.append(url)
            continue
        asset_path = parts.path + (f"?{parts.query}" if parts.query else "")
        if asset_path not in seen:
            seen[asset_path] = weigh(port, asset_path)[0]
        weight.assets.append(seen[asset_path])
    return weight


# --------------------------------------------------------------------------------------------
# Load generators


@dataclass(frozen=True)
class Run:
    rps: float
    requests: int
    errors: int  # non-2xx/3xx responses and socket errors


def run_wrk(port: int, path: str, seconds: int, connections: int, threads: int) -> Run:
    url = f"http://{HOST}:{port}{path}"
    command = ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s"]
    done = subprocess.run(
        [*command, "--timeout", "5s", url],
        capture_output=True,
        text=True,
        timeout=seconds + 60,
    )
    out = done.stdout
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    total = re.search(r"(\d+) requests in", out)
    if done.returncode != 0 or not rps or not total:
        raise BenchError(f"wrk failed on {url}:\n{out}{done.stderr}")
    errors = 0
    if non2xx := re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out):
        errors += int(non2xx.group(1))
    if sock := re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out
    ):
        errors += sum(int(n) for n in sock.groups())
    return Run(float(rps.group(1)), int(total.group(1)), errors)


def run_python(port: int, path: str, seconds: float, connections: int) -> Run:
    """Fallback: one thread per connection, each a keep-alive http.client connection."""
    deadline = time.perf_counter() + seconds
    ok = [0] * connections
    bad = [0] * connections

    def client(i: int) -> None:
        conn = http.client.HTTPConnection(HOST, port, timeout=5)
        while time.perf_counter() < deadline:
            try:
                conn.request("GET", path)
                resp = conn.getresponse()
                resp.read()  # reconnects by itself after "Connection: close"
                if 200 <= resp.status < 400:
                    ok[i] += 1
                else:
                    bad[i] += 1
            except (OSError, http.client.HTTPException):
                bad[i] += 1
                conn.close()
        conn.close()

    start = time.perf_counter()
    workers = [threading.Thread(target=client, args=(i,)) for i in range(connections)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - start
    return Run(sum(ok) / elapsed, sum(ok), sum(bad))


@dataclass
class LoadGenerator:
    use_wrk: bool
    connections: int
    threads: int

    @property
    def name(self) -> str:
        if self.use_wrk:
            return f"wrk, {self.threads} thread(s), {self.connections} connections"
        return f"Python http.client, {self.connections} threads/connections"

    def run(self, port: int, path: str, seconds: int) -> Run:
        if self.use_wrk:
            return run_wrk(port, path, seconds, self.connections, self.threads)
        return run_python(port, path, seconds, self.connections)


@dataclass(frozen=True)
class Pair:
    """One page's run and the bare view's run right next to it, in the same round."""

    page: Run
    bare: Run

    @property
    def ratio(self) -> float:
        return self.page.rps / self.bare.rps if self.bare.rps else 0.0


def measure_throughput(
    port: int, pages: list[Page], load: LoadGenerator, seconds: int, warmup: int, rounds: int
) -> dict[str, list[Pair]]:
    """Per round, each page right after (or, every other round, right before) the bare view.

    Each page's ratio is taken against the bare run next to it, so that other work on the
    machine, which comes and goes, weighs on both sides of a ratio alike."""
    pairs: dict[str, list[Pair]] = {page.path: [] for page in pages}

    def one(number: int, path: str) -> Run:
        if warmup:
            load.run(port, path, warmup)
        run = load.run(port, path, seconds)
        errors = f", {run.errors} errors" if run.errors else ""
        print(f"  round {number + 1}  {unquote(path):<40} {run.rps:8.1f} req/s{errors}", flush=True)
        return run

    for number in range(rounds):
        for page in pages:
            if number % 2 == 0:
                bare = one(number, BARE_PATH)
                run = one(number, page.path)
            else:
                run = one(number, page.path)
                bare = one(number, BARE_PATH)
            pairs[page.path].append(Pair(run, bare))
    return pairs


# --------------------------------------------------------------------------------------------
# In-process measurements: SQL queries and the profile


def setup_django(env: dict[str, str]) -> None:
    os.environ.update(env)
    import django

    django.setup()


@dataclass(frozen=True)
class Queries:
    """SQL statements of one request: all of them, and how many are transaction control."""

    total: int
    control: int  # BEGIN, COMMIT, SAVEPOINT…: round trips, but no data read or written

    @property
    def data(self) -> int:
        return self.total - self.control

    def __str__(self) -> str:
        return (
            f"{self.total} ({self.data} + {self.control} tx)" if self.control else str(self.total)
        )


CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE SAVEPOINT")


def count_queries(paths: list[str], headers: dict[str, str] | None = None) -> dict[str, Queries]:
    """Queries of one request to each path, after a first request (one-time work excluded)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST=HOST, headers=headers)
    counts: dict[str, Queries] = {}
    for path in paths:
        client.get(path)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(path)
        if response.status_code != 200:
            raise BenchError(f"test client: GET {path} answered {response.status_code}")
        statements = [q["sql"].lstrip().upper() for q in ctx.captured_queries]
        control = sum(1 for sql in statements if sql.startswith(CONTROL))
        counts[path] = Queries(len(statements), control)
    return counts


# Where a request's time goes: the cumulative time inside these functions, as a share of the
# whole request. Indented rows are part of the row above them (and rows may overlap: a template
# that evaluates a queryset counts in both).
FRAMES: list[tuple[str, str, str]] = [
    (
        "QuerySet evaluation (_fetch_all: compile, run, build objects)",
        "/db/models/query.py",
        "_fetch_all",
    ),
    ("  SQL compilation (SQLCompiler.as_sql)", "/db/models/sql/compiler.py", "as_sql"),
    ("  SQLite, executing the SQL and fetching rows", "~", "sqlite"),
    ("template rendering (Template.render)", "/template/backends/django.py", "render"),
    ("  URL reversing (reverse, also outside templates)", "/urls/base.py", "reverse"),
]


def best_ms(call: Callable[[], object], requests: int, batches: int = 5) -> float:
    """Milliseconds per call: the best of a few batches, as machine noise only slows things."""
    per_batch = max(1, requests // batches)
    best = float("inf")
    for _ in range(batches):
        start = time.perf_counter()
        for _ in range(per_batch):
            call()
        best = min(best, (time.perf_counter() - start) / per_batch)
    return best * 1000


def profile_pages(paths: list[str], requests: int) -> None:
    """Time and cProfile `requests` in-process GETs of each path: where the time goes."""
    import cProfile
    import inspect
    import pstats

    from django.test import Client
    from django.urls import resolve

    client = Client(HTTP_HOST=HOST)
    bare_ms = 0.0
    for path in paths:
        client.get(path)
        ms = best_ms(lambda path=path: client.get(path), requests)  # type: ignore[misc]
        bare_ms = bare_ms or ms
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(requests):
            client.get(path)
        profiler.disable()
        stats = pstats.Stats(profiler)
        entries: dict[tuple[str, int, str], tuple[int, int, float, float, object]]
        entries = stats.stats  # type: ignore[attr-defined]
        total = sum(tottime for (_cc, _nc, tottime, _ct, _callers) in entries.values())

        view = inspect.unwrap(resolve(path.split("?")[0]).func)
        code = getattr(view, "__code__", None)
        frames = list(FRAMES)
        if code is not None:
            name = f"view {view.__module__}.{view.__qualname__}"
            frames.insert(0, (name, code.co_filename, code.co_name))
        print(
            f"\n### {path}: {ms:.2f} ms per request in-process ({ms / bare_ms:.1f}x the bare view)"
        )
        print(f"Share of the request's time under cProfile ({requests} requests):")
        for label, file_part, func in frames:
            inside = 0.0
            for (filename, _line, name), (_cc, _nc, _tt, cumtime, _callers) in entries.items():
                if file_part == "~":
                    hit = (
                        filename == "~"
                        and func in name.lower()
                        and ("execute" in name or "fetch" in name)
                    )
                else:
                    hit = filename.endswith(file_part) and name == func
                if hit:
                    inside += cumtime
            print(f"  {100 * inside / total:5.1f} %  {label}")
        print()
        stats.sort_stats("cumulative").print_stats(25)
        stats.sort_stats("tottime").print_stats(12)


# --------------------------------------------------------------------------------------------
# Report


def machine() -> str:
    model = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return f"{os.cpu_count()} CPU(s){f', {model}' if model else ''}"


def busy_warning() -> str:
    """A warning when other processes keep the CPUs busy: the figures will be noisy."""
    try:
        load = float(Path("/proc/loadavg").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return ""
    cpus = os.cpu_count() or 1
    if load < 0.5 * cpus:
        return ""
    return (
        f"WARNING: load average {load:.1f} on {cpus} CPU(s) before starting: other processes are"
        " busy, so req/s will be low and noisy (the ratios suffer less). Rerun on a quiet machine."
    )


def versions(use_wrk: bool) -> str:
    import django

    parts = [f"Python {sys.version.split()[0]}", f"Django {django.get_version()}"]
    with contextlib.suppress(ImportError):
        import gunicorn

        parts.append(f"gunicorn {gunicorn.__version__}")
    if use_wrk:
        out = subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout
        if found := re.search(r"wrk (\S+)", out):
            parts.append(f"wrk {found.group(1)}")
    return ", ".join(parts)


def kb(n: int) -> str:
    return f"{n / 1000:.1f} KB"


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def report(
    pairs: dict[str, list[Pair]],
    queries: dict[str, Queries],
    weights: dict[str, PageWeight],
    assets: dict[str, Weight],
    partials: dict[str, Weight],
    partial_queries: dict[str, Queries],
) -> None:
    rows = [
        [
            "page",
            "path",
            "req/s",
            "bare req/s",
            "ratio",
            "goal",
            "speed",
            "SQL",
            "SQL goal",
            "HTML gz",
            "+CSS+JS gz",
            "goal",
            "weight",
        ]
    ]
    failures = []
    for page in PAGES:
        rps = statistics.median(p.page.rps for p in pairs[page.path])
        bare = statistics.median(p.bare.rps for p in pairs[page.path])
        ratios = [p.ratio for p in pairs[page.path]]
        ratio = statistics.median(ratios)
        spread = f" ({min(ratios):.2f}-{max(ratios):.2f})" if len(ratios) > 1 else ""
        weight = weights[page.path]
        fast = ratio >= page.goal_ratio
        light = weight.total_gz <= PAGE_BYTES_GOAL
        if not fast:
            failures.append(f"{page.label}: throughput {ratio:.2f} of bare < {page.goal_ratio}")
        if not light:
            failures.append(f"{page.label}: {kb(weight.total_gz)} > {kb(PAGE_BYTES_GOAL)}")
        sql_goal = "-"
        if page.max_queries is not None:
            few = queries[page.path].data <= page.max_queries
            sql_goal = f"<= {page.max_queries} {verdict(few)}"
            if not few:
                failures.append(
                    f"{page.label}: {queries[page.path].data} SQL queries > {page.max_queries}"
                )
        rows.append(
            [
                page.label,
                page.shown,
                f"{rps:.0f}",
                f"{bare:.0f}",
                f"{ratio:.2f}{spread}",
                f">= {page.goal_ratio:.2f}",
                verdict(fast),
                str(queries[page.path]),
                sql_goal,
                kb(weight.html.gz),
                kb(weight.total_gz),
                f"<= {kb(PAGE_BYTES_GOAL)}",
                verdict(light),
            ]
        )
    print(table(rows))
    print(
        f"\nreq/s: medians of the rounds. ratio: median over the rounds of page req/s ÷ req/s of"
        f" the bare view ({BARE_PATH}, same server) measured next to it; (lowest-highest)."
        " SQL: statements per request; 'n (d + t tx)': d statements that read or write data and"
        " t of transaction control (BEGIN/COMMIT around a write); the SQL goal counts d."
        " gz: bytes after gzip; +CSS+JS: the HTML plus its stylesheets and scripts."
    )

    if partials:
        print("\nhtmx partials (the same URL requested with `HX-Request: true`, as htmx does):")
        rows = [["page", "path", "SQL", "SQL goal", "raw", "gz", "goal", "weight"]]
        for page in PAGES:
            if page.path not in partials:
                continue
            part = partials[page.path]
            goal = page.partial_goal
            small = goal is None or part.gz < goal
            few = page.max_queries is None or partial_queries[page.path].data <= page.max_queries
            if goal is not None and not small:
                failures.append(f"{page.label} partial: {kb(part.gz)} >= {kb(goal)}")
            if not few:
                failures.append(
                    f"{page.label} partial: {partial_queries[page.path].data} SQL queries"
                    f" > {page.max_queries}"
                )
            rows.append(
                [
                    page.label,
                    page.shown,
                    str(partial_queries[page.path]),
                    "-" if page.max_queries is None else f"<= {page.max_queries} {verdict(few)}",
                    f"{part.raw:,}",
                    f"{part.gz:,}",
                    "-" if goal is None else f"< {kb(goal)}",
                    "-" if goal is None else verdict(small),
                ]
            )
        print(table(rows))

    print("\nBytes per page (gzip):")
    rows = [["page", "HTML raw", "HTML gz", "assets gz", "total gz", "compressed by"]]
    for page in PAGES:
        weight = weights[page.path]
        rows.append(
            [
                page.label,
                f"{weight.html.raw:,}",
                f"{weight.html.gz:,}",
                f"{sum(a.gz for a in weight.assets):,}",
                f"{weight.total_gz:,}",
                weight.html.how,
            ]
        )
        for url in weight.external:
            print(f"  note: {page.label} loads {url} from another origin (not counted)")
    print(table(rows))

    print("\nAssets (each page loads the ones it references):")
    rows = [["asset", "raw", "gz", "compressed by"]]
    rows += [[w.path, f"{w.raw:,}", f"{w.gz:,}", w.how] for w in assets.values()]
    print(table(rows))

    errors = sum(p.page.errors + p.bare.errors for ps in pairs.values() for p in ps)
    if errors:
        print(f"\nWARNING: {errors} failed requests during the load runs; see the rounds above.")
    print()
    if failures:
        print("Verdict: FAIL (" + "; ".join(failures) + ")")
    else:
        print("Verdict: PASS (every page meets its goals)")


# --------------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="1 s per URL, one round")
    parser.add_argument("--duration", type=int, help="seconds per URL per round (default 5)")
    parser.add_argument("--warmup", type=int, help="seconds of warm-up before each (default 1)")
    parser.add_argument("--rounds", type=int, help="rounds; the median is reported (default 3)")
    parser.add_argument("--connections", type=int, default=4, help="concurrent connections")
    parser.add_argument("--threads", type=int, default=1, help="wrk threads (default 1)")
    parser.add_argument(
        "--client", choices=["auto", "wrk", "python"], default="auto", help="load generator"
    )
    parser.add_argument(
        "--profile",
        type=int,
        nargs="?",
        const=300,
        default=0,
        metavar="N",
        help="also cProfile N in-process requests per page (default 300)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args(argv)
    quick = args.quick
    args.duration = args.duration or (1 if quick else 5)
    args.warmup = args.warmup if args.warmup is not None else 1
    args.rounds = args.rounds or (1 if quick else 3)
    if min(args.duration, args.rounds, args.connections, args.threads) < 1 or args.warmup < 0:
        parser.error("durations, rounds, connections and threads must be positive")
    return args


def choose_load(args: argparse.Namespace) -> LoadGenerator:
    has_wrk = shutil.which("wrk") is not None
    if args.client == "wrk" and not has_wrk:
        raise BenchError("wrk is not installed: apt-get install -y wrk")
    use_wrk = has_wrk and args.client != "python"
    if not has_wrk and args.client == "auto":
        print(
            "wrk is not installed (Debian: apt-get install -y wrk); using the Python client"
            " instead: it shares the CPUs and the GIL, so its req/s are lower and noisier,"
            " though ratios remain comparable within one run."
        )
    return LoadGenerator(use_wrk, args.connections, args.threads)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    load = choose_load(args)
    paths = [BARE_PATH, *(page.path for page in PAGES)]
    tmp = Path(tempfile.mkdtemp(prefix="loginhelp-bench-"))
    env = bench_env(tmp)
    try:
        print(f"# Page benchmark, {datetime.now().astimezone():%Y-%m-%d %H:%M %Z}")
        print(f"machine: {machine()}; {versions(load.use_wrk)}")
        print(
            f"server: gunicorn, {GUNICORN_WORKERS} sync workers, SQLite, {SETTINGS_MODULE}"
            f" (no cache); load: {load.name}; {args.rounds} round(s) of {args.duration} s per"
            f" URL after {args.warmup} s warm-up"
        )
        if warning := busy_warning():
            print(warning)
        print(f"\nPreparing {tmp}")
        prepare(env)
        setup_django(env)
        queries = count_queries(paths)
        partial_paths = [page.path for page in PAGES if page.partial]
        partial_queries = count_queries(partial_paths, HTMX_HEADERS)
        with gunicorn(env, tmp) as port:
            print(f"\ngunicorn on http://{HOST}:{port}/ ; load runs:")
            assets: dict[str, Weight] = {}
            weights = {page.path: weigh_page(port, page.path, assets) for page in PAGES}
            partials = {path: weigh(port, path, HTMX_HEADERS)[0] for path in partial_paths}
            pairs = measure_throughput(port, PAGES, load, args.duration, args.warmup, args.rounds)
        print()
        report(pairs, queries, weights, assets, partials, partial_queries)
        if args.profile:
            profile_pages([BARE_PATH, *(page.path for page in PAGES)], args.profile)
    except BenchError as exc:
        print(f"\nbench/pages.py: {exc}", file=sys.stderr)
        return 1
    finally:
        if args.keep:
            print(f"\nkept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
