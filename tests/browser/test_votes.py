"""「この記事は役に立ちましたか？」 in Chromium: loaded into the article by htmx once it is in view,
answered and commented with the keyboard alone (focus kept in the widget, the result announced),
under the strict CSP; axe-clean; and the same without JavaScript."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from articles.models import FAQ, Cause, PreventionTip
from feedback.models import Vote

from .tabs import Tab

pytestmark = pytest.mark.browser

OpenTab = Callable[..., Tab]
Check = Callable[[Page, str], None]

FOCUSED = """() => {
  const el = document.activeElement;
  if (!el) return "";
  return [el.tagName.toLowerCase(), el.id, (el.innerText || el.value || "").trim()].join("|");
}"""

OUTLINE = """() => {
  const style = getComputedStyle(document.activeElement);
  return style.outlineStyle === "none" ? 0 : parseFloat(style.outlineWidth);
}"""


def tab_to(page: Page, element_id: str, *, limit: int = 200) -> None:
    """Press Tab, and only Tab, until the element with `element_id` has the focus."""
    seen = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = str(page.evaluate(FOCUSED))
        if focused.split("|")[1] == element_id:
            return
        seen.append(focused)
    raise AssertionError(f"Tab never reached #{element_id}; it went through: {seen[-20:]}")


def test_vote_and_comment_with_the_keyboard(site: str, open_tab: OpenTab, shoot: Check) -> None:
    tab = open_tab(375)
    page = tab.page
    cause = Cause.objects.published().first()
    page.goto(site + cause.get_absolute_url())
    widget = page.locator("#article-feedback")
    # Tab through the article to 「はい」 (htmx fills the widget as it comes into view; should
    # the placeholder link have the focus then, the button that replaces it takes it over).
    tab_to(page, "vote-yes")
    yes = widget.get_by_role("button", name="はい")
    expect(yes).to_be_focused()
    assert page.evaluate(OUTLINE) >= 2, "the focused button shows no focus outline"
    for button in (yes, widget.get_by_role("button", name="いいえ")):
        box = button.bounding_box()
        assert box and box["height"] >= 44 and box["width"] >= 44  # WCAG 2.5.8, and then some
    page.keyboard.press("Enter")
    status = widget.get_by_role("status")
    expect(status).to_contain_text("回答を受け付けました")
    comment = widget.get_by_label("わかりにくかった点や、足りない情報はありましたか？（任意）")
    expect(comment).to_be_focused()  # the focus stays in the widget, on what comes next
    expect(comment).to_have_attribute("maxlength", "1000")
    expect(widget).to_contain_text("1,000文字まで")
    page.keyboard.type("手順2の画面が少し違いました")
    page.keyboard.press("Tab")
    expect(widget.get_by_role("button", name="ご意見を送る")).to_be_focused()
    page.keyboard.press("Space")
    expect(status).to_contain_text("ご意見ありがとうございます")
    expect(status.locator("p")).to_be_focused()
    shoot(page, "vote")
    vote = Vote.objects.get()
    assert vote.helpful and vote.comment == "手順2の画面が少し違いました"
    # Back on the page later: the widget says the answer was received, and offers no buttons.
    page.reload()
    widget.scroll_into_view_if_needed()
    expect(status).to_contain_text("すでに回答いただいています")
    expect(widget.get_by_role("button")).to_have_count(0)
    assert Vote.objects.count() == 1
    assert not tab.problems(), "\n".join(tab.problems())


def test_the_widget_passes_axe(site: str, open_tab: OpenTab, assert_accessible: Check) -> None:
    page = open_tab(1280, bypass_csp=True).page
    faq = FAQ.objects.published().first()
    page.goto(site + faq.get_absolute_url())
    widget = page.locator("#article-feedback")
    widget.scroll_into_view_if_needed()
    no = widget.get_by_role("button", name="いいえ")
    expect(no).to_be_visible()
    assert_accessible(page, "the vote widget")
    no.focus()
    page.keyboard.press("Space")
    expect(widget.get_by_role("status")).to_contain_text("回答を受け付けました")
    assert_accessible(page, "the comment form")
    widget.get_by_role("button", name="ご意見を送る").click()  # empty: refused, in the widget
    expect(widget.get_by_role("status")).to_contain_text("ご意見を入力してください")
    assert_accessible(page, "the comment form with its error")
    assert list(Vote.objects.values_list("page", "helpful", "comment")) == [("faq", False, "")]


def test_without_javascript(site: str, open_tab: OpenTab) -> None:
    tab = open_tab(375, javascript=False)
    page = tab.page
    tip = PreventionTip.objects.published().first()
    page.goto(site + tip.get_absolute_url())
    page.get_by_role("link", name="評価する（はい・いいえ）").click()
    page.get_by_role("button", name="はい").click()
    expect(page.locator("#vote-status")).to_contain_text("回答を受け付けました")
    page.get_by_label("わかりにくかった点や、足りない情報はありましたか？（任意）").fill(
        "連絡先は taro@example.com です"
    )
    page.get_by_role("button", name="ご意見を送る").click()
    expect(page.locator("#vote-status")).to_contain_text("ご意見ありがとうございます")
    page.get_by_role("link", name=f"「{tip.title}」に戻る").click()
    expect(page).to_have_url(site + tip.get_absolute_url())
    vote = Vote.objects.get()
    assert (vote.page, vote.helpful, vote.comment) == (
        "tip",
        True,
        "連絡先は [メールアドレス] です",
    )
    assert not tab.problems(), "\n".join(tab.problems())
