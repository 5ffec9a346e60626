"""Real-browser fixtures: one headless Chromium for tests/browser, a fresh context per test.

Chromium and the Japanese fonts come from Debian (`make test` installs them), axe-core from npm
(`npm ci`). Playwright only drives the browser; its own browser downloads are never used.

Set `LOGINHELP_SHOTS=/some/dir` to save screenshots of every page and width checked.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, sync_playwright
from pytest_django.live_server_helper import LiveServer

from articles import content as content_loader

from .tabs import Tab

# Playwright's sync API runs an event loop in the main thread; without this, Django refuses ORM
# calls made from the test itself (loading the content) as "async-unsafe". Restored when the
# browser closes (see `browser`), so the rest of the suite keeps Django's check.
_ASYNC_UNSAFE_BEFORE = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE_JS = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
HEIGHT = 800
NARROW = 320  # px: the narrowest phone, and 1280 px at 400 % zoom (WCAG 1.4.10)

# Records every Content-Security-Policy violation the page reports. Init scripts are injected by
# the browser's DevTools protocol, so the CSP under test does not block this listener itself.
CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    `${event.effectiveDirective} blocked ${event.blockedURI || "inline"} ` +
    `(${event.sourceFile || "?"}:${event.lineNumber})`
  );
});
"""

AXE_RUN = """
async (tags) => {
  const results = await axe.run(document, {runOnly: {type: "tag", values: tags}});
  return results.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes.map((n) => n.target.join(" ") + "  " + n.failureSummary.replace(/\\s+/g, " ")),
  }));
}
"""


# Package scope: one browser for all of tests/browser. It is closed, and Playwright's event loop
# stopped, as soon as these tests are done: while that loop runs in the main thread, asyncio.run()
# and asgiref's async_to_sync() refuse to work, which would break async tests that run later.
@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: the browser tests need Debian's Chromium. "
            "`make test` installs it (and the Japanese fonts) from Debian (make browser-deps).",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()
    if _ASYNC_UNSAFE_BEFORE is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = _ASYNC_UNSAFE_BEFORE


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE_JS.exists():
        pytest.fail(
            f"{AXE_JS} is missing: run `npm ci` (or `make test`, which runs it).", pytrace=False
        )
    return AXE_JS.read_text(encoding="utf-8")


@pytest.fixture
def shipped_content(transactional_db: None) -> content_loader.Report:
    """The shipped content, in the transactional database the live server reads.

    `live_server` forces a transactional database, which is emptied after every test, so the
    content is loaded per test; the browser tests are few and coarse to keep that cheap.
    """
    return content_loader.load()


@pytest.fixture
def site(live_server: LiveServer, shipped_content: content_loader.Report) -> str:
    """Base URL of the live server, with the shipped content loaded."""
    return str(live_server.url)


@pytest.fixture
def open_tab(browser: Browser) -> Iterator[Callable[..., Tab]]:
    """Factory: `open_tab(width, bypass_csp=False, javascript=True, permissions=(),
    offline_ready=False)` gives a page in a fresh browser context. `javascript=False` is a
    visitor with JavaScript off; `permissions` are granted to the context (e.g.
    "clipboard-read", "clipboard-write"). The service worker (static/js/sw.js), which copies
    every page in the background, runs only with `offline_ready=True`: elsewhere its requests
    would load the test server and outlive the test."""
    contexts: list[BrowserContext] = []

    def _open(
        width: int,
        *,
        bypass_csp: bool = False,
        javascript: bool = True,
        permissions: Sequence[str] = (),
        offline_ready: bool = False,
    ) -> Tab:
        context = browser.new_context(
            viewport={"width": width, "height": HEIGHT},
            locale="ja-JP",
            bypass_csp=bypass_csp,
            java_script_enabled=javascript,
            service_workers="allow" if offline_ready else "block",
        )
        contexts.append(context)
        if permissions:
            context.grant_permissions(list(permissions))
        context.add_init_script(CSP_LISTENER)
        tab = Tab(context.new_page())

        def on_console(message: ConsoleMessage) -> None:
            if message.type == "error":
                url = message.location.get("url", "")
                tab.console_errors.append(f"{message.text} @ {url}")

        tab.page.on("console", on_console)
        tab.page.on("pageerror", lambda error: tab.console_errors.append(f"uncaught: {error}"))
        return tab

    yield _open
    for context in contexts:
        context.close()


def _format(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        lines.extend(f"    {node}" for node in violation["nodes"])
    return "\n".join(lines)


@pytest.fixture(scope="package")
def axe_page(browser: Browser) -> Iterator[Page]:
    """One page, shared by the browser tests, in a context that ignores the CSP: axe-core is injected
    as an inline script, which the site's CSP (rightly) refuses. Reusing the page across
    navigations saves a context, a renderer process and a recompile of axe for every check."""
    context = browser.new_context(
        viewport={"width": 375, "height": HEIGHT},
        locale="ja-JP",
        bypass_csp=True,
        service_workers="block",
    )
    yield context.new_page()
    context.close()


@pytest.fixture(scope="session")
def assert_accessible(axe_source: str) -> Callable[[Page, str], None]:
    """`assert_accessible(page, label)`: axe-core finds no WCAG 2.2 AA or best-practice problem,
    as the page is and again at 320 px wide in light and in dark mode.

    The page's context must bypass the CSP (see `axe_page`).
    """

    def _run(page: Page, label: str) -> None:
        if not page.evaluate("typeof window.axe !== 'undefined'"):
            page.add_script_tag(content=axe_source)
        violations = list(page.evaluate(AXE_RUN, AXE_TAGS))
        assert not violations, f"axe-core violations on {label}:\n{_format(violations)}"

    narrowed: set[str] = set()  # page states already checked at 320 px

    def _check(page: Page, label: str) -> None:
        _run(page, label)
        # Then at the narrowest phone (320 px, also what 400 % zoom of 1280 px gives), in light
        # and in dark, once for each state of a page; the page is left as it was.
        state = page.url + "\n" + page.evaluate("document.body.outerHTML")
        key = hashlib.blake2b(state.encode(), digest_size=16).hexdigest()
        if key in narrowed:
            return
        narrowed.add(key)
        size = page.viewport_size or {"width": 375, "height": HEIGHT}
        dark = page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches")
        page.set_viewport_size({"width": NARROW, "height": size["height"]})
        for scheme in ("light", "dark"):
            page.emulate_media(color_scheme=scheme)
            _run(page, f"{label} at {NARROW}px ({scheme})")
        page.emulate_media(color_scheme="dark" if dark else "null")
        page.set_viewport_size(size)

    return _check


@pytest.fixture(scope="session")
def shoot() -> Callable[[Page, str], None]:
    """`shoot(page, name)`: screenshots into $LOGINHELP_SHOTS, when it is set.

    The whole page, cut into screen-sized pieces (name-1.png, name-2.png, …) that stay readable.
    """
    directory = os.environ.get("LOGINHELP_SHOTS")

    def _shoot(page: Page, name: str) -> None:
        if not directory:
            return
        Path(directory).mkdir(parents=True, exist_ok=True)
        viewport = page.viewport_size or {"width": 375, "height": HEIGHT}
        total = int(page.evaluate("document.documentElement.scrollHeight"))
        step = viewport["height"] * 2
        for number, top in enumerate(range(0, total, step), start=1):
            clip = {"x": 0, "y": top, "width": viewport["width"], "height": min(step, total - top)}
            path = Path(directory) / f"{name}-{number}.png"
            page.screenshot(path=str(path), full_page=True, clip=clip)

    return _shoot
