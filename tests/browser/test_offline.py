"""After one visit the site keeps working with the network off (static/js/sw.js)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from articles import version
from articles.models import FAQ, Cause, Service

from .tabs import Tab

pytestmark = pytest.mark.browser

OpenTab = Callable[..., Tab]

KEPT = """async () => {
  if (!navigator.serviceWorker.controller) return null;
  for (const name of await caches.keys()) {
    if (!name.startsWith("loginhelp-v-")) continue;
    if (await (await caches.open(name)).match("/__complete__")) return name;
  }
  return null;
}"""


def wait_until_kept(page: Page, other_than: str | None = None) -> str:
    """The name of the worker's whole copy of the site, once it has one (at most 30 s)."""
    for _ in range(300):
        name = page.evaluate(KEPT)
        if name and name != other_than:
            return str(name)
        page.wait_for_timeout(100)
    raise AssertionError("the service worker never kept a whole copy of the site")


def test_after_one_visit_the_fixes_open_offline(site: str, open_tab: OpenTab) -> None:
    tab = open_tab(375, offline_ready=True)
    page = tab.page
    page.goto(site + "/")
    first = wait_until_kept(page)
    cause = Cause.objects.published().exclude(slug="").order_by("-pk").first()
    faq = FAQ.objects.published().order_by("-pk").first()
    service = Service.objects.order_by("pk").first()
    assert cause and faq and service

    page.context.set_offline(True)
    page.goto(site + cause.get_absolute_url())  # never visited
    expect(page.locator("h1")).to_contain_text(cause.title)
    expect(page.locator(".steps").first).to_be_visible()
    page.goto(site + faq.get_absolute_url())
    expect(page.locator("h1")).to_contain_text(faq.title)
    page.goto(site + service.get_contact_url())
    expect(page.locator("main")).to_contain_text(service.name)
    page.goto(site + "/diagnose/")
    expect(page.locator("#flow-step .options input").first).to_be_visible()

    # Something never kept: the offline page says what still works.
    page.goto(site + "/search/?q=%E3%81%BE%E3%81%A0%E8%A6%8B%E3%81%A6%E3%81%AA%E3%81%84")
    expect(page.locator("h1")).to_have_text("オフラインです")
    page.locator("main a", has_text="すべての原因と対処法").click()
    expect(page.locator("h1")).to_be_visible()

    # A content change reaches the copy at the next visit online. (Made while the browser is
    # offline: nothing reads the test database then, whose tables SQLite locks whole.)
    Cause.objects.filter(pk=cause.pk).update(title=cause.title + "（改訂）")
    version.bump()
    page.context.set_offline(False)
    page.goto(site + "/tips/")
    wait_until_kept(page, other_than=first)
    page.context.set_offline(True)
    page.goto(site + cause.get_absolute_url())
    expect(page.locator("h1")).to_contain_text("（改訂）")
    assert not tab.csp_violations()


def test_a_report_made_offline_is_sent_when_the_connection_returns(
    site: str, open_tab: OpenTab
) -> None:
    from feedback.models import SearchLog

    def searches() -> int:
        row = SearchLog.objects.filter(query="停止").first()
        return row.searches if row else 0

    def wait_for_searches(page: Page, count: int) -> None:
        for _ in range(100):
            if searches() == count:
                return
            page.wait_for_timeout(100)
        raise AssertionError(f"searches: {searches()}, expected {count}")

    tab = open_tab(375, offline_ready=True)
    page = tab.page
    page.goto(site + "/")
    wait_until_kept(page)
    page.goto(site + "/search/?q=%E5%81%9C%E6%AD%A2")  # online: shown, reported, kept
    wait_for_searches(page, 1)

    page.context.set_offline(True)
    page.reload()  # from the worker's copy: the report waits in the worker
    expect(page.locator("#search-results .result-title").first).to_be_visible()
    for _ in range(100):  # the worker keeps it
        waiting = page.evaluate(
            "async () => (await (await caches.open('loginhelp-queue')).keys()).length"
        )
        if waiting:
            break
        page.wait_for_timeout(100)
    assert waiting == 1 and searches() == 1

    page.context.set_offline(False)  # the page's script tells the worker, which sends it
    wait_for_searches(page, 2)


def test_the_flow_runs_offline_to_a_result_and_on(
    site: str, open_tab: OpenTab, shoot: Callable[[Page, str], None]
) -> None:
    """Answers never given online still lead to the site's own result (worked out by the worker
    from the flow pack); "it did not work" goes on to the next fix, and is sent once online."""
    from urllib.parse import urlsplit

    from django.test import RequestFactory

    from diagnosis import flow, learning
    from diagnosis import graph as flowgraph
    from diagnosis.forms import FlowQueryForm
    from diagnosis.models import Option
    from feedback.models import FlowEvent

    tab = open_tab(375, offline_ready=True)
    page = tab.page
    page.goto(site + "/")
    wait_until_kept(page)

    page.context.set_offline(True)
    page.goto(site + "/diagnose/")
    service = Option.objects.filter(question__kind="service").exclude(service=None).first()
    symptoms = Option.objects.filter(question__slug="symptom").order_by("pk")[:2]
    assert service and len(symptoms) == 2
    page.locator("#flow-step .options").get_by_text(service.label, exact=True).click()
    page.get_by_role("button", name="次へ").click()
    expect(page.locator("#flow-heading")).not_to_have_text(service.question.text)
    for _ in range(8):  # the symptoms, then the first answer of whatever comes next
        if not page.locator("#flow-step .options").count():
            break
        boxes = page.locator("#flow-step .options input[type=checkbox]")
        if boxes.count():
            for symptom in symptoms:
                page.locator("#flow-step .options").get_by_text(symptom.label, exact=True).click()
        else:
            page.locator("#flow-step .options label").first.click()
        before = page.locator("#flow-heading").inner_text()
        page.get_by_role("button", name="次へ").click()
        expect(page.locator("#flow-heading")).not_to_have_text(before)
    expect(page.locator("#flow-heading")).to_have_text("考えられる原因と対処法")
    expect(page.locator("#flow-step .notice-offline")).to_contain_text("この端末")

    def expected() -> flow.Screen:
        request = RequestFactory().get("/diagnose/?" + urlsplit(page.url).query)
        form = FlowQueryForm(request.GET)
        assert form.is_valid()
        graph = flowgraph.current()
        return flow.screen(graph, form.flow_query(), "/diagnose/", learning.orders(graph))

    first = expected()
    assert first.kind == "result" and first.progress and first.progress.current
    assert set(urlsplit(page.url).query.split("&")) >= {f"a={s.slug}" for s in symptoms}
    expect(page.locator(".current-remedy")).to_have_text(first.progress.current.title)

    page.get_by_role("button", name="解決しない（次の方法へ）").click()
    expect(page.locator("#current-title")).to_contain_text("2")
    second = expected()
    assert second.progress and second.progress.current
    assert second.progress.tried == (first.progress.current,)
    expect(page.locator(".current-remedy")).to_have_text(second.progress.current.title)
    shoot(page, "offline-flow-result")
    assert not FlowEvent.objects.filter(kind="tried").exists()

    page.context.set_offline(False)  # the answer kept in the worker is sent
    for _ in range(100):
        if FlowEvent.objects.filter(kind="tried", key=str(first.progress.current.id)).exists():
            break
        page.wait_for_timeout(100)
    else:
        raise AssertionError("the answer made offline never reached the site")
    assert not tab.csp_violations()
