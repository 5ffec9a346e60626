#!/usr/bin/env python
"""Lighthouse scores of the production stack: home, a cause and a flow result, on a phone.

    .venv/bin/python bench/lighthouse.py              # make bench-lighthouse, about 4 min
    .venv/bin/python bench/lighthouse.py --runs 1     # one run per page
    .venv/bin/python bench/lighthouse.py --out /tmp/lh   # keep every report (JSON)

It starts the production stack as bench/load.py does (its `stack()`: bin/serve-prod, nginx in
front of gunicorn, production settings via bench/prod_settings.py, a database of its own, on a
free loopback port), on SQLite with the local-memory cache by default: what Lighthouse measures
is the front end (HTML, CSS, JS, compression, caching headers), which the database does not
change. Each page is requested a few times first (every worker warm, the page cache filled), then
Lighthouse 12 (npm `lighthouse`, Debian's Chromium in CHROME_PATH, the default mobile form
factor with simulated throttling) runs `--runs` times per page (default 3). It prints the median
score of each category next to the goals, and for every category below its goal the audits that
cost points in the median run (by performance score). It exits 0 whatever the scores; 1 only when
the stack or Lighthouse cannot run.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.load import (  # noqa: E402  (needs ROOT on sys.path)
    BACKENDS,
    BROWSER,
    FLOW_RESULT,
    HOST,
    BenchError,
    request,
    reset_services,
    stack,
    url,
)
from bench.tables import table  # noqa: E402

LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
CHROME = "/usr/bin/chromium"
CHROME_FLAGS = "--headless=new --no-sandbox"
PAGES = [
    ("home", "/"),
    ("cause", "/causes/wrong-email-or-password/"),
    ("flow start", "/diagnose/"),  # the page search engines may list
    ("flow result", url(FLOW_RESULT)),  # noindex: one visitor's answers
]
GOALS = {"performance": 0.95, "accessibility": 1.0, "best-practices": 1.0, "seo": 1.0}
WARM_UP = 6  # requests of each page before Lighthouse (3 gunicorn workers)
TOP_AUDITS = 8  # failing audits listed per category
METRICS = {
    "first-contentful-paint": "FCP",
    "largest-contentful-paint": "LCP",
    "total-blocking-time": "TBT",
    "cumulative-layout-shift": "CLS",
    "speed-index": "SI",
}
ATTEMPTS = 3  # per run, when Lighthouse itself fails


def stack_args() -> argparse.Namespace:
    """What bench/load.py's `stack()` reads from its options, at load.py's defaults."""
    return argparse.Namespace(
        gzip_level=5, workers=None, worker_class=None, gunicorn_threads=None, tcp=False
    )


def lighthouse(page_url: str, output: Path) -> dict[str, Any]:
    """One Lighthouse run; its report (the LHR, as JSON). Lighthouse sometimes loses the trace
    of a load (NO_NAVSTART, "Please run Lighthouse again"): such a run is tried again, twice."""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            return lighthouse_once(page_url, output)
        except BenchError as exc:
            if attempt == ATTEMPTS:
                raise
            print(f"  (tried again: {str(exc).strip().splitlines()[-1]})", flush=True)
    raise AssertionError("unreachable")


def lighthouse_once(page_url: str, output: Path) -> dict[str, Any]:
    command = [
        str(LIGHTHOUSE),
        page_url,
        "--quiet",
        "--output=json",
        f"--output-path={output}",
        f"--only-categories={','.join(GOALS)}",
        f"--chrome-flags={CHROME_FLAGS}",
        "--disable-full-page-screenshot",
    ]
    env = {**os.environ, "CHROME_PATH": CHROME}
    output.unlink(missing_ok=True)  # no report left from an attempt before
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    if done.returncode != 0 or not output.exists():
        raise BenchError(f"lighthouse failed on {page_url} ({done.returncode}):\n{done.stderr}")
    report: dict[str, Any] = json.loads(output.read_text())
    if report.get("runtimeError"):
        raise BenchError(f"lighthouse on {page_url}: {report['runtimeError']}")
    return report


def scores(report: dict[str, Any]) -> dict[str, float]:
    return {c: float(report["categories"][c]["score"] or 0) for c in GOALS}


def failing_audits(report: dict[str, Any], category: str) -> list[str]:
    """The audits of a category that scored below 1, heaviest first."""
    rows = []
    for ref in report["categories"][category]["auditRefs"]:
        audit = report["audits"][ref["id"]]
        score = audit.get("score")
        if (
            score is None
            or score >= 1
            or audit.get("scoreDisplayMode") in ("manual", "notApplicable")
        ):
            continue
        shown = audit.get("displayValue", "").replace("\xa0", " ")
        shown = f" ({shown})" if shown else ""
        items = audit.get("details", {}).get("items") or []
        where = ""
        if items and isinstance(items[0], dict):
            node = items[0].get("node") or items[0].get("source") or {}
            where = node.get("snippet") or node.get("selector") or items[0].get("url") or ""
            where = f" e.g. {where}" if where else ""
        rows.append((-float(ref.get("weight", 0)), score, f"{ref['id']}{shown}{where}"))
    return [f"{text} (score {score:.2f})" for _, score, text in sorted(rows)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="Lighthouse runs per page (median)")
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--out", type=Path, help="keep every Lighthouse report (JSON) here")
    args = parser.parse_args(argv)
    missing = [
        what
        for what, ok in (
            (f"{LIGHTHOUSE} (npm ci)", LIGHTHOUSE.exists()),
            (f"{CHROME} (make browser-deps)", Path(CHROME).exists()),
            ("nginx (make prod-deps)", bool(shutil.which("nginx"))),
        )
        if not ok
    ]
    if missing:
        print(f"bench/lighthouse.py: missing {', '.join(missing)}", file=sys.stderr)
        return 1

    version = json.loads((ROOT / "node_modules/lighthouse/package.json").read_text())["version"]
    backend = BACKENDS[args.db]
    print(
        f"# Lighthouse {version}, mobile (simulated throttling), {args.runs} runs per page, "
        f"production stack ({backend.label})\n",
        flush=True,
    )
    tmp = Path(tempfile.mkdtemp(prefix="loginhelp-lighthouse-"))
    tmp.chmod(0o755)  # nginx's workers (nobody, under root) read the static files there
    out = args.out or tmp / "reports"
    out.mkdir(parents=True, exist_ok=True)
    medians: dict[str, dict[str, float]] = {}
    spreads: dict[str, dict[str, tuple[float, float]]] = {}  # lowest and highest of the runs
    median_runs: dict[str, dict[str, Any]] = {}
    try:
        reset_services(backend)
        with stack(backend, tmp, stack_args()) as port:
            base = f"http://{HOST}:{port}"
            for _name, path in PAGES:
                for _ in range(WARM_UP):
                    status = request(port, "GET", path, BROWSER)[0]
                    if status != 200:
                        raise BenchError(f"GET {path} answered {status or 'nothing'}")
            for name, path in PAGES:
                runs = []
                for number in range(1, args.runs + 1):
                    slug = name.replace(" ", "-")
                    runs.append(lighthouse(base + path, out / f"{slug}-{number}.json"))
                    print(f"  {name} run {number}: {scores(runs[-1])}", flush=True)
                per_category = {c: [scores(r)[c] for r in runs] for c in GOALS}
                medians[name] = {c: statistics.median(v) for c, v in per_category.items()}
                spreads[name] = {c: (min(v), max(v)) for c, v in per_category.items()}
                by_performance = sorted(runs, key=lambda r: scores(r)["performance"])
                median_runs[name] = by_performance[len(runs) // 2]
    except BenchError as exc:
        print(f"\nbench/lighthouse.py: {exc}", file=sys.stderr)
        return 1
    finally:
        if args.out:
            print(f"reports kept in {args.out}")
        shutil.rmtree(tmp, ignore_errors=True)

    def cell(name: str, category: str) -> str:
        median, low, high = medians[name][category], *spreads[name][category]
        spread = f" ({low:.2f}–{high:.2f})" if low != high else ""
        return f"{median:.2f}{spread}" + ("" if median >= GOALS[category] else " below")

    rows = [["page", *(f"{c} (goal {g:g})" for c, g in GOALS.items())]]
    rows += [[name, *(cell(name, c) for c in GOALS)] for name, _ in PAGES]
    print("\n## Median scores (lowest–highest of the runs)\n\n" + table(rows))
    rows = [["page (median run)", *METRICS.values(), "bytes"]]
    for name, _ in PAGES:
        audits = median_runs[name]["audits"]
        rows.append(
            [
                name,
                *(audits[m].get("displayValue", "?").replace("\xa0", " ") for m in METRICS),
                f"{audits['total-byte-weight']['numericValue']:,.0f}",
            ]
        )
    print("\n## Metrics of the median run (simulated mobile)\n\n" + table(rows))
    below = False
    for name, _ in PAGES:
        for category, goal in GOALS.items():
            if medians[name][category] >= goal:
                continue
            below = True
            print(f"\n### {name}, {category} {medians[name][category]:.2f} (goal {goal:g})")
            for line in failing_audits(median_runs[name], category)[:TOP_AUDITS]:
                print(f"- {line}")
    print("\nEvery score meets its goal." if not below else "")
    return 0


if __name__ == "__main__":
    sys.exit(main())
