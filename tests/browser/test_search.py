"""Search from the header box, in a real Chromium, as a person would use it.

Typing shows results in the main area without a page load (the address bar, the title and a
status message for screen readers follow); ↓ reaches the first result; Enter sends the form as
a plain search; without JavaScript the form still searches. Hostile text is just text.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Dialog, Page, Response, expect

from .tabs import Tab

pytestmark = pytest.mark.browser

PHONE, DESKTOP = 375, 1280
OpenTab = Callable[..., Tab]
Check = Callable[[Page, str], None]

QUERY = "認証コード 来ない"
EMPTY_QUERY = "ずんだもち"
MARK = "() => { window.__marker = 1; }"
MARKED = "() => window.__marker === 1"


def query_of(page: Page) -> str:
    return parse_qs(urlsplit(page.url).query).get("q", [""])[0]


def result_titles(page: Page) -> list[str]:
    return [t.strip() for t in page.locator("#search-results .result-title").all_inner_texts()]


def is_search_as_you_type(response: Response, text: str) -> bool:
    request = response.request
    return (
        urlsplit(response.url).path == "/search/"
        and request.headers.get("hx-request") == "true"
        and parse_qs(urlsplit(response.url).query).get("q", [""])[0] == text
    )


def type_query(page: Page, text: str, *, delay: int = 50) -> None:
    """Click into the header box, clear it and type `text` key by key; returns once the
    search-as-you-type request for the whole text was answered."""
    box = page.locator("#site-q")
    box.click()
    box.press("Control+a")
    box.press("Delete")
    with page.expect_response(lambda r: is_search_as_you_type(r, text)) as answer:
        page.keyboard.type(text, delay=delay)
    assert answer.value.status == 200, answer.value.url
    expect(box).to_have_value(text)


def test_typing_shows_results_in_place(site: str, open_tab: OpenTab, shoot: Check) -> None:
    tab = open_tab(PHONE)
    page = tab.page
    page.goto(site + "/")
    page.evaluate(MARK)
    home_title = page.title()

    type_query(page, QUERY)
    results = page.locator("main #search-results")
    expect(results.locator("h1")).to_have_text(f"「{QUERY}」の検索結果")
    titles = page.locator("#search-results .result-title")
    expect(titles.first).to_be_visible()
    count = titles.count()
    assert count >= 1
    expect(page.locator("#search-status")).to_have_text(f"{count} 件見つかりました")
    expect(page.locator("#search-results .count")).to_have_text(f"{count} 件")
    expect(page).to_have_title(f"「{QUERY}」の検索結果 | ログインヘルプ")
    assert page.title() != home_title
    assert page.evaluate(MARKED), "the results came with a page load, not in place"
    expect(page.locator("h1")).to_have_count(1)
    # The address bar is kept in step, so the results can be shared, reloaded and bookmarked.
    assert urlsplit(page.url).path == "/search/"
    assert query_of(page) == QUERY
    # Typing never took the focus away from the box.
    expect(page.locator("#site-q")).to_be_focused()
    shoot(page, "search-typed-375")

    # The most relevant result is about the code that does not arrive.
    first_title = result_titles(page)[0]
    assert "コード" in first_title or "2段階認証" in first_title, result_titles(page)

    # ↓ from the box reaches the first result; Enter opens it.
    page.keyboard.press("ArrowDown")
    expect(titles.first).to_be_focused()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    path = urlsplit(page.url).path
    assert path.startswith(("/causes/", "/faq/")), page.url
    expect(page.locator("h1")).to_have_text(first_title)
    assert not page.evaluate(MARKED)

    # Back returns to the results that were on screen.
    page.go_back()
    expect(page.locator("h1")).to_have_text(f"「{QUERY}」の検索結果")
    expect(page.locator("#site-q")).to_have_value(QUERY)
    assert result_titles(page)[0] == first_title
    assert not tab.problems(), "\n".join(tab.problems())


def test_enter_submits_the_search(site: str, open_tab: OpenTab) -> None:
    tab = open_tab(DESKTOP)
    page = tab.page
    page.goto(site + "/faq/")
    page.evaluate(MARK)
    type_query(page, QUERY)
    expect(page.locator("#search-results .result-title").first).to_be_visible()
    typed = result_titles(page)

    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text(f"「{QUERY}」の検索結果")
    assert not page.evaluate(MARKED), "Enter did not load the search page"
    assert urlsplit(page.url).path == "/search/"
    assert query_of(page) == QUERY
    assert result_titles(page) == typed
    # The box keeps the query on the results page.
    expect(page.locator("#site-q")).to_have_value(QUERY)
    assert not tab.problems(), "\n".join(tab.problems())


def test_search_pages_are_accessible(
    site: str, axe_page: Page, assert_accessible: Check, shoot: Check
) -> None:
    page = axe_page
    page.set_viewport_size({"width": PHONE, "height": 800})
    page.goto(site + "/")
    type_query(page, QUERY)
    expect(page.locator("#search-results .result-title").first).to_be_visible()
    assert_accessible(page, "search results typed on the home page")

    page.goto(f"{site}/search/?q={QUERY}")
    expect(page.locator("#search-results .result-title").first).to_be_visible()
    assert_accessible(page, "search results page")

    page.goto(site + "/")
    type_query(page, EMPTY_QUERY)
    expect(page.locator("#search-status")).to_have_text("見つかりませんでした")
    empty = page.locator("#search-results")
    expect(empty).to_contain_text(f"「{EMPTY_QUERY}」に一致する記事は見つかりませんでした")
    flow_link = empty.get_by_role("link", name="質問に答えて原因を調べる")
    expect(flow_link).to_be_visible()
    expect(flow_link).to_have_attribute("href", "/diagnose/")
    shoot(page, "search-empty-375")
    assert_accessible(page, "empty search results typed on the home page")

    page.goto(f"{site}/search/?q={EMPTY_QUERY}")
    expect(page.get_by_role("link", name="質問に答えて原因を調べる")).to_be_visible()
    page.set_viewport_size({"width": DESKTOP, "height": 800})
    assert_accessible(page, "empty search results page")

    page.get_by_role("link", name="質問に答えて原因を調べる").click()
    expect(page.locator("#flow-heading")).to_have_text(
        "どのサービスにログインしようとしていますか？"
    )


def test_search_without_javascript(site: str, open_tab: OpenTab) -> None:
    tab = open_tab(PHONE, javascript=False)
    page = tab.page
    page.goto(site + "/tips/")
    page.locator("#site-q").fill(QUERY)
    with page.expect_navigation():
        page.get_by_role("button", name="検索").click()
    expect(page.locator("h1")).to_have_text(f"「{QUERY}」の検索結果")
    assert query_of(page) == QUERY
    assert len(result_titles(page)) >= 1

    page.locator("#site-q").fill(EMPTY_QUERY)
    with page.expect_navigation():
        page.locator("#site-q").press("Enter")
    expect(page.locator("#search-results")).to_contain_text("見つかりませんでした")
    assert tab.console_errors == []


HOSTILE = [
    "<script>alert(1)</script>",
    '"',
    "NEAR(",
    "' OR 1=1 --",
    '"パスワード" AND',
    "100% _ \\ *",
    "<img src=x onerror=alert(2)>",
]


def test_hostile_text_is_just_text(site: str, open_tab: OpenTab) -> None:
    tab = open_tab(PHONE)
    page = tab.page
    dialogs: list[str] = []

    def on_dialog(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    failures: list[str] = []
    page.on(
        "response",
        lambda r: failures.append(f"{r.status} {r.url}") if r.status >= 400 else None,
    )
    page.goto(site + "/")
    page.evaluate(MARK)
    for text in HOSTILE:
        type_query(page, text, delay=10)
        results = page.locator("#search-results")
        expect(results.locator("h1")).to_have_text(f"「{text}」の検索結果")
        expect(page.locator("#search-status")).to_have_text(
            results.get_attribute("data-announce") or "?"
        )
        assert query_of(page) == text
        assert page.evaluate(MARKED)

    # And sent as a plain search, each shows a normal results page.
    for text in HOSTILE:
        page.locator("#site-q").fill(text)
        with page.expect_navigation():
            page.keyboard.press("Enter")
        expect(page.locator("h1")).to_have_text(f"「{text}」の検索結果")
        expect(page.locator("#site-q")).to_have_value(text)
        assert query_of(page) == text

    assert page.locator("img[src=x]").count() == 0
    assert dialogs == []
    assert failures == []
    assert not tab.problems(), "\n".join(tab.problems())
