"""The report of bench/load.py: what a run measured (`Backend`, `Run`, `Results`), the goals it
is held to, the header that states the setup, and the tables with their verdicts."""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import runpy
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

from bench.slowclients import SlowStats
from bench.tables import table

ROOT = Path(__file__).resolve().parent.parent

# The setup load.py runs with and the report states (kept here, so that this module imports
# nothing from load.py).
SETTINGS_MODULE = "bench.prod_settings"
WARM_UP = 12  # requests of each kind before the runs
VISITORS = 1000  # simulated visitors the requests are spread over (rate limits: see prod_settings)
# The per-client limits of nginx (deploy/render.py) stay on, set far above what one load
# generator sends: their cost is measured, none is reached.
NGINX_ARGS = "--limit-req-rate 1000000 --limit-req-burst 100000 --limit-conn 60000"

# Goals (verdicts only; the script never fails on them).
RATIO_GOAL = 0.8  # a cached page's req/s ÷ the bare view's
P99_GOAL_MS = 50.0  # mix at the lowest connection count
SLOW_HELD = 0.8  # under slow clients the mix keeps at least this share of its req/s
SLOW_P99 = 1.25  # and its p99 stays within this factor of the p99 without them


@dataclass
class Backend:
    name: str
    database_url: str
    cache_url: str  # "" = per-process memory

    @property
    def label(self) -> str:
        return f"{self.name} + {'Redis' if self.cache_url else 'local memory'}"


@dataclass
class Run:
    """One wrk run, from load.lua's BENCH line."""

    label: str
    connections: int
    result: dict[str, float]

    @property
    def rps(self) -> float:
        seconds = self.result["duration_us"] / 1e6
        return self.result["requests"] / seconds if seconds else 0.0

    def ms(self, key: str) -> float:
        return self.result[f"{key}_us"] / 1000

    @property
    def socket_errors(self) -> int:
        return int(sum(self.result[k] for k in ("connect", "read", "write", "timeout")))

    @property
    def bad(self) -> int:
        """Responses that are neither 2xx nor 3xx, 429 and 5xx included."""
        return int(
            self.result["s4"] + self.result["s429"] + self.result["s5"] + self.result["other"]
        )

    @property
    def clean(self) -> bool:
        return self.socket_errors == 0 and self.bad == 0


@dataclass
class Results:
    backend: Backend
    mix: list[tuple[Run, Run]] = field(default_factory=list)  # (mix, bare) per connection count
    pages: list[tuple[Run, Run]] = field(default_factory=list)  # (request alone, bare next to it)
    cache: dict[str, str] = field(default_factory=dict)  # request -> X-Cache seen
    slow: tuple[Run, Run, SlowStats] | None = None  # (mix with slow clients, mix just before)
    posts: str = ""


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def report(all_results: list[Results], args: argparse.Namespace) -> None:
    failures: list[str] = []

    def check(ok: bool, failure: str) -> str:
        if not ok:
            failures.append(failure)
        return verdict(ok)

    def cells(run: Run) -> list[str]:
        r = run.result
        return [
            f"{run.rps:.0f}",
            f"{run.ms('p50'):.1f}",
            f"{run.ms('p95'):.1f}",
            f"{run.ms('p99'):.1f}",
            str(run.socket_errors),
            str(run.bad),
            str(int(r["s429"])),
            str(int(r["s5"])),
        ]

    head = ["req/s", "p50 ms", "p95 ms", "p99 ms", "socket errors", "non-2xx/3xx", "429", "5xx"]
    if any(r.mix for r in all_results):
        print(
            "\n### The mix (every request in turn), next to the bare view at the same connections\n"
        )
        rows = [
            [
                "backend",
                "connections",
                *head,
                "bare req/s",
                "÷ bare",
                "errors",
                f"p99 < {P99_GOAL_MS:g} ms",
            ]
        ]
        for res in all_results:
            for mix, bare in res.mix:
                label = f"{res.backend.label} {mix.connections}"
                errors = check(
                    mix.clean, f"{label}: {mix.socket_errors} socket errors, {mix.bad} non-2xx/3xx"
                )
                p99 = "-"
                if mix.connections == args.connections[0]:
                    p99 = check(
                        mix.ms("p99") < P99_GOAL_MS, f"{label}: mix p99 {mix.ms('p99'):.1f} ms"
                    )
                ratio = mix.rps / bare.rps if bare.rps else 0
                rows.append(
                    [
                        res.backend.label,
                        str(mix.connections),
                        *cells(mix),
                        f"{bare.rps:.0f}",
                        f"{ratio:.2f}",
                        errors,
                        p99,
                    ]
                )
        print(table(rows))

    if any(r.pages for r in all_results):
        c = args.connections[0]
        print(f"\n### Each request alone at {c} connections, ÷ the bare view run next to it\n")
        rows = [["backend", "request", "X-Cache", *head, "bare req/s", "÷ bare"]]
        rows[0] += [f">= {RATIO_GOAL} (cached)", "errors"]
        for res in all_results:
            for run, bare in res.pages:
                cache = res.cache.get(run.label, "-")
                ratio = run.rps / bare.rps if bare.rps else 0.0
                label = f"{res.backend.label} {run.label}"
                goal = "-"
                if cache == "hit":
                    goal = check(ratio >= RATIO_GOAL, f"{label}: {ratio:.2f} of the bare view")
                errors = check(run.clean and bare.clean, f"{label}: errors")
                cells_ = [res.backend.label, run.label, cache, *cells(run), f"{bare.rps:.0f}"]
                rows.append([*cells_, f"{ratio:.2f}", goal, errors])
        print(table(rows))
        print(
            f"\nX-Cache: what the page cache said after {WARM_UP} requests of each (hit: served from"
            " it; miss: not kept yet; bypass: not cacheable). The ratio goal applies to cached pages."
        )

    if any(r.slow for r in all_results):
        print(
            f"\n### Slow clients: the mix while {args.slow_connections} connections trickle request headers\n"
        )
        rows = [["backend", *head, "req/s without", "kept", "p99 without", "slow clients", "held"]]
        for res in all_results:
            if not res.slow:
                continue
            run, base, stats = res.slow
            kept = run.rps / base.rps if base.rps else 0
            p99_ratio = run.ms("p99") / base.ms("p99") if base.ms("p99") else 0.0
            ok = run.clean and kept >= SLOW_HELD and p99_ratio <= SLOW_P99
            held = check(
                ok,
                f"{res.backend.label}: under slow clients {kept:.2f} of req/s, p99 x{p99_ratio:.2f},"
                f" {run.bad + run.socket_errors} errors",
            )
            cut = f"{stats.connections} conns, {stats.cut_off} cut off"
            without = [f"{base.rps:.0f}", f"{kept:.2f}", f"{base.ms('p99'):.1f}"]
            rows.append([res.backend.label, *cells(run), *without, cut, held])
        print(table(rows))
        print(
            f"\nheld: no error, at least {SLOW_HELD:.0%} of the req/s measured without slow clients,"
            f" p99 at most {SLOW_P99:g} x the p99 without them (the mix run just before). nginx cuts"
            " a client off when its header has not arrived"
            " within client_header_timeout (10 s); the slow clients then connect again."
        )

    print(
        f"\nRequests carry `Accept-Encoding: gzip, deflate, br` (HTML is gzipped by nginx at level"
        f" {args.gzip_level}) and `X-Bench-Client`, one of {VISITORS} simulated visitors that"
        " bench/prod_settings.py takes as the client address for the app's rate limits (counted as"
        " in production; none is reached, 429s would be counted above). nginx's per-client limits"
        f" are on but set out of reach ({NGINX_ARGS})."
    )
    for res in all_results:
        if res.posts:
            print(f"{res.backend.label}: {res.posts}")
    print(
        f"\nVerdict: {'FAIL (' + '; '.join(failures) + ')' if failures else 'PASS (every goal met)'}"
    )


def tool_version(command: list[str], pattern: str) -> str:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=10)
    except OSError:
        return "?"
    found = re.search(pattern, done.stdout + done.stderr)
    return found[1] if found else "?"


def header(args: argparse.Namespace) -> str:
    env = {
        "WEB_CONCURRENCY": str(args.workers or ""),
        "GUNICORN_WORKER_CLASS": args.worker_class or "sync",
    }
    env["GUNICORN_THREADS"] = str(args.gunicorn_threads or 1)
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        conf: dict[str, Any] = runpy.run_path(str(ROOT / "deploy" / "gunicorn.conf.py"))
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    cpu = "?"
    with contextlib.suppress(OSError):
        found = re.search(r"^model name\s*:\s*(.+)$", Path("/proc/cpuinfo").read_text(), re.M)
        cpu = found[1] if found else "?"
    nginx = tool_version(["nginx", "-v"], r"nginx/(\S+)")
    wrk_version = tool_version(["wrk", "-v"], r"wrk (\S+)")
    lines = [
        f"# Load benchmark of the production stack, {datetime.now().astimezone():%Y-%m-%d %H:%M %Z}",
        f"machine: {os.cpu_count()} CPU(s), {cpu}; nginx {nginx}, wrk {wrk_version},"
        f" Python {sys.version.split()[0]}, Django {version('django')}, gunicorn {version('gunicorn')}",
        f"server: bin/serve-prod: nginx (deploy/nginx.conf.template, gzip {args.gzip_level}) → gunicorn"
        f" {conf['workers']} {conf['worker_class']} worker(s)"
        f"{' x ' + str(conf['threads']) + ' threads' if conf['worker_class'] == 'gthread' else ''},"
        f" preload {'on' if conf['preload_app'] else 'off'}, {'TCP' if args.tcp else 'unix socket'};"
        f" settings {SETTINGS_MODULE}",
        f"load: wrk with {args.threads} thread(s) on the same machine (it takes CPU from the server);"
        f" {args.duration} s per run, pages alone {args.page_duration} s",
    ]
    cpus, busy = os.cpu_count() or 1, os.getloadavg()[0]
    if busy >= 0.5 * cpus:
        lines.append(
            f"WARNING: load average {busy:.1f} on {cpus} CPU(s) before starting: req/s will be low and noisy."
        )
    return "\n".join(lines)
