"""A staff member's day, in Chromium: sign in with a second factor, change a remedy, see it on
the public page and in the history, compare two versions, restore the earlier one; the custom
admin pages pass axe-core (drafts: `test_staff_drafts.py`)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from articles.models import Cause, Draft
from feedback.models import FlowEvent
from tests.helpcenter.test_staff_signin import PASSWORD, code

from .conftest import AXE_TAGS
from .tabs import Tab

pytestmark = pytest.mark.browser

OpenTab = Callable[..., Tab]


@pytest.fixture
def second_factor() -> Iterator[None]:
    with override_settings(STAFF_OTP_REQUIRED=True):  # as under production settings
        yield


def sign_in(page: Page, site: str) -> None:
    user = User.objects.create_superuser("chief", "chief@example.invalid", PASSWORD)
    call_command("setup_staff_2fa", "chief", stdout=StringIO())
    device = TOTPDevice.objects.get(user=user)
    page.goto(site + reverse("admin:index"))
    expect(page.locator("#id_otp_token")).to_be_visible()  # asked for, on the sign-in page
    page.fill("#id_username", "chief")
    page.fill("#id_password", PASSWORD)
    page.fill("#id_otp_token", code(device))
    page.click("#login-form [type=submit]")
    expect(page.locator("#user-tools")).to_be_visible()


def test_sign_in_edit_publish_compare_and_restore(
    site: str, open_tab: OpenTab, second_factor: None
) -> None:
    tab = open_tab(1280)
    page = tab.page
    sign_in(page, site)
    cause = Cause.objects.get(slug="captcha-fails")
    remedy = cause.remedies.order_by("order").first()
    change = site + reverse("admin:articles_cause_change", args=[cause.pk])

    # A first save records the version as it was, then the edit.
    page.goto(change)
    page.click("input[name=_continue]")
    expect(page.locator(".messagelist")).to_be_visible()
    title = page.locator("#id_remedies-0-title")
    expect(title).to_have_value(remedy.title)
    title.fill("新しい画像を表示してもう一度入力する（改訂）")
    page.click("input[name=_continue]")
    expect(page.locator(".messagelist")).to_be_visible()

    public = open_tab(375).page
    public.goto(site + cause.get_absolute_url())
    expect(public.locator("#remedies-title + ol")).to_contain_text("（改訂）")

    # The history, the comparison, and the earlier version restored as a new one.
    page.goto(site + reverse("admin:articles_cause_history", args=[cause.pk]))
    # Newest first: the edit, the first save, and what load_content wrote.
    expect(page.locator("#change-history tbody tr")).to_have_count(3)
    page.get_by_role("link", name="ひとつ前の版と比較").first.click()
    expect(page.locator("ins").first).to_contain_text("（改訂）")
    expect(page.locator("del").first).to_contain_text(remedy.title)

    page.goto(site + reverse("admin:articles_cause_history", args=[cause.pk]))
    page.locator("#change-history tbody tr").nth(1).locator("a").first.click()
    page.click("input[type=submit][name=_save], input[type=submit][value='保存']")
    public.reload()
    expect(public.locator("#remedies-title + ol")).not_to_contain_text("（改訂）")
    expect(public.locator("#remedies-title + ol")).to_contain_text(remedy.title)
    assert not tab.problems(allow_status_of=f"{site}/favicon.ico")


AXE_ON_MAIN = """
async ([tags, part]) => {
  const results = await axe.run(document.querySelector(part || "#content-main"),
    {runOnly: {type: "tag", values: tags}});
  return results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(" ")}`);
}
"""


def test_the_custom_admin_pages_pass_axe(site: str, open_tab: OpenTab, axe_source: str) -> None:
    # axe-core is injected as an inline script: this tab ignores the CSP. Only our own part of
    # each page (#content-main) is checked, not Django's admin around it.
    page = open_tab(1280, bypass_csp=True).page
    User.objects.create_superuser("staff", "staff@example.invalid", PASSWORD)
    page.goto(site + reverse("admin:login"))
    page.fill("#id_username", "staff")
    page.fill("#id_password", PASSWORD)
    page.click("#login-form [type=submit]")
    expect(page.locator("#user-tools")).to_be_visible()
    cause = Cause.objects.get(slug="captcha-fails")
    change = site + reverse("admin:articles_cause_change", args=[cause.pk])
    page.goto(change)
    page.click("input[name=_continue]")
    page.fill("#id_summary", cause.summary + "（改訂）")
    page.click("input[name=_continue]")
    compare = site + reverse("admin:articles_cause_compare", args=[cause.pk])
    # A draft of the next version: the banner on its form, its comparison, its flow effect.
    page.fill("#id_summary", cause.summary + "（下書き）")
    page.locator("input[name=_save_draft]").first.click()
    expect(page.locator(".draft-banner")).to_be_visible()
    draft = Draft.objects.get()
    flow = FlowEvent.objects.create(flow_id="f1", kind="answered", cause=cause.slug)
    fix = cause.remedies.first()
    FlowEvent.objects.create(
        flow_id=flow.flow_id, kind="resolved", key=str(fix.pk), version=fix.version
    )
    pages = [
        (site + reverse("admin:health"), None),
        (site + reverse("admin:flow_map"), None),
        (compare, None),
        (change, ".draft-banner"),
        (site + reverse("admin:articles_cause_draft_compare", args=[cause.pk]), None),
        (site + reverse("admin:flow_map") + f"?draft={draft.pk}", None),
        (site + reverse("admin:articles_draft_changelist"), "#result_list"),
        (site + reverse("admin:dashboard"), None),
    ]
    for url, part in pages:
        page.goto(url)
        page.add_script_tag(content=axe_source)
        assert page.evaluate(AXE_ON_MAIN, [AXE_TAGS, part]) == [], url
