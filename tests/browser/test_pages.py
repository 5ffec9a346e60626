"""Every kind of page, in a real Chromium, at phone and desktop widths.

Each page is checked for: `lang="ja"`, one visible h1, breadcrumbs where the page has them, no
sideways scrolling, no console error or Content-Security-Policy violation, and no axe-core
(WCAG 2.2 AA + best practice) violation. A few tests then use the pages as a person would: the
skip link, the FAQ accordions, the ordered remedies.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from playwright.sync_api import Page
from pytest_django.live_server_helper import LiveServer

from .tabs import Tab

pytestmark = pytest.mark.browser

PHONE, DESKTOP = 375, 1280
OpenTab = Callable[..., Tab]
Check = Callable[[Page, str], None]


@dataclass(frozen=True)
class PageKind:
    name: str
    path: str
    status: int = 200
    breadcrumbs: bool = True
    heading: str = ""
    widths: tuple[int, ...] = (PHONE, DESKTOP)


PAGES = [
    PageKind("home", "/", breadcrumbs=False, widths=(320, PHONE, DESKTOP)),
    PageKind("cause-index", "/causes/", heading="原因"),
    PageKind("cause", "/causes/wrong-email-or-password/"),
    PageKind("cause-urgent", "/causes/account-hijacked/"),
    PageKind("service", "/services/seller-central/", heading="セラーセントラル"),
    PageKind("faq-index", "/faq/", heading="よくある質問"),
    PageKind("faq-index-filtered", "/faq/?service=prime-video", heading="Prime Video"),
    PageKind("faq", "/faq/forgot-password/"),
    PageKind("tip-index", "/tips/", heading="予防のヒント"),
    PageKind("tip", "/tips/strong-password-regular-change/"),
    PageKind("contact-index", "/contact/", heading="お問い合わせ"),
    PageKind("contact", "/contact/seller-central/", heading="セラーセントラル"),
    PageKind("diagnose", "/diagnose/", breadcrumbs=False),
    PageKind("search", "/search/?q=パスワード", breadcrumbs=False),
    PageKind("not-found", "/no-such-page/", 404, breadcrumbs=False, heading="見つかりません"),
    PageKind("offline", "/offline/", breadcrumbs=False, heading="オフラインです"),
]

# Everything wider than the viewport, for the assertion message.
OVERFLOW = """
() => {
  const root = document.documentElement;
  const limit = root.clientWidth;
  const describe = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
    (el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\\s+/).join(".") : "") +
    ` right=${Math.round(el.getBoundingClientRect().right)}`;
  const wide = [...document.body.querySelectorAll("*")]
    .filter((el) => el.getBoundingClientRect().right > limit + 0.5)
    .slice(0, 8).map(describe);
  return {scrollWidth: root.scrollWidth, clientWidth: limit, innerWidth: window.innerWidth, wide};
}
"""


def assert_no_sideways_scroll(page: Page, label: str) -> None:
    # clientWidth excludes a vertical scrollbar, so this is slightly stricter than innerWidth.
    sizes: dict[str, Any] = page.evaluate(OVERFLOW)
    assert sizes["scrollWidth"] <= sizes["clientWidth"] <= sizes["innerWidth"], (
        f"{label} scrolls sideways: {sizes}"
    )


def assert_structure(page: Page, kind: PageKind, label: str) -> None:
    assert page.evaluate("document.documentElement.lang") == "ja", label
    h1 = page.locator("h1")
    assert h1.count() == 1, f"{label}: {h1.count()} h1 elements"
    assert h1.is_visible(), f"{label}: the h1 is not visible"
    assert h1.inner_text().strip(), f"{label}: the h1 is empty"
    if kind.heading:
        assert kind.heading in h1.inner_text(), f"{label}: h1 is {h1.inner_text()!r}"
    assert page.title().endswith("| ログインヘルプ"), f"{label}: title {page.title()!r}"

    crumbs = page.get_by_role("navigation", name="パンくずリスト")
    if not kind.breadcrumbs:
        assert crumbs.count() == 0, f"{label}: unexpected breadcrumbs"
        return
    assert crumbs.is_visible(), f"{label}: no visible breadcrumbs"
    links = crumbs.get_by_role("link")
    assert links.count() >= 2, f"{label}: breadcrumbs have {links.count()} links"
    assert links.first.inner_text() == "ホーム"
    assert links.first.get_attribute("href") == "/"
    assert links.last.get_attribute("aria-current") == "page", f"{label}: last crumb not current"


@pytest.mark.parametrize("kind", PAGES, ids=[kind.name for kind in PAGES])
def test_page(
    site: str,
    open_tab: OpenTab,
    axe_page: Page,
    assert_accessible: Check,
    shoot: Check,
    kind: PageKind,
) -> None:
    url = site + kind.path
    tab = open_tab(kind.widths[0])
    response = tab.page.goto(url)
    assert response is not None
    assert response.status == kind.status, f"{kind.path}: HTTP {response.status}"
    for width in kind.widths:
        label = f"{kind.path} at {width}px"
        tab.page.set_viewport_size({"width": width, "height": 800})
        assert_structure(tab.page, kind, label)
        assert_no_sideways_scroll(tab.page, label)
        shoot(tab.page, f"{kind.name}-{width}")
    problems = tab.problems(allow_status_of=url if kind.status >= 400 else None)
    assert not problems, f"{kind.path}: console errors or CSP violations:\n" + "\n".join(problems)

    # axe-core also reads what is inside the <details>, so every accordion is opened first.
    axe_page.goto(url)
    axe_page.evaluate("document.querySelectorAll('details').forEach((d) => { d.open = true; })")
    for width in (DESKTOP, PHONE):  # each also at 320 px, light and dark
        axe_page.set_viewport_size({"width": width, "height": 800})
        assert_accessible(axe_page, f"{kind.path} at {width}px")


def test_csp_violations_are_caught(live_server: LiveServer, open_tab: OpenTab) -> None:
    """The console/CSP collector used above does see an inline script and an inline style.

    Needs no content (the empty home page will do), so it skips loading it.
    """
    tab = open_tab(PHONE)
    tab.page.goto(live_server.url + "/")
    assert tab.problems() == []
    tab.page.evaluate(
        """() => {
          const script = document.createElement("script");
          script.textContent = "window.__inlineRan = true;";
          document.body.append(script);
          document.querySelector("h1").setAttribute("style", "color: red");
        }"""
    )
    tab.page.wait_for_function("window.__cspViolations.length >= 2")
    assert tab.page.evaluate("window.__inlineRan") is None
    problems = "\n".join(tab.problems())
    assert "script-src" in problems
    assert "style-src" in problems


def test_skip_link_moves_focus_to_main(site: str, open_tab: OpenTab) -> None:
    for width in (PHONE, DESKTOP):
        page = open_tab(width).page
        page.goto(site + "/causes/wrong-email-or-password/")
        page.keyboard.press("Tab")
        skip = page.locator(":focus")
        assert skip.inner_text() == "本文へ移動", f"at {width}px the first Tab focuses {skip}"
        assert skip.get_attribute("href") == "#main"
        box = skip.bounding_box()
        assert box and box["y"] >= 0 and box["x"] >= 0, f"skip link off screen at {width}px: {box}"
        page.keyboard.press("Enter")
        page.wait_for_function("document.activeElement && document.activeElement.id === 'main'")
        assert page.evaluate("document.activeElement.tagName") == "MAIN"
        assert page.url.endswith("#main")
        # The next Tab continues inside the main content, not back in the header.
        page.keyboard.press("Tab")
        assert page.evaluate("document.querySelector('main').contains(document.activeElement)"), (
            f"at {width}px, Tab after the skip link leaves main"
        )


def test_faq_accordion_opens(site: str, open_tab: OpenTab, shoot: Check) -> None:
    page = open_tab(PHONE).page
    page.goto(site + "/faq/")
    faqs = page.locator("details.faq")
    assert faqs.count() >= 2
    first, second = faqs.nth(0), faqs.nth(1)
    answer = first.locator(".prose")
    assert not first.evaluate("el => el.open")
    assert not answer.is_visible()

    first.locator("summary").click()
    assert first.evaluate("el => el.open")
    assert answer.is_visible()
    assert len(answer.inner_text().strip()) > 20
    assert answer.get_by_role("link", name="この質問のページを開く").is_visible()
    shoot(page, "faq-index-opened-375")

    # Keyboard users open one the same way.
    second.locator("summary").focus()
    page.keyboard.press("Enter")
    assert second.evaluate("el => el.open")
    assert second.locator(".prose").is_visible()
    first.locator("summary").click()
    assert not first.evaluate("el => el.open")


def test_cause_remedies_are_an_ordered_list(site: str, open_tab: OpenTab) -> None:
    page = open_tab(PHONE).page
    for slug, heading in (
        ("wrong-email-or-password", "対処法（上から順に試してください）"),
        ("account-hijacked", "いますぐ行うこと（この順に）"),  # an urgent cause: actions, in order
    ):
        page.goto(f"{site}/causes/{slug}/")
        section = page.get_by_role("region", name=heading)
        assert section.locator("ol.steps").count() == 1, slug
        steps = section.locator("ol.steps > li")
        assert steps.count() >= 2, f"{slug}: {steps.count()} remedies"
        for index in range(steps.count()):
            step = steps.nth(index)
            assert step.is_visible(), f"{slug}: step {index + 1} is hidden"
            assert step.locator("h3").inner_text().strip(), f"{slug}: step {index + 1} has no title"
            assert len(step.inner_text().strip()) > 10, f"{slug}: step {index + 1} has no text"

    # The urgent cause says so before anything else.
    warning = page.get_by_role("note", name="重要なお知らせ")
    assert warning.is_visible()
    assert "すぐに対応してください" in warning.inner_text()
