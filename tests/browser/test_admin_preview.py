"""The admin's live Markdown preview, in a real Chromium under the site's strict CSP: staff type
into a cause's body or a remedy's steps and see, beside the field, what readers will see."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.urls import reverse
from playwright.sync_api import Page, expect

from articles.models import Cause

from .conftest import AXE_TAGS
from .tabs import Tab

pytestmark = pytest.mark.browser

OpenTab = Callable[..., Tab]
Check = Callable[[Page, str], None]
HEADING = "プレビュー（公開ページと同じ表示）"
HOSTILE = '<script>window.__ran = 1</script><img src=x onerror="window.__ran = 1">'


def sign_in(page: Page, site: str) -> None:
    User.objects.create_superuser("staff", "staff@example.invalid", "correct horse battery")
    page.goto(site + reverse("admin:login"))
    page.fill("#id_username", "staff")
    page.fill("#id_password", "correct horse battery")
    page.click("#login-form [type=submit]")
    expect(page.locator("#user-tools")).to_be_visible()


def retype(page: Page, selector: str, text: str) -> None:
    box = page.locator(selector)
    box.click()
    box.press("Control+a")
    box.press("Delete")
    page.keyboard.type(text, delay=20)


def test_typing_updates_the_preview(site: str, open_tab: OpenTab, shoot: Check) -> None:
    tab = open_tab(1280)
    page = tab.page
    sign_in(page, site)
    cause = Cause.objects.filter(remedies__isnull=False).distinct().first()
    page.goto(site + reverse("admin:articles_cause_change", args=[cause.pk]))

    body = page.locator("#id_body + .markdown-preview")
    expect(body.get_by_role("heading", name=HEADING)).to_be_visible()
    region = body.locator(".markdown-preview-body")
    expect(region).to_have_attribute("aria-live", "polite")
    # The saved text, rendered at once.
    expect(region.locator("p").first).to_be_visible()
    # Every remedy's steps too.
    remedies = cause.remedies.count()
    expect(page.locator("#remedies-group .markdown-preview")).to_have_count(remedies)

    retype(page, "#id_body", f"## 確認すること\n\n**メール**を開く。\n\n{HOSTILE}\n\n- 一つ目")
    expect(region.locator("h4")).to_have_text("確認すること")
    expect(region.locator("strong")).to_have_text("メール")
    expect(region.locator("li")).to_have_text("一つ目")
    assert region.locator("script, img, [onerror]").count() == 0
    assert page.evaluate("window.__ran") is None

    # A row added with "add another" gets its own preview.
    page.locator("#remedies-group .add-row a").click()
    new_body = f"#id_remedies-{remedies}-body"
    expect(page.locator(f"{new_body} + .markdown-preview")).to_have_count(1)
    retype(page, new_body, "*設定*を開く")
    new_region = page.locator(f"{new_body} + .markdown-preview .markdown-preview-body")
    expect(new_region.locator("em")).to_have_text("設定")
    # The first preview was left as it was.
    expect(region.locator("strong")).to_have_text("メール")

    shoot(page, "admin-preview")

    # The admin's pages link no icon, so Chromium asks for /favicon.ico (a 404): not ours.
    assert not tab.problems(allow_status_of=f"{site}/favicon.ico")

    # (After the check above: the browser logs the refusal's 400 as a console error.)
    # A text past the limit: the server's reason, in Japanese, in the box.
    page.fill(new_body, "あ" * 50_001)
    page.locator(new_body).press("End")
    page.keyboard.type("い")
    expect(new_region.locator(".markdown-preview-error")).to_contain_text("長すぎる")
    # Signed out meanwhile: said so, rather than the sign-in page inside the box.
    page.context.clear_cookies(name=settings.SESSION_COOKIE_NAME)
    retype(page, "#id_body", "ログアウト後の入力")
    expect(region.locator(".markdown-preview-error")).to_contain_text("ログインの有効期限")


AXE_ON_PREVIEWS = """
async (tags) => {
  const results = await axe.run(
    document.querySelectorAll(".markdown-preview"),
    {runOnly: {type: "tag", values: tags}},
  );
  return results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(" ")}`);
}
"""


def test_the_preview_boxes_pass_axe(site: str, open_tab: OpenTab, axe_source: str) -> None:
    # axe-core is injected as an inline script, which the CSP refuses: this tab ignores the CSP
    # (the test above checks the page under it). Only the boxes are checked, not Django's admin.
    page = open_tab(1280, bypass_csp=True).page
    sign_in(page, site)
    cause = Cause.objects.filter(remedies__isnull=False).distinct().first()
    page.goto(site + reverse("admin:articles_cause_change", args=[cause.pk]))
    expect(page.locator(".markdown-preview-body[aria-busy]")).to_have_count(0)
    expect(page.locator("#id_body + .markdown-preview p").first).to_be_visible()
    page.add_script_tag(content=axe_source)
    assert page.evaluate(AXE_ON_PREVIEWS, AXE_TAGS) == []
