#!/usr/bin/env python
"""Page throughput, SQL and weight, served by gunicorn on SQLite, against a bare Django view.

    .venv/bin/python bench/pages.py            # the full run (make bench-pages), about 1.5 min
    .venv/bin/python bench/pages.py --quick    # 1 s per URL, one round
    .venv/bin/python bench/pages.py --profile  # also time and cProfile each page in-process

docs/PERFORMANCE.md describes what it does and each figure. It exits 0 whatever the verdicts (it
measures). To benchmark another page, add a row to PAGES below.
"""

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
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from importlib.metadata import version
from pathlib import Path
from typing import NamedTuple
from urllib.parse import quote, unquote

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import BARE_PATH  # noqa: E402  (needs ROOT on sys.path)
from bench.tables import table  # noqa: E402


@dataclass(frozen=True)
class Page:
    path: str  # as written; sent percent-encoded, as a browser sends it (`url`)
    label: str
    goal_ratio: float  # minimum page req/s ÷ bare view req/s, without any cache
    max_queries: int | None = None  # maximum statements that read or write data (None: no goal)
    partial: bool = False  # htmx swaps it in part: also the `HX-Request: true` response
    partial_goal: int | None = None  # maximum gzip bytes of that partial (None: no goal)

    @property
    def url(self) -> str:
        return quote(self.path, safe="/?&=%")


PAGE_BYTES_GOAL = 30_000  # gzip bytes of one page: its HTML plus its stylesheets and scripts
PARTIAL_BYTES_GOAL = 4_000  # gzip bytes of the htmx partial of a flow step
FLOW_STEP = "/diagnose/?service=seller-central&a=code-not-arriving"

# The pages measured, in order. Add a row per page.
PAGES: list[Page] = [
    Page("/", "home", 0.3),
    Page("/causes/wrong-email-or-password/", "cause", 0.3),
    Page(FLOW_STEP, "flow step", 0.35, 2, partial=True, partial_goal=PARTIAL_BYTES_GOAL),
    Page(FLOW_STEP + "&a=changed-nothing&a=new-device-no", "flow result", 0.35, 2, partial=True),
    Page("/search/?q=認証コード", "search", 0.3),
]

WORKERS = 2
SETTINGS_MODULE = "bench.settings"
HOST = "127.0.0.1"
GZIP_LEVEL = 6  # for responses the server does not compress itself (the HTML)
HTMX = {"HX-Request": "true"}
# The assets a page loads from its own server: `<link rel=stylesheet href>`, `<script src>`.
ASSET = re.compile(
    r"""<link\b(?=[^>]*\brel=["']?stylesheet\b)[^>]*\bhref=["']?(/[^/"'\s>][^"'\s>]*)"""
    r"""|<script\b[^>]*\bsrc=["']?(/[^/"'\s>][^"'\s>]*)""",
    re.IGNORECASE,
)


class BenchError(Exception):
    pass


def bench_env(tmp: Path) -> dict[str, str]:
    """The environment for manage.py, gunicorn and this process's own Django: the settings'
    defaults for whatever the shell may have changed, and a database and static files of its own."""
    unset = {"CACHE_URL", "DEBUG", "SITE_URL", "CONN_MAX_AGE", "ALLOWED_HOSTS", "LOG_LEVEL"}
    env = {k: v for k, v in os.environ.items() if k not in unset}
    env["DJANGO_SETTINGS_MODULE"], env["BENCH_STATIC_ROOT"] = SETTINGS_MODULE, str(tmp / "static")
    env["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"  # an absolute path: sqlite:////tmp/…
    return env


def prepare(env: dict[str, str]) -> None:
    for step in ("migrate --noinput -v0", "load_content", "collectstatic --noinput -v0"):
        print(f"  manage.py {step}", flush=True)
        command = [sys.executable, "manage.py", *step.split()]
        done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
        if done.returncode != 0:
            raise BenchError(f"manage.py {step} failed:\n{done.stdout}{done.stderr}")


@contextlib.contextmanager
def gunicorn(env: dict[str, str], tmp: Path) -> Iterator[int]:
    """Serve the site on a free loopback port; stop that server, and only it, on the way out."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port = int(sock.getsockname()[1])
    log_path = tmp / "gunicorn.log"  # errors only: without --access-logfile, no access log
    command = [sys.executable, "-m", "gunicorn", f"--bind={HOST}:{port}", f"--workers={WORKERS}"]
    command += ["--worker-class=sync", f"--error-logfile={log_path}", "--log-level=warning"]
    command.append("helpcenter.wsgi:application")
    with open(log_path, "ab") as log:
        proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + 30
        while fetch(port, "/healthz", {})[0] != 200:
            if time.monotonic() > deadline:
                raise BenchError("gunicorn did not answer /healthz within 30 s")
            try:  # between tries, wait for gunicorn to exit: an early exit ends the wait at once
                proc.wait(timeout=0.2)
                raise BenchError("gunicorn exited before answering /healthz")
            except subprocess.TimeoutExpired:
                pass
        yield port
    except BenchError as exc:
        state = "is running" if proc.poll() is None else f"exited with {proc.returncode}"
        raise BenchError(
            f"{exc}\ngunicorn (pid {proc.pid}) {state} (a negative code is the signal that ended"
            f" it); its log:\n{log_path.read_text()[-3000:]}"
        ) from exc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


def fetch(port: int, path: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
    """Status, headers and body of one GET; status 0 if the server does not answer (yet)."""
    conn = http.client.HTTPConnection(HOST, port, timeout=10)
    try:
        conn.request("GET", path, headers=headers)
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    except (OSError, http.client.HTTPException):
        return 0, {}, b""
    finally:
        conn.close()


class Weight(NamedTuple):
    raw: int  # bytes, uncompressed
    gz: int  # bytes, gzip-compressed
    how: str  # who compressed it: the server (whitenoise), this script, or nobody


def weigh(port: int, path: str, headers: dict[str, str] | None = None) -> tuple[Weight, bytes]:
    """The body's size as sent to a browser that accepts gzip, and the body itself."""
    status, head, body = fetch(port, path, {"Accept-Encoding": "gzip", **(headers or {})})
    if status != 200:
        raise BenchError(f"GET {path} answered {status or 'nothing'}, expected 200")
    if head.get("content-encoding") == "gzip":
        raw = gzip.decompress(body)
        return Weight(len(raw), len(body), "served gzip"), raw
    packed = len(gzip.compress(body, compresslevel=GZIP_LEVEL, mtime=0))
    if packed >= len(body):  # tiny files: servers send them as they are
        return Weight(len(body), len(body), "none (gzip no smaller)"), body
    return Weight(len(body), packed, f"gzip -{GZIP_LEVEL} (here)"), body


def weigh_page(port: int, page: Page, assets: dict[str, Weight]) -> tuple[Weight, int]:
    """The HTML's weight, and the gzip bytes of the HTML plus its assets (added to `assets`)."""
    html, body = weigh(port, page.url)
    total = html.gz
    found = ASSET.findall(body.decode("utf-8", errors="replace"))
    for path in dict.fromkeys(css or js for css, js in found):
        if path not in assets:
            assets[path] = weigh(port, path)[0]
        total += assets[path].gz
    return html, total


class Run(NamedTuple):
    rps: float
    errors: int  # non-2xx/3xx responses and socket errors


def run_wrk(port: int, path: str, seconds: int, args: argparse.Namespace) -> Run:
    url = f"http://{HOST}:{port}{path}"
    command = ["wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{seconds}s", "--timeout=5s"]
    done = subprocess.run([*command, url], capture_output=True, text=True, timeout=seconds + 60)
    rps = re.search(r"Requests/sec:\s+([\d.]+)", done.stdout)
    if done.returncode != 0 or not rps:
        raise BenchError(f"wrk failed on {url}:\n{done.stdout}{done.stderr}")
    # "Non-2xx or 3xx responses: N" and "Socket errors: connect N, read N, write N, timeout N"
    errors = re.findall(r"(?:responses:|connect|read|write|timeout) (\d+)", done.stdout)
    return Run(float(rps.group(1)), sum(int(n) for n in errors))


def run_python(port: int, path: str, seconds: int, args: argparse.Namespace) -> Run:
    """Without wrk: a thread per connection, each a keep-alive http.client connection."""
    deadline = time.perf_counter() + seconds

    def client(_: int) -> tuple[int, int]:
        conn = http.client.HTTPConnection(HOST, port, timeout=5)
        ok = bad = 0
        while time.perf_counter() < deadline:
            try:
                conn.request("GET", path)
                resp = conn.getresponse()
                resp.read()  # reconnects by itself after "Connection: close"
                good = 200 <= resp.status < 400
                ok, bad = ok + good, bad + (not good)
            except (OSError, http.client.HTTPException):
                bad += 1
                conn.close()
        conn.close()
        return ok, bad

    start = time.perf_counter()
    with ThreadPoolExecutor(args.connections) as pool:
        ok, bad = map(sum, zip(*pool.map(client, range(args.connections)), strict=True))
    return Run(ok / (time.perf_counter() - start), bad)


def measure_throughput(port: int, args: argparse.Namespace) -> dict[Page, list[tuple[Run, Run]]]:
    """(page run, bare run) per round: each page right after the bare view (right before it in
    odd rounds), so that other work on the machine weighs on both sides of a ratio alike."""
    load = run_wrk if args.client == "wrk" else run_python
    pairs: dict[Page, list[tuple[Run, Run]]] = {page: [] for page in PAGES}

    def one(number: int, path: str) -> Run:
        if args.warmup:
            load(port, path, args.warmup, args)
        run = load(port, path, args.duration, args)
        errors = f", {run.errors} errors" if run.errors else ""
        print(f"  round {number + 1}  {unquote(path):<40} {run.rps:8.1f} req/s{errors}", flush=True)
        return run

    for number in range(args.rounds):
        for page in PAGES:
            if number % 2 == 0:
                bare, run = one(number, BARE_PATH), one(number, page.url)
            else:
                run, bare = one(number, page.url), one(number, BARE_PATH)
            pairs[page].append((run, bare))
    return pairs


class Queries(NamedTuple):
    """SQL statements of one request: those that read or write data, and transaction control."""

    data: int
    control: int  # BEGIN, COMMIT, SAVEPOINT…: round trips, but no data read or written

    def __str__(self) -> str:
        total = self.data + self.control
        return f"{total} ({self.data} + {self.control} tx)" if self.control else str(total)


def count_queries(pages: list[Page], headers: dict[str, str] | None = None) -> dict[Page, Queries]:
    """Statements of one request to each page, after a first request (one-time work left out)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    control = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE SAVEPOINT")
    client = Client(HTTP_HOST=HOST, headers=headers)
    counts = {}
    for page in pages:
        client.get(page.url)
        with CaptureQueriesContext(connection) as ctx:
            status = client.get(page.url).status_code
        if status != 200:
            raise BenchError(f"test client: GET {page.url} answered {status}")
        tx = sum(q["sql"].lstrip().upper().startswith(control) for q in ctx.captured_queries)
        counts[page] = Queries(len(ctx.captured_queries) - tx, tx)
    return counts


# Where a request's time goes: cumulative time in the functions whose "file:name" matches, as a
# share of the request. Indented rows are part of the row above; rows may overlap.
FRAMES = [
    ("QuerySet evaluation (_fetch_all: compile, run, build)", r"/db/models/query\.py:_fetch_all$"),
    ("  SQL compilation (SQLCompiler.as_sql)", r"/db/models/sql/compiler\.py:as_sql$"),
    ("  SQLite, executing the SQL and fetching rows", r"^~:.*(execute|fetch).*sqlite"),
    ("template rendering (Template.render)", r"/template/backends/django\.py:render$"),
    ("  URL reversing (reverse, also outside templates)", r"/urls/base\.py:reverse$"),
]


def profile_pages(paths: list[str], requests: int) -> None:
    """Time `requests` in-process GETs of each path (the best of 5 batches, no profiler), then
    cProfile as many: the share of the time spent in the view and in FRAMES."""
    import cProfile
    import functools
    import inspect
    import pstats
    import timeit

    from django.test import Client
    from django.urls import resolve

    client = Client(HTTP_HOST=HOST)
    bare_ms = 0.0
    for path in paths:
        get, batch = functools.partial(client.get, path), max(1, requests // 5)
        get()
        ms = 1000 * min(timeit.repeat(get, number=batch, repeat=5)) / batch  # noise only slows
        bare_ms = bare_ms or ms
        with cProfile.Profile() as profiler:
            for _ in range(requests):
                get()
        stats = pstats.Stats(profiler)
        entries = stats.stats  # type: ignore[attr-defined]
        total = sum(entry[2] for entry in entries.values())  # (cc, nc, tottime, cumtime, callers)
        frames = list(FRAMES)
        view = inspect.unwrap(resolve(path.split("?")[0]).func)
        if code := getattr(view, "__code__", None):
            where = re.escape(f"{code.co_filename}:{code.co_name}") + "$"
            frames.insert(0, (f"view {view.__module__}.{view.__qualname__}", where))
        print(f"\n### {path}: {ms:.2f} ms per request in-process ({ms / bare_ms:.1f}x bare view)")
        print(f"Share of the request's time under cProfile ({requests} requests):")
        for label, pattern in frames:
            inside = sum(e[3] for (f, _, n), e in entries.items() if re.search(pattern, f"{f}:{n}"))
            print(f"  {100 * inside / total:5.1f} %  {label}")
        print()
        stats.sort_stats("cumulative").print_stats(25)
        stats.sort_stats("tottime").print_stats(12)


def header(args: argparse.Namespace) -> str:
    found = None
    with contextlib.suppress(OSError):
        found = re.search(r"^model name\s*:\s*(.+)$", Path("/proc/cpuinfo").read_text(), re.M)
    tools = [f"Python {sys.version.split()[0]}", f"Django {version('django')}"]
    tools.append(f"gunicorn {version('gunicorn')}")
    load = f"Python http.client, {args.connections} threads/connections"
    if args.client == "wrk":
        out = subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout
        tools += [f"wrk {v}" for v in re.findall(r"wrk (\S+)", out)[:1]]
        load = f"wrk, {args.threads} thread(s), {args.connections} connections"
    lines = [
        f"# Page benchmark, {datetime.now().astimezone():%Y-%m-%d %H:%M %Z}",
        f"machine: {os.cpu_count()} CPU(s){f', {found[1]}' if found else ''}; {', '.join(tools)}",
        f"server: gunicorn, {WORKERS} sync workers, SQLite, {SETTINGS_MODULE} (no cache);"
        f" load: {load}; {args.rounds} round(s) of {args.duration} s per URL after"
        f" {args.warmup} s warm-up",
    ]
    cpus, busy = os.cpu_count() or 1, os.getloadavg()[0]
    if busy >= 0.5 * cpus:
        lines.append(
            f"WARNING: load average {busy:.1f} on {cpus} CPU(s) before starting: other processes"
            " are busy, so req/s will be low and noisy (the ratios suffer less)."
        )
    return "\n".join(lines)


def kb(n: int) -> str:
    return f"{n / 1000:.1f} KB"


def report(
    pairs: dict[Page, list[tuple[Run, Run]]],
    queries: dict[Page, Queries],
    partial_queries: dict[Page, Queries],
    weights: dict[Page, tuple[Weight, int]],
    partials: dict[Page, Weight],
    assets: dict[str, Weight],
) -> None:
    failures: list[str] = []

    def check(ok: bool, failure: str) -> str:
        if not ok:
            failures.append(failure)
        return "PASS" if ok else "FAIL"

    def sql(page: Page, counted: Queries, label: str) -> list[str]:
        most = page.max_queries
        if most is None:
            return [str(counted), "-"]
        failure = f"{label}: {counted.data} SQL statements > {most}"
        return [str(counted), f"<= {most} {check(counted.data <= most, failure)}"]

    rows = [["page", "path", "req/s", "bare req/s", "ratio", "goal", "speed", "SQL", "SQL goal"]]
    rows[0] += ["HTML gz", "HTML+CSS+JS gz", "goal", "weight"]
    for page in PAGES:
        medians = [statistics.median(r.rps for r in rs) for rs in zip(*pairs[page], strict=True)]
        ratios = [run.rps / bare.rps if bare.rps else 0.0 for run, bare in pairs[page]]
        ratio, goal = statistics.median(ratios), page.goal_ratio
        spread = f" ({min(ratios):.2f}-{max(ratios):.2f})" if len(ratios) > 1 else ""
        speed = check(ratio >= goal, f"{page.label}: throughput {ratio:.2f} of bare < {goal}")
        html, total = weights[page]
        weight = [kb(html.gz), kb(total), f"<= {kb(PAGE_BYTES_GOAL)}"]
        weight.append(check(total <= PAGE_BYTES_GOAL, f"{page.label}: {kb(total)} > {weight[2]}"))
        cells = [page.label, page.path, *(f"{rps:.0f}" for rps in medians), f"{ratio:.2f}{spread}"]
        cells += [f">= {goal:.2f}", speed, *sql(page, queries[page], page.label)]
        rows.append(cells + weight)
    print(f"\n{table(rows)}")
    print(
        f"\nreq/s: medians of the rounds. ratio: median of page req/s ÷ req/s of the bare view"
        f" ({BARE_PATH}, same server) run next to it (lowest-highest). SQL 'n (d + t tx)': d"
        " statements that read or write data (the SQL goal counts them), t of transaction"
        " control (BEGIN/COMMIT around a write). gz: bytes after gzip."
    )

    print("\nhtmx partials (the same URL requested with `HX-Request: true`, as htmx does):")
    rows = [["page", "path", "SQL", "SQL goal", "raw bytes", "gzip bytes", "goal", "weight"]]
    for page, part in partials.items():
        limit, label = page.partial_goal, f"{page.label} partial"
        cells = [page.label, page.path, *sql(page, partial_queries[page], label)]
        cells += [f"{part.raw:,}", f"{part.gz:,}", "-", "-"]
        if limit is not None:
            failure = f"{label}: {kb(part.gz)} >= {kb(limit)}"
            cells[-2:] = [f"< {kb(limit)}", check(part.gz < limit, failure)]
        rows.append(cells)
    print(table(rows))

    print("\nBytes, in detail (each page loads the assets it references):")
    rows = [["file", "raw bytes", "gzip bytes", "compressed by"]]
    rows += [[f"{p.label} HTML", f"{w.raw:,}", f"{w.gz:,}", w.how] for p, (w, _) in weights.items()]
    rows += [[path, f"{w.raw:,}", f"{w.gz:,}", w.how] for path, w in assets.items()]
    print(table(rows))

    if errors := sum(r.errors for runs in pairs.values() for pair in runs for r in pair):
        print(f"\nWARNING: {errors} failed requests during the load runs; see the rounds above.")
    verdict = f"FAIL ({'; '.join(failures)})" if failures else "PASS (every page meets its goals)"
    print(f"\nVerdict: {verdict}")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    add = parser.add_argument
    add("--quick", action="store_true", help="1 s per URL, one round")
    add("--duration", type=int, help="seconds per URL per round (default 5)")
    add("--warmup", type=int, default=1, help="seconds of warm-up before each run (default 1)")
    add("--rounds", type=int, help="rounds; the median is reported (default 3)")
    add("--connections", type=int, default=4, help="concurrent connections (default 4)")
    add("--threads", type=int, default=1, help="wrk threads (default 1)")
    has_wrk = shutil.which("wrk") is not None
    add("--client", choices=["wrk", "python"], default="wrk" if has_wrk else "python")
    profile = "also time and cProfile N in-process requests per page (default 300)"
    add("--profile", type=int, nargs="?", const=300, default=0, metavar="N", help=profile)
    add("--keep", action="store_true", help="keep the temporary folder (database, gunicorn log)")
    args = parser.parse_args(argv)
    args.duration = args.duration or (1 if args.quick else 5)
    args.rounds = args.rounds or (1 if args.quick else 3)
    if min(args.duration, args.rounds, args.connections, args.threads) < 1 or args.warmup < 0:
        parser.error("durations, rounds, connections and threads must be positive")
    if args.client == "wrk" and not has_wrk:
        parser.error("wrk is not installed: apt-get install -y wrk")
    if not has_wrk:
        print(
            "wrk is not installed (Debian: apt-get install -y wrk); using the Python client: it"
            " shares the CPUs and the GIL, so its req/s are lower (ratios stay comparable)."
        )
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="loginhelp-bench-"))
    env = bench_env(tmp)
    try:
        print(f"{header(args)}\n\nPreparing {tmp}")
        prepare(env)
        os.environ.clear()  # this process's own Django (SQL counts, profile) as the server's
        os.environ.update(env)
        import django

        django.setup()
        flow = [page for page in PAGES if page.partial]
        queries, partial_queries = count_queries(PAGES), count_queries(flow, HTMX)
        with gunicorn(env, tmp) as port:
            print(f"\ngunicorn on http://{HOST}:{port}/ ; load runs:")
            assets: dict[str, Weight] = {}
            weights = {page: weigh_page(port, page, assets) for page in PAGES}
            partials = {page: weigh(port, page.url, HTMX)[0] for page in flow}
            pairs = measure_throughput(port, args)
        report(pairs, queries, partial_queries, weights, partials, assets)
        if args.profile:
            profile_pages([BARE_PATH, *(page.url for page in PAGES)], args.profile)
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
