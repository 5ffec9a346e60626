#!/usr/bin/env python
"""Load test of the production stack: nginx + gunicorn (bin/serve-prod), driven by wrk.

    .venv/bin/python bench/load.py            # the full run (make bench-load), about 12 min
    .venv/bin/python bench/load.py --quick    # 5 s runs, 16 connections only, about 4 min
    .venv/bin/python bench/load.py --quick --db sqlite --parts mix

For each backend (SQLite with the local-memory cache; PostgreSQL + Redis) it starts the stack on
loopback with `bench/prod_settings.py` (the production settings plus a bare view), then measures
with wrk and `bench/load.lua`:

- the mix (each request of `get_requests` in turn: pages, flow steps, search, the APIs and one
  flow answer POST in ten) at 16 and 64 connections, next to the bare view;
- each request alone, next to the bare view alone: a page's req/s ÷ the bare view's;
- the mix, then the mix again while slow clients (bench/slowclients.py) trickle request headers.

It prints tables and verdicts against the goals (bench/load_report.py), and exits 0 whatever they
say (it measures); 1 only when the stack cannot be started.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlencode

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import BARE_PATH  # noqa: E402  (needs ROOT on sys.path)
from bench.load_report import (  # noqa: E402
    NGINX_ARGS,
    SETTINGS_MODULE,
    VISITORS,
    WARM_UP,
    Backend,
    Results,
    Run,
    header,
    report,
)
from bench.slowclients import SlowStats, trickle  # noqa: E402

HOST = "127.0.0.1"
LUA = ROOT / "bench" / "load.lua"
PG_URL = "postgres://postgres@127.0.0.1:5432/loginhelp_bench"  # the benchmark's own database
REDIS_URL = "redis://127.0.0.1:6379/15"  # and its own Redis database (emptied first)
BROWSER = {"Accept-Encoding": "gzip, deflate, br", "Accept-Language": "ja"}

FLOW_STEP = "/diagnose/?service=seller-central&a=code-not-arriving"
FLOW_RESULT = FLOW_STEP + "&a=changed-nothing&a=new-device-no"


@dataclass(frozen=True)
class Request:
    name: str
    method: str
    path: str  # percent-encoded, as a browser sends it
    headers: dict[str, str] = field(default_factory=dict)
    body: str = ""

    def line(self) -> str:
        headers = "\x1f".join(f"{k}: {v}" for k, v in {**BROWSER, **self.headers}.items())
        return "\t".join([self.name, self.method, self.path, headers, self.body])


def url(path: str) -> str:
    return quote(path, safe="/?&=%,")


def get_requests(post_form: dict[str, list[str]], csrf_cookie: str) -> list[Request]:
    """The mix: what people do on the site, one of each in turn."""
    post = urlencode([(k, v) for k, values in post_form.items() for v in values])
    form = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": f"csrftoken={csrf_cookie}",
    }
    return [
        Request("home", "GET", "/"),
        Request("cause", "GET", "/causes/wrong-email-or-password/"),
        Request("faq", "GET", "/faq/otp-not-arriving/"),
        Request("tips", "GET", "/tips/"),
        Request("flow-step", "GET", url(FLOW_STEP)),
        Request("flow-step-hx", "GET", url(FLOW_STEP), {"HX-Request": "true"}),
        Request("search", "GET", url("/search/?q=認証コード")),
        Request("api-search", "GET", url("/api/search?q=パスワード")),
        Request(
            "api-diagnose",
            "GET",
            url("/api/diagnose?service=shopping&answers=code-not-arriving,changed-nothing"),
        ),
        Request("flow-answer", "POST", "/diagnose/answer", form, post),
    ]


BARE = Request("bare", "GET", BARE_PATH)


class BenchError(Exception):
    pass


BACKENDS = {
    "sqlite": Backend("SQLite", "", ""),
    "postgres": Backend("PostgreSQL", PG_URL, REDIS_URL),
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def stack_env(backend: Backend, tmp: Path, port: int, args: argparse.Namespace) -> dict[str, str]:
    unset = {"CACHE_URL", "DATABASE_URL", "DEBUG", "SITE_URL", "ALLOWED_HOSTS", "SECRET_KEY"}
    unset |= {"CONN_MAX_AGE", "LOG_LEVEL", "PAGE_CACHE", "GUNICORN_BIND", "RUN_DIR", "NGINX_ARGS"}
    env = {k: v for k, v in os.environ.items() if k not in unset}
    env.update(
        DJANGO_SETTINGS_MODULE=SETTINGS_MODULE,
        SECRET_KEY=secrets.token_urlsafe(50),
        HOST=HOST,
        PORT=str(port),
        RUN_DIR=str(tmp / "run"),
        BENCH_STATIC_ROOT=str(tmp / "static"),
        BENCH_RATELIMIT_DIR=str(tmp / "ratelimit"),
        DATABASE_URL=backend.database_url or f"sqlite:///{tmp / 'bench.sqlite3'}",
        CACHE_URL=backend.cache_url,
        NGINX_ARGS=f"{NGINX_ARGS} --gzip-level {args.gzip_level}",
    )
    if args.workers:
        env["WEB_CONCURRENCY"] = str(args.workers)
    if args.worker_class:
        env["GUNICORN_WORKER_CLASS"] = args.worker_class
    if args.gunicorn_threads:
        env["GUNICORN_THREADS"] = str(args.gunicorn_threads)
    if args.tcp:
        env["GUNICORN_BIND"] = f"{HOST}:{free_port()}"
    return env


def reset_services(backend: Backend) -> None:
    """A fresh database and an empty Redis database, the benchmark's own."""
    if backend.database_url:
        import dj_database_url
        import psycopg
        from psycopg import sql

        db = dj_database_url.parse(backend.database_url)
        with psycopg.connect(
            dbname="postgres", user=db["USER"], host=db["HOST"], port=db["PORT"], autocommit=True
        ) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                    sql.Identifier(db["NAME"])
                )
            )
    if backend.cache_url:
        import redis

        redis.Redis.from_url(backend.cache_url).flushdb()


def request(
    port: int, method: str, path: str, headers: dict[str, str] | None = None, body: str = ""
) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection(HOST, port, timeout=10)
    try:
        conn.request(method, path, body=body.encode() or None, headers=headers or {})
        resp = conn.getresponse()
        head: dict[str, str] = {}
        for k, v in resp.getheaders():
            head[k.lower()] = f"{head[k.lower()]}, {v}" if k.lower() in head else v
        return resp.status, head, resp.read()
    except (OSError, http.client.HTTPException):
        return 0, {}, b""
    finally:
        conn.close()


@contextlib.contextmanager
def stack(backend: Backend, tmp: Path, args: argparse.Namespace) -> Iterator[int]:
    """bin/serve-prod (no installation, with the setup), on a free port; stopped on the way out."""
    port = free_port()
    env = stack_env(backend, tmp, port, args)
    log_path = tmp / "serve-prod.log"
    with open(log_path, "ab") as log:
        proc = subprocess.Popen(
            [str(ROOT / "bin" / "serve-prod"), "--no-install"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 300
        while request(port, "GET", "/healthz")[0] != 200:
            if proc.poll() is not None:
                raise BenchError(f"bin/serve-prod exited with {proc.returncode}")
            if time.monotonic() > deadline:
                raise BenchError("bin/serve-prod did not answer /healthz within 300 s")
            time.sleep(0.5)
        yield port
    except BenchError as exc:
        raise BenchError(f"{exc}; its log ({log_path}):\n{log_path.read_text()[-4000:]}") from exc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=40)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)


def flow_form(port: int) -> tuple[dict[str, list[str]], str]:
    """The first answer form of the flow's result page (hidden fields and the first button), and
    the CSRF cookie that goes with its token."""
    status, head, body = request(
        port, "GET", url(FLOW_RESULT), BROWSER | {"Accept-Encoding": "identity"}
    )
    cookie = re.search(r"csrftoken=([^;,\s]+)", head.get("set-cookie", ""))
    html = body.decode("utf-8", "replace")
    form = re.search(r'<form[^>]*action="/diagnose/answer"[^>]*>(.*?)</form>', html, re.S)
    if status != 200 or not cookie or not form:
        raise BenchError(f"GET {FLOW_RESULT} gave {status} without a CSRF cookie or answer form")
    fields: dict[str, list[str]] = {}
    for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form[1]):
        fields.setdefault(name, []).append(value)
    button = re.search(r'<button[^>]*name="([^"]+)" value="([^"]+)"', form[1])
    if button:
        fields[button[1]] = [button[2]]
    return fields, cookie[1]


def write_requests(path: Path, requests: list[Request]) -> None:
    path.write_text("".join(r.line() + "\n" for r in [*requests, BARE]))


def wrk(
    port: int, file: Path, only: str, connections: int, seconds: int, args: argparse.Namespace
) -> Run:
    threads = min(args.threads, connections)
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout=5s"]
    command += ["-s", str(LUA), f"http://{HOST}:{port}/", "--", str(file), only, str(VISITORS)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60)
    found = re.search(r"^BENCH (\{.*\})$", done.stdout, re.M)
    if done.returncode != 0 or not found:
        raise BenchError(f"wrk failed ({only}):\n{done.stdout}{done.stderr}")
    run = Run(only, connections, json.loads(found[1]))
    errors = f", {run.socket_errors} socket errors" if run.socket_errors else ""
    errors += f", {run.bad} non-2xx/3xx ({int(run.result['s5'])} 5xx)" if run.bad else ""
    print(
        f"  {only:<14} c={connections:<3} {run.rps:8.1f} req/s  p99 {run.ms('p99'):6.1f} ms{errors}",
        flush=True,
    )
    return run


def measure(backend: Backend, tmp: Path, args: argparse.Namespace) -> Results:
    results = Results(backend)
    print(
        f"\n## {backend.label}\n\nStarting bin/serve-prod (migrate, load_content, collectstatic)",
        flush=True,
    )
    reset_services(backend)
    with stack(backend, tmp, args) as port:
        form, cookie = flow_form(port)
        requests = get_requests(form, cookie)
        file = tmp / "requests.tsv"
        write_requests(file, requests)
        # Each request a few times (every worker's page cache, when it is per process), then
        # what the page cache says.
        for r in [*requests, BARE]:
            for _ in range(WARM_UP):
                status, head, _ = request(port, r.method, r.path, {**BROWSER, **r.headers}, r.body)
                if status == 0 or status >= 400:
                    raise BenchError(f"{r.method} {r.path} answered {status or 'nothing'}")
            results.cache[r.name] = head.get("x-cache", "-")
        results.posts = f"flow-answer: POST {form.get('action', ['?'])[0]!r} → 303"
        print(f"stack on http://{HOST}:{port}/ ; load runs ({args.duration} s each):", flush=True)
        wrk(port, file, "mix", args.connections[0], 2, args)  # warm-up
        if "mix" in args.parts:
            for connections in args.connections:
                bare = wrk(port, file, "bare", connections, args.duration, args)
                results.mix.append((wrk(port, file, "mix", connections, args.duration, args), bare))
        if "pages" in args.parts:
            c = args.connections[0]
            print(f"each alone, {args.page_duration} s at {c} connections, next to the bare view:")
            # Each request right after the bare view (right before it every other time), so that
            # other work on the machine weighs on both sides of a ratio alike.
            for number, r in enumerate(requests):
                if number % 2 == 0:
                    bare = wrk(port, file, "bare", c, args.page_duration, args)
                    results.pages.append(
                        (wrk(port, file, r.name, c, args.page_duration, args), bare)
                    )
                else:
                    run = wrk(port, file, r.name, c, args.page_duration, args)
                    results.pages.append(
                        (run, wrk(port, file, "bare", c, args.page_duration, args))
                    )
        if "slow" in args.parts:
            results.slow = slow_run(port, file, args)
    return results


def slow_run(port: int, file: Path, args: argparse.Namespace) -> tuple[Run, Run, SlowStats]:
    """The mix without slow clients, then at once the same with them."""
    c, n, total = args.connections[0], args.slow_connections, args.slow_duration
    print(f"mix at {c} connections, then the same with slow clients:", flush=True)
    without = wrk(port, file, "mix", c, args.duration, args)
    # wrk starts once the slow clients have been there a while and ends before they leave; nginx
    # cuts them off after 10 s, so their reconnections fall within the measurement too.
    lead = max(1.0, (total - args.duration) * 0.75)
    print(f"  ({n} slow clients, a header line every {args.slow_interval:g} s, {total:g} s)")
    holder: dict[str, SlowStats] = {}

    def slow() -> None:
        holder["stats"] = asyncio.run(
            trickle(f"http://{HOST}:{port}/", n, args.slow_interval, total)
        )

    thread = threading.Thread(target=slow)
    thread.start()
    time.sleep(lead)
    run = wrk(port, file, "mix", c, args.duration, args)
    thread.join()
    stats = holder["stats"]
    print(f"  slow clients: {stats.summary()}", flush=True)
    return run, without, stats


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    add = parser.add_argument
    add("--quick", action="store_true", help="5 s runs (pages alone 2 s), 16 connections only")
    add("--duration", type=int, help="seconds per run (default 30; --quick 5)")
    add("--page-duration", type=int, help="seconds per request alone (default 6; --quick 2)")
    add("--connections", help="comma-separated connection counts (default 16,64; --quick 16)")
    add("--db", choices=["sqlite", "postgres", "both"], default="both")
    add("--parts", default="mix,pages,slow", help="what to run: mix,pages,slow (default all)")
    add("--threads", type=int, default=2, help="wrk threads (default 2)")
    add("--slow-connections", type=int, default=50)
    add("--slow-interval", type=float, help="seconds between header lines (default 5; --quick 2)")
    add("--slow-duration", type=float, help="seconds of slow clients (default 40; --quick 16)")
    add(
        "--gzip-level",
        type=int,
        default=5,
        choices=range(1, 10),
        metavar="1-9",
        help="nginx gzip_comp_level (default 5)",
    )
    add("--workers", type=int, help="gunicorn workers (WEB_CONCURRENCY; default: the config's)")
    add("--worker-class", choices=["sync", "gthread"], help="gunicorn worker class")
    add("--gunicorn-threads", type=int, help="threads per gthread worker")
    add("--tcp", action="store_true", help="gunicorn on a loopback TCP port, not a unix socket")
    add("--keep", action="store_true", help="keep the temporary folder (logs, database)")
    args = parser.parse_args(argv)
    args.duration = args.duration or (5 if args.quick else 30)
    args.page_duration = args.page_duration or (2 if args.quick else 6)
    args.slow_interval = args.slow_interval or (2.0 if args.quick else 5.0)
    args.slow_duration = max(
        args.slow_duration or (16.0 if args.quick else 40.0), args.duration + 2
    )
    args.connections = [
        int(c) for c in (args.connections or ("16" if args.quick else "16,64")).split(",")
    ]
    args.parts = {p.strip() for p in args.parts.split(",") if p.strip()}
    if args.parts - {"mix", "pages", "slow"}:
        parser.error("--parts takes mix, pages and slow")
    if min(args.duration, args.page_duration, args.threads, *args.connections) < 1:
        parser.error("durations, threads and connections must be positive")
    for tool in ("wrk", "nginx"):
        if not shutil.which(tool):
            parser.error(
                f"{tool} is not installed: make bench-load installs it (or bin/serve-prod --install-only and apt-get install wrk)"
            )
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    backends = [
        BACKENDS[name] for name in (["sqlite", "postgres"] if args.db == "both" else [args.db])
    ]
    print(header(args))
    all_results = []
    for backend in backends:
        tmp = Path(tempfile.mkdtemp(prefix=f"loginhelp-load-{backend.name.lower()}-"))
        tmp.chmod(0o755)  # nginx's workers (nobody, under root) read the static files there
        try:
            all_results.append(measure(backend, tmp, args))
        except BenchError as exc:
            print(f"\nbench/load.py: {exc}", file=sys.stderr)
            return 1
        finally:
            if args.keep:
                print(f"kept {tmp}")
            else:
                shutil.rmtree(tmp, ignore_errors=True)
    report(all_results, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
