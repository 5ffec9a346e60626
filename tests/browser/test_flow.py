"""The guided flow (/diagnose/) in a real Chromium, used as a person would.

With JavaScript, every step is swapped in by htmx (no page load), the address bar follows the
answers, focus moves to the new step's heading, the step is announced to screen readers and the
title changes. Without JavaScript the same flow works by plain form submissions. Back, forward and
reload show the step the address names. axe-core finds nothing at any kind of step.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Page, Response, expect

from articles.models import Cause, SupportChannel
from diagnosis.models import Option, Question

from .tabs import Tab

pytestmark = pytest.mark.browser

PHONE, DESKTOP = 375, 1280
OpenTab = Callable[..., Tab]
Check = Callable[[Page, str], None]

SITE_NAME = "ログインヘルプ"
TITLE_TAIL = f" - ログインできない原因を調べる | {SITE_NAME}"
RESULT = "考えられる原因と対処法"
RESOLVED = "解決してよかったです"
ESCALATE = "公式サポートに問い合わせる"
NEXT = "次へ"
NOT_RESOLVED = "解決しない（次の方法へ）"
DONE = "済んだ（次へ）"


# Content staff can edit (questions, option labels, causes, remedies) is read from the database,
# never written into the tests: only the site's own interface text is.
def question(slug: str) -> str:
    return Question.objects.get(slug=slug).text


def label(slug: str) -> str:
    return Option.objects.get(slug=slug).label


def cause(code: str) -> Cause:
    return Cause.objects.get(code=code)


# Marks the document: it survives an htmx swap and is gone after a real page load.
MARK = "() => { window.__marker = 1; }"
MARKED = "() => window.__marker === 1"


def params(page: Page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def heading(page: Page) -> str:
    return page.locator("#flow-heading").inner_text().strip()


def choose(page: Page, label: str) -> None:
    """Click an option's visible label with the mouse; the input behind it gets checked."""
    page.locator("#flow-step .options").get_by_text(label, exact=True).click()
    expect(page.locator("#flow-step .options li", has_text=label).locator("input")).to_be_checked()


def expect_swapped_step(
    page: Page, text: str, *, step: int | None = None, answers: tuple[str, ...] = ()
) -> None:
    """The flow shows the step headed `text`, swapped in by htmx, as a person would notice it."""
    h1 = page.locator("#flow-heading")
    expect(h1).to_have_text(text)
    expect(page.locator("h1")).to_have_count(1)
    # Focus moved to the new heading, so a screen reader reads it and Tab continues from there.
    expect(h1).to_be_focused()
    assert page.evaluate("document.activeElement.id") == "flow-heading"
    announcer = page.locator("#flow-announcer")
    expect(announcer).to_contain_text(text)
    if step is not None:
        expect(announcer).to_contain_text(f"質問{step}（残り最大")
        expect(page).to_have_title(re.compile(rf"^質問{step}：{re.escape(text)}"))
    else:
        expect(page).to_have_title(text + TITLE_TAIL)
    assert page.evaluate(MARKED), f"{text}: the step came with a full page load, not an htmx swap"
    assert urlsplit(page.url).path == "/diagnose/"
    chosen = params(page).get("a", [])
    for answer in answers:
        assert answer in chosen, f"{text}: answer {answer!r} missing from the URL {page.url}"


def test_mouse_walk_to_resolved(site: str, open_tab: OpenTab, shoot: Check) -> None:
    tab = open_tab(PHONE)
    page = tab.page
    page.goto(site + "/diagnose/")
    expect(page.locator("#flow-heading")).to_have_text(question("service"))
    expect(page).to_have_title(re.compile(rf"^質問1：{re.escape(question('service'))}"))
    page.evaluate(MARK)
    urls = [page.url]

    choose(page, label("seller-central"))
    page.get_by_role("button", name=NEXT).click()
    expect_swapped_step(page, question("symptom"), step=2)
    assert params(page)["service"] == ["seller-central"]
    urls.append(page.url)

    choose(page, label("code-not-arriving"))
    page.get_by_role("button", name=NEXT).click()
    expect_swapped_step(page, question("recent-change"), step=3, answers=("code-not-arriving",))
    assert params(page)["service"] == ["seller-central"]
    urls.append(page.url)

    choose(page, label("changed-nothing"))
    page.get_by_role("button", name=NEXT).click()
    expect_swapped_step(
        page, question("new-device"), step=4, answers=("code-not-arriving", "changed-nothing")
    )
    urls.append(page.url)

    choose(page, label("new-device-no"))
    page.get_by_role("button", name=NEXT).click()
    answers = ("code-not-arriving", "changed-nothing", "new-device-no")
    expect_swapped_step(page, RESULT, answers=answers)
    urls.append(page.url)
    shoot(page, "flow-result-375")

    # The two-step verification cause comes first, with its first remedy to try.
    ranking = page.locator("ol.ranking > li")
    two_step = cause("C3")
    expect(ranking.first).to_contain_text(two_step.title)
    current = page.locator(".current-fix")
    expect(current.locator(".current-cause")).to_contain_text(two_step.title)
    first_remedy = current.locator(".current-remedy").inner_text()
    # Codes that never arrive: the remedy staff mark for that answer (the backup method) first.
    called_for = [r for r in two_step.remedies.all() if "code-not-arriving" in r.first_when_list]
    assert called_for and first_remedy == called_for[0].title

    page.get_by_role("button", name=NOT_RESOLVED).click()
    expect(current.locator(".current-remedy")).not_to_have_text(first_remedy)
    second_remedy = current.locator(".current-remedy").inner_text()
    expect(current.locator("#current-title")).to_contain_text("2 件目")
    expect(ranking.first.locator(".remedy-status li").first).to_contain_text("試した：解決せず")
    expect(page.locator("#flow-heading")).to_be_focused()
    assert page.evaluate(MARKED)
    assert len(params(page).get("tried", [])) == 1, page.url
    urls.append(page.url)

    page.get_by_role("button", name="解決した").click()
    expect_swapped_step(page, RESOLVED, answers=answers)
    expect(page.locator(".notice-ok")).to_contain_text(f"「{second_remedy}」でログインできました")
    tips = page.get_by_role("region", name="同じことを繰り返さないために")
    expect(tips).to_be_visible()
    assert tips.locator("li.card a").count() >= 1
    assert len(params(page).get("resolved", [])) == 1, page.url
    urls.append(page.url)
    shoot(page, "flow-resolved-375")

    assert len(set(urls)) == len(urls), f"the address bar did not follow every step: {urls}"
    flow_ids = {parse_qs(urlsplit(url).query)["f"][0] for url in urls[1:]}
    assert len(flow_ids) == 1, f"the flow id changed midway: {urls}"
    assert not tab.problems(), "\n".join(tab.problems())


FOCUSED = """() => {
  const el = document.activeElement;
  if (!el) return "";
  return [el.tagName.toLowerCase(), el.id, el.getAttribute("type") || "", (el.innerText || el.value || "").trim()].join("|");
}"""


def tab_to(page: Page, wanted: Callable[[str], bool], *, limit: int = 60) -> str:
    """Press Tab until the focused element is the wanted one ("tag|id|type|text")."""
    seen = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = str(page.evaluate(FOCUSED))
        if wanted(focused):
            return focused
        seen.append(focused)
    raise AssertionError(f"Tab never reached the element; it went through: {seen}")


def tab_to_option(page: Page, slug: str) -> None:
    tab_to(page, lambda f: f.split("|")[1] == f"opt-{slug}")


def tab_to_button(page: Page, text: str) -> None:
    tab_to(page, lambda f: f.startswith("button|") and f.split("|", 3)[3] == text)


def test_keyboard_walk_to_escalation(site: str, open_tab: OpenTab, shoot: Check) -> None:
    tab = open_tab(PHONE, permissions=["clipboard-read", "clipboard-write"])
    page = tab.page
    page.goto(site + "/diagnose/")
    page.evaluate(MARK)

    # The skip link, then into the form: the first radio button of the service question.
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_text("本文へ移動")
    page.keyboard.press("Enter")
    tab_to_option(page, "shopping")
    page.keyboard.press("ArrowDown")  # arrow keys move through a radio group and choose
    expect(page.locator("#opt-prime-video")).to_be_focused()
    expect(page.locator("#opt-prime-video")).to_be_checked()
    tab_to_button(page, NEXT)
    page.keyboard.press("Enter")
    # Prime Video viewers are asked for their device.
    expect_swapped_step(page, question("device"), step=2)
    assert params(page)["service"] == ["prime-video"]
    tab_to_option(page, "device-tv")
    page.keyboard.press("ArrowDown")
    expect(page.locator("#opt-device-mobile-app")).to_be_checked()
    tab_to_button(page, NEXT)
    page.keyboard.press("Enter")
    expect_swapped_step(page, question("symptom"), step=3, answers=("device-mobile-app",))

    # Checkboxes: Tab to one, Space ticks it, then Space on the button.
    tab_to_option(page, "app-only")
    page.keyboard.press("Space")
    expect(page.locator("#opt-app-only")).to_be_checked()
    tab_to_button(page, NEXT)
    page.keyboard.press("Space")
    expect_swapped_step(page, question("other-device"), step=4, answers=("app-only",))

    # Space chooses the focused radio button; Enter in the form sends it.
    tab_to_option(page, "other-device-works")
    page.keyboard.press("Space")
    expect(page.locator("#opt-other-device-works")).to_be_checked()
    page.keyboard.press("Enter")
    expect_swapped_step(page, RESULT, answers=("app-only", "other-device-works"))

    # 解決しない on every remedy, in the order they are offered.
    tried: list[str] = []
    for _ in range(40):
        if heading(page) != RESULT:
            break
        remedy = page.locator(".current-remedy").inner_text().strip()
        tried.append(remedy)
        action = page.locator(".current-fix button[value=done]").count() > 0
        tab_to_button(page, DONE if action else NOT_RESOLVED)
        page.keyboard.press("Enter")
        page.wait_for_function(
            "(before) => { const r = document.querySelector('.current-remedy');"
            " return !r || r.textContent.trim() !== before; }",
            arg=remedy,
        )
        expect(page.locator("#flow-heading")).to_be_focused()
    expect_swapped_step(page, ESCALATE, answers=("app-only", "other-device-works"))
    assert len(tried) >= 3, tried
    assert len(params(page).get("tried", [])) == len(tried)
    expect(page.locator(".lead")).to_contain_text("すべて試しました")
    shoot(page, "flow-escalate-375")

    # The Prime Video channel, and only that one.
    channels = page.get_by_role("region", name=re.compile("問い合わせ先"))
    expect(channels).to_contain_text(SupportChannel.objects.get(service__slug="prime-video").title)
    for other in SupportChannel.objects.exclude(service__slug="prime-video"):
        expect(channels).not_to_contain_text(other.title)

    # The summary lists the service, the symptom and everything tried, in order.
    summary = page.get_by_label("状況のまとめ（サービス、症状、試したこと）")
    expect(summary).to_be_visible()
    text = summary.input_value()
    assert "Prime Video" in text
    assert label("app-only") in text
    listed = re.findall(r"^\d+\. (.+) → (?:ログインできず|実施済み)$", text, flags=re.MULTILINE)
    assert listed == tried, f"summary:\n{text}\ntried: {tried}"

    # まとめをコピー: shown with JavaScript, reached and pressed with the keyboard.
    copy = page.get_by_role("button", name="まとめをコピー")
    expect(copy).to_be_visible()
    tab_to_button(page, "まとめをコピー")
    page.keyboard.press("Enter")
    expect(page.locator(".copy-status")).to_have_text("コピーしました。")
    assert page.evaluate("navigator.clipboard.readText()") == text
    assert page.evaluate(MARKED)
    assert not tab.problems(), "\n".join(tab.problems())


def test_back_forward_and_reload(site: str, open_tab: OpenTab) -> None:
    tab = open_tab(DESKTOP)
    page = tab.page
    page.goto(site + "/diagnose/")
    page.evaluate(MARK)
    choose(page, label("seller-central"))
    page.get_by_role("button", name=NEXT).click()
    expect_swapped_step(page, question("symptom"), step=2)
    choose(page, label("code-not-arriving"))
    page.get_by_role("button", name=NEXT).click()
    expect_swapped_step(page, question("recent-change"), step=3)
    choose(page, label("changed-password"))
    page.get_by_role("button", name=NEXT).click()
    expect_swapped_step(
        page, question("new-device"), step=4, answers=("code-not-arriving", "changed-password")
    )
    step_4_url = page.url

    # Back shows the question with the answer still ticked (the page's history entry was
    # rewritten to hold it when the answer was sent).
    page.go_back()
    expect(page.locator("#flow-heading")).to_have_text(question("recent-change"))
    expect(page.locator("#opt-changed-password")).to_be_checked()
    assert params(page).get("change") == ["recent-change"], page.url
    expect(page.locator("#flow-heading")).to_be_focused()
    expect(page.locator("#flow-announcer")).to_contain_text(question("recent-change"))
    expect(page).to_have_title(re.compile(rf"^質問3：{re.escape(question('recent-change'))}"))
    expect(page.locator("h1")).to_have_count(1)

    page.go_back()
    expect(page.locator("#flow-heading")).to_have_text(question("symptom"))
    expect(page).to_have_title(re.compile(rf"^質問2：{re.escape(question('symptom'))}"))
    expect(page.locator("#opt-code-not-arriving")).to_be_checked()

    page.go_forward()
    expect(page.locator("#flow-heading")).to_have_text(question("recent-change"))
    assert params(page).get("a") == ["code-not-arriving", "changed-password"], page.url
    page.go_forward()
    expect(page.locator("#flow-heading")).to_have_text(question("new-device"))
    expect(page).to_have_url(step_4_url)
    expect(page).to_have_title(re.compile(rf"^質問4：{re.escape(question('new-device'))}"))

    # After going back and forth the flow still goes on by htmx swaps.
    choose(page, label("new-device-yes"))
    page.get_by_role("button", name=NEXT).click()
    expect_swapped_step(page, RESULT, answers=("code-not-arriving", "changed-password"))

    page.go_back()
    expect(page.locator("#flow-heading")).to_have_text(question("new-device"))
    expect(page.locator("#opt-new-device-yes")).to_be_checked()
    page.reload()
    assert not page.evaluate(MARKED), "reload did not load the page"
    expect(page.locator("#flow-heading")).to_have_text(question("new-device"))
    expect(page.locator("#opt-new-device-yes")).to_be_checked()
    expect(page).to_have_title(re.compile(rf"^質問4：{re.escape(question('new-device'))}"))
    assert not tab.problems(), "\n".join(tab.problems())


def test_every_step_kind_is_accessible(
    site: str, axe_page: Page, assert_accessible: Check, shoot: Check
) -> None:
    """axe-core on each kind of step, as htmx leaves the page after the swap."""
    page = axe_page
    page.set_viewport_size({"width": PHONE, "height": 800})
    page.goto(site + "/diagnose/")
    page.evaluate(MARK)
    assert_accessible(page, "question step (service)")

    choose(page, label("shopping"))
    page.get_by_role("button", name=NEXT).click()
    expect_swapped_step(page, question("symptom"), step=2)

    # 次へ with nothing chosen: the question comes back with the error, tied to the fieldset.
    page.get_by_role("button", name=NEXT).click()
    error = page.locator("#question-error")
    expect(error).to_have_text("選択肢を選んでから「次へ」を押してください。")
    expect(page.locator("#flow-heading")).to_be_focused()
    # Screen readers hear the error, not only the same question again.
    expect(page.locator("#flow-announcer")).to_contain_text(
        "選択肢を選んでから「次へ」を押してください。質問2（残り最大"
    )
    described = page.locator("fieldset").get_attribute("aria-describedby") or ""
    assert "question-error" in described.split()
    expect(page.locator("#flow-step .options input").first).to_have_attribute(
        "aria-invalid", "true"
    )
    shoot(page, "flow-error-375")
    assert_accessible(page, "question step with the error")

    choose(page, label("code-not-arriving"))
    choose(page, label("unknown-activity"))
    page.get_by_role("button", name=NEXT).click()
    expect_swapped_step(page, question("recent-change"), step=3)
    assert_accessible(page, "question step (single choice)")
    choose(page, label("change-unknown"))
    page.get_by_role("button", name=NEXT).click()
    expect_swapped_step(page, question("new-device"), step=4)
    choose(page, label("new-device-unknown"))
    page.get_by_role("button", name=NEXT).click()
    expect_swapped_step(page, RESULT)
    # axe-core also reads what is inside the closed <details>.
    page.evaluate("document.querySelectorAll('details').forEach((d) => { d.open = true; })")
    assert_accessible(page, "result (with the takeover warning)")
    page.set_viewport_size({"width": DESKTOP, "height": 800})
    assert_accessible(page, "result at desktop width")
    page.set_viewport_size({"width": PHONE, "height": 800})

    page.get_by_role("button", name="解決した").click()
    expect_swapped_step(page, RESOLVED)
    assert_accessible(page, "resolved")

    page.get_by_role("link", name="まだ解決していなかった場合は、対処法の続きに戻る").click()
    expect_swapped_step(page, RESULT)
    page.get_by_role("button", name="試さずに、公式サポートへの問い合わせ方法を見る").click()
    expect_swapped_step(page, ESCALATE)
    expect(page.get_by_role("button", name="まとめをコピー")).to_be_visible()
    assert_accessible(page, "escalation")
    page.set_viewport_size({"width": DESKTOP, "height": 800})
    assert_accessible(page, "escalation at desktop width")


def is_flow_document(response: Response) -> bool:
    return response.request.is_navigation_request() and urlsplit(response.url).path == "/diagnose/"


@contextmanager
def full_page_load(page: Page) -> Iterator[None]:
    """Expects the block to load a whole new document of the flow (not an htmx request)."""
    with page.expect_response(is_flow_document) as info:
        yield
    response = info.value
    assert response.status == 200, response.url
    assert "hx-request" not in response.request.headers
    page.wait_for_load_state()


def test_flow_without_javascript(site: str, open_tab: OpenTab) -> None:
    tab = open_tab(PHONE, javascript=False)
    page = tab.page
    page.goto(site + "/diagnose/")
    expect(page.locator("h1")).to_have_text(question("service"))
    urls = [page.url]

    steps = [
        (label("prime-video"), question("device")),
        (label("device-browser"), question("symptom")),
        (label("code-not-arriving"), question("recent-change")),
        (label("changed-phone-or-email"), question("new-device")),
        (label("new-device-yes"), RESULT),
    ]
    for option_label, next_heading in steps:
        choose(page, option_label)
        with full_page_load(page):
            page.get_by_role("button", name=NEXT).click()
        expect(page.locator("h1")).to_have_text(next_heading)
        assert page.url not in urls
        urls.append(page.url)
    assert params(page)["service"] == ["prime-video"]
    assert params(page)["a"] == [
        "device-browser",
        "code-not-arriving",
        "changed-phone-or-email",
        "new-device-yes",
    ]
    expect(page.locator(".current-cause")).to_contain_text(cause("C3").title)
    first = page.locator(".current-remedy").inner_text()

    with full_page_load(page):
        page.get_by_role("button", name=NOT_RESOLVED).click()
    expect(page.locator(".current-remedy")).not_to_have_text(first)
    assert len(params(page)["tried"]) == 1

    with full_page_load(page):
        page.get_by_role("button", name="試さずに、公式サポートへの問い合わせ方法を見る").click()
    expect(page.locator("h1")).to_have_text(ESCALATE)
    summary = page.get_by_label("状況のまとめ（サービス、症状、試したこと）")
    expect(summary).to_be_visible()
    assert f"1. {first}" in summary.input_value()
    # Without JavaScript there is no clipboard button; the text can still be selected.
    expect(page.get_by_role("button", name="まとめをコピー")).to_be_hidden()
    assert tab.console_errors == []


def test_unknown_orders_lead_with_takeover_warning(site: str, open_tab: OpenTab) -> None:
    tab = open_tab(PHONE)
    page = tab.page
    page.goto(site + "/diagnose/")
    page.evaluate(MARK)
    choose(page, label("shopping"))
    page.get_by_role("button", name=NEXT).click()
    expect_swapped_step(page, question("symptom"), step=2)
    choose(page, label("unknown-activity"))
    page.get_by_role("button", name=NEXT).click()
    expect_swapped_step(page, RESULT, answers=("unknown-activity",))

    # A checklist right after the heading: the warning, the contact button, then the steps.
    hijacked = cause("C9")
    checklist = page.locator("section.checklist")
    expect(checklist).to_have_count(1)
    expect(page.locator("#flow-heading + *")).to_have_class(re.compile("checklist"))
    expect(checklist.locator("h2")).to_contain_text(hijacked.title)
    alert = page.get_by_role("alert")
    expect(alert).to_have_count(1)
    expect(alert).to_be_visible()
    expect(alert).to_contain_text(hijacked.warning)
    buttons = checklist.get_by_role("button")
    expect(buttons).to_have_count(1)
    expect(buttons).to_have_text(ESCALATE)
    steps = checklist.locator(".checklist-steps > li")
    expect(steps).to_have_count(hijacked.remedies.count())
    expect(steps.first).to_contain_text(hijacked.remedies.first().title)
    expect(checklist.get_by_role("link")).to_have_attribute("href", hijacked.get_absolute_url())
    # Nothing of it is offered as a fix to try.
    expect(page.locator(".current-fix")).to_have_count(0)
    expect(page.locator("ol.ranking > li").first).to_contain_text("最優先")
    assert not tab.problems(), "\n".join(tab.problems())

    # Changing an answer goes back to that question, with the answer still chosen.
    change = re.compile(rf"^変更\s*（{re.escape(question('symptom'))}）$")
    page.get_by_role("link", name=change).click()
    expect_swapped_step(page, question("symptom"), step=2)
    expect(page.locator("#opt-unknown-activity")).to_be_checked()
    page.get_by_role("link", name="最初からやり直す").click()
    expect_swapped_step(page, question("service"), step=1)
    expect(page.locator("#flow-step .options input:checked")).to_have_count(0)
    assert "a" not in params(page) and "service" not in params(page), page.url
    assert not tab.problems(), "\n".join(tab.problems())


def test_an_error_answering_htmx_replaces_the_content(site: str, open_tab: OpenTab) -> None:
    """A refusal or failure answering a step (here a 404, as a 429 or 503 would) is shown in
    place of the page's content, with focus on its heading: before, nothing changed."""
    tab = open_tab(375)
    page = tab.page
    page.goto(site + "/diagnose/")
    expect(page.locator("#flow-step")).to_be_visible()
    page.evaluate(
        "htmx.ajax('GET', '/diagnose/?service=' + 'x'.repeat(300),"
        " {target: '#flow-step', swap: 'outerHTML'})"
    )
    heading = page.locator("#main .error-page h1")
    expect(heading).to_contain_text("400")
    expect(heading).to_be_focused()
    assert page.locator("header.site-header").count() == 1  # not a page inside the page
    assert page.locator("#main").count() == 1
    assert not tab.problems(allow_status_of=site + "/diagnose/?service=" + "x" * 300)
