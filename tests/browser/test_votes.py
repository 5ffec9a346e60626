"""「この記事は役に立ちましたか？」 in Chromium: loaded into the article by htmx once it is in view,
answered and commented with the keyboard alone, announced, under the strict CSP; axe-clean."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from articles.models import Cause
from feedback.models import Vote

from .tabs import Tab

pytestmark = pytest.mark.browser

OpenTab = Callable[..., Tab]
Check = Callable[[Page, str], None]


def test_vote_and_comment_with_the_keyboard(site: str, open_tab: OpenTab, shoot: Check) -> None:
    tab = open_tab(375)
    page = tab.page
    cause = Cause.objects.published().first()
    page.goto(site + cause.get_absolute_url())
    widget = page.locator("#article-feedback")
    widget.scroll_into_view_if_needed()
    yes = widget.get_by_role("button", name="はい")
    expect(yes).to_be_visible()
    box = yes.bounding_box()
    assert box and box["height"] >= 24 and box["width"] >= 24  # WCAG 2.5.8
    yes.focus()
    page.keyboard.press("Enter")
    expect(widget.get_by_role("status")).to_contain_text("回答を受け付けました")
    comment = widget.get_by_label("わかりにくかった点や、足りない情報はありましたか？（任意）")
    comment.focus()
    page.keyboard.type("手順2の画面が少し違いました")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(widget.get_by_role("status")).to_contain_text("ご意見ありがとうございます")
    shoot(page, "vote")
    vote = Vote.objects.get()
    assert vote.helpful and vote.comment == "手順2の画面が少し違いました"
    assert not tab.problems(allow_status_of=f"{site}/favicon.ico")


def test_the_widget_passes_axe(site: str, open_tab: OpenTab, assert_accessible: Check) -> None:
    page = open_tab(1280, bypass_csp=True).page
    cause = Cause.objects.published().first()
    page.goto(site + cause.get_absolute_url())
    widget = page.locator("#article-feedback")
    widget.scroll_into_view_if_needed()
    expect(widget.get_by_role("button", name="いいえ")).to_be_visible()
    assert_accessible(page, "the vote widget")
    widget.get_by_role("button", name="いいえ").click()
    expect(widget.get_by_role("status")).to_contain_text("回答を受け付けました")
    assert_accessible(page, "the comment form")
