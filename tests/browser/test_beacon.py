"""Pages report what a person saw and opened through our own script's beacon (a POST); the
GETs that show them write nothing."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from feedback.models import FlowEvent, SearchLog

from .tabs import Tab

pytestmark = pytest.mark.browser

OpenTab = Callable[..., Tab]
RESULT_URL = (
    "/diagnose/?service=seller-central&a=code-not-arriving&a=changed-nothing&a=new-device-no"
)


def wait_for(page: Page, condition: Callable[[], bool], what: str) -> None:
    """Poll the database while the page's beacon is on its way (at most 5 s)."""
    for _ in range(50):
        if condition():
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"never happened: {what}")


def test_a_result_view_and_a_search_click_are_reported(site: str, open_tab: OpenTab) -> None:
    page = open_tab(375).page
    page.goto(site + "/diagnose/")
    page.locator("#flow-step .options input").first.check()
    page.locator("#flow-step button[type=submit]").click()
    expect(page.locator("#flow-step input[name=q]")).not_to_have_value("service")  # next question
    wait_for(page, lambda: FlowEvent.objects.filter(kind="started").count() == 1, "started")

    page.goto(site + RESULT_URL)
    expect(page.locator("h1")).to_have_text("考えられる原因と対処法")
    wait_for(page, lambda: FlowEvent.objects.filter(kind="answered").count() == 1, "answered")

    page.goto(site + "/search/?q=停止")
    expect(page.locator("#search-results .result-title").first).to_be_visible()
    wait_for(page, lambda: SearchLog.objects.filter(query="停止", searches=1).exists(), "search")
    page.locator("#search-results .result-title").first.click()
    page.wait_for_load_state()
    wait_for(page, lambda: SearchLog.objects.filter(query="停止", clicks=1).exists(), "click")
    assert FlowEvent.objects.filter(kind="answered").count() == 1
