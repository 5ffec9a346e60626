"""Page weight per page kind, on a first visit in Chromium at 375 px (the goal of
docs/PERFORMANCE.md): the document plus its CSS and JS under 30 KB compressed, an htmx partial
(a flow step, search results) under 4 KB compressed, and no web font at all.

The live server of the tests compresses nothing (Django does not, and WhiteNoise serves the
source files there), so every counted response body is gzip-compressed here, at level 6, as the
proxy in front would send it, the site's own CSS and JS minified first as `collectstatic` does
(`helpcenter.staticfiles.minify`); the raw sizes are printed beside. Each page gets a fresh browser
context (an empty cache) with service workers blocked: after a first visit the site's worker
keeps a copy of the whole site in the background (static/js/sw.js), which is the offline
feature's cost, not this page's, and which would otherwise slow every measurement down.
"""

from __future__ import annotations

import gzip
import re
from dataclasses import dataclass, field

import pytest
from django.conf import settings
from playwright.sync_api import Browser, Response

from helpcenter.staticfiles import minify

from .test_html_valid import FLOW_STEP, fetch, page_kinds

pytestmark = pytest.mark.browser

PHONE = 375
PAGE_BUDGET = 30_000  # bytes, gzip: HTML + CSS + JS of a first visit
PARTIAL_BUDGET = 4_000  # bytes, gzip: an htmx partial
COUNTED = {"document": "html", "stylesheet": "css", "script": "js"}
FONT_FILE = re.compile(r"\.(woff2?|ttf|otf|eot)(\?|$)", re.I)


def gzipped(body: bytes) -> int:
    return len(gzip.compress(body, compresslevel=6, mtime=0))


@dataclass
class Weight:
    name: str
    path: str
    gzip: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTED.values(), 0))
    raw: int = 0
    files: list[str] = field(default_factory=list)
    fonts: list[str] = field(default_factory=list)
    others: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.gzip.values())


def weigh(browser: Browser, site: str, name: str, path: str) -> Weight:
    """What a first visit to `path` downloads, by kind of resource."""
    context = browser.new_context(
        viewport={"width": PHONE, "height": 800}, locale="ja-JP", service_workers="block"
    )
    try:
        page = context.new_page()
        responses: list[Response] = []
        page.on("response", lambda response: responses.append(response))
        page.goto(site + path, wait_until="load")
        page.wait_for_load_state("networkidle")
        weight = Weight(name, path)
        for response in responses:
            kind = response.request.resource_type
            short = response.url.removeprefix(site)
            if kind == "font" or FONT_FILE.search(response.url):
                weight.fonts.append(short)
            if kind not in COUNTED:
                weight.others.append(f"{kind} {short}")
                continue
            if 300 <= response.status < 400:
                continue  # a redirect's body is nothing to speak of
            body = response.body()
            if short.startswith(settings.STATIC_URL):  # minified in production
                name = short.removeprefix(settings.STATIC_URL)
                body = minify(name, body.decode()).encode()
            weight.gzip[COUNTED[kind]] += gzipped(body)
            weight.raw += len(body)
            weight.files.append(f"{COUNTED[kind]} {short} {gzipped(body):,} B")
        return weight
    finally:
        context.close()


def test_first_visit_weight_per_page_kind(site: str, browser: Browser) -> None:
    weights = [weigh(browser, site, kind.name, kind.path) for kind in page_kinds()]
    partials = []
    search_path = next(kind.path for kind in page_kinds() if kind.name == "search")
    for name, path in (("flow-step partial", FLOW_STEP), ("search partial", search_path)):
        status, body = fetch(site + path, {"HX-Request": "true"})
        assert status == 200, f"{name} {path}: HTTP {status}"
        assert b"<html" not in body.lower(), f"{name} {path}: a whole page, not a partial"
        partials.append((name, path, len(body), gzipped(body)))

    lines = [
        f"{'page kind':<18} {'HTML':>7} {'CSS':>7} {'JS':>7} {'total gz':>9} {'raw':>8}  verdict",
    ]
    problems = []
    for w in weights:
        verdict = "ok" if w.total < PAGE_BUDGET else f"OVER {PAGE_BUDGET:,}"
        lines.append(
            f"{w.name:<18} {w.gzip['html']:>7,} {w.gzip['css']:>7,} {w.gzip['js']:>7,} "
            f"{w.total:>9,} {w.raw:>8,}  {verdict}"
        )
        if w.total >= PAGE_BUDGET:
            problems.append(f"{w.name} {w.path}: {w.total:,} B ≥ {PAGE_BUDGET:,} ({w.files})")
        if w.fonts:
            problems.append(f"{w.name} {w.path} loads web fonts: {w.fonts}")
    for name, path, raw, packed in partials:
        verdict = "ok" if packed < PARTIAL_BUDGET else f"OVER {PARTIAL_BUDGET:,}"
        lines.append(f"{name:<18} {'':>7} {'':>7} {'':>7} {packed:>9,} {raw:>8,}  {verdict}")
        if packed >= PARTIAL_BUDGET:
            problems.append(f"{name} {path}: {packed:,} B ≥ {PARTIAL_BUDGET:,}")
    others = sorted({o for w in weights for o in w.others})
    lines.append("not counted (neither HTML, CSS nor JS): " + (", ".join(others) or "nothing"))
    print("\nbytes, gzip -6 (raw: as served here, uncompressed)\n" + "\n".join(lines))
    assert not problems, "over budget or with web fonts:\n" + "\n".join(problems)
