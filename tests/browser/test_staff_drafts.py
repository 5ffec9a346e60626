"""The staff workflow end to end, in Chromium, as a new staff member would try it: sign in with
a second factor, draft a change to a published remedy and to a flow weight, preview and compare
them and see the flow picture change while readers still see the live site, publish, see the
change on the site and in the history, restore, delete an FAQ that stays deleted through
`load_content`, and export the content back to fixtures with only the intended differences."""

from __future__ import annotations

from collections.abc import Callable
from io import StringIO
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import expect

from articles import content
from articles.models import FAQ, Cause, Draft
from diagnosis.models import Option

from .tabs import Tab
from .test_staff import second_factor, sign_in

pytestmark = pytest.mark.browser
__all__ = ["second_factor"]  # a fixture, used by name

OpenTab = Callable[..., Tab]
REVISED = "新しい画像を表示してから入力する（改訂案）"


def test_draft_preview_flow_picture_publish_restore_delete_and_export(
    site: str, open_tab: OpenTab, second_factor: None, tmp_path: Path
) -> None:
    tab = open_tab(1280)
    page = tab.page
    sign_in(page, site)
    cause = Cause.objects.get(slug="captcha-fails")
    cause_url = site + reverse("admin:articles_cause_change", args=[cause.pk])
    public = open_tab(375).page
    remedies = public.locator("#remedies-title + ol")

    # A draft of a published remedy: the public page does not change.
    page.goto(cause_url)
    page.fill("#id_remedies-0-title", REVISED)
    page.locator("input[name=_save_draft]").first.click()
    expect(page.locator(".draft-banner")).to_contain_text("下書きを表示しています")
    expect(page.locator("#id_remedies-0-title")).to_have_value(REVISED)
    public.goto(site + cause.get_absolute_url())
    expect(remedies).not_to_contain_text(REVISED)

    # Preview in the public template, and the comparison with the live version.
    page.get_by_role("link", name="保存した下書きを、読者に見える形でプレビューする").click()
    expect(page.locator(".preview-banner")).to_be_visible()
    expect(page.locator("#remedies-title + ol")).to_contain_text(REVISED)
    page.go_back()
    page.get_by_role("link", name="下書きと公開中の版を比べる").click()
    expect(page.locator("ins").first).to_contain_text(REVISED)

    # A draft of a flow weight: the closed-account answer would point to the CAPTCHA cause.
    option = Option.objects.get(slug="account-closed")
    option_url = site + reverse("admin:diagnosis_option_change", args=[option.pk])
    page.goto(option_url)
    extra = option.weights.count()  # the empty row after the existing weights
    page.select_option(f"#id_weights-{extra}-cause", str(cause.pk))
    page.fill(f"#id_weights-{extra}-weight", "40")
    page.locator("input[name=_save_draft]").first.click()
    expect(page.locator(".draft-banner")).to_be_visible()
    assert not option.weights.filter(cause=cause).exists()

    # The flow picture shows, before publishing, which answers would lead elsewhere.
    page.get_by_role("link", name="下書きで診断の行き先が変わる回答を見る").click()
    effect = page.locator(".draft-effect")
    expect(effect).to_contain_text("なし → +40")
    expect(effect.locator("tbody tr").first).to_contain_text("画像認証")
    expect(effect.locator("tbody tr").first).to_contain_text("アカウントを閉鎖した")

    # Publish both; the site and the history show the change.
    for url in (option_url, cause_url):
        page.goto(url)
        page.locator("input[name=_publish_draft]").first.click()
        expect(page.locator(".messagelist")).to_contain_text("下書きを公開しました")
    assert not Draft.objects.exists()
    assert option.weights.filter(cause=cause, weight=40).exists()
    public.reload()
    expect(remedies).to_contain_text(REVISED)
    page.goto(site + reverse("admin:articles_cause_history", args=[cause.pk]))
    rows = page.locator("#change-history tbody tr")
    expect(rows.first).to_contain_text("chief の下書きを公開")

    # Restore the version before: the old text is back, as a new version; the weight added
    # since stays.
    count = rows.count()
    rows.nth(1).locator("a").first.click()
    page.click("input[type=submit][name=_save], input[type=submit][value='保存']")
    expect(page.locator(".messagelist")).to_be_visible()
    public.reload()
    expect(remedies).not_to_contain_text(REVISED)
    page.goto(site + reverse("admin:articles_cause_history", args=[cause.pk]))
    expect(rows).to_have_count(count + 1)
    assert option.weights.filter(cause=cause, weight=40).exists()

    # Delete an FAQ in the admin: it stays deleted through load_content.
    faq = FAQ.objects.get(slug="forgot-password")
    page.goto(site + reverse("admin:articles_faq_delete", args=[faq.pk]))
    page.get_by_role("button", name="はい、大丈夫です").click()
    expect(page.locator(".messagelist")).to_be_visible()
    call_command("load_content", stdout=StringIO())
    assert not FAQ.objects.filter(slug="forgot-password").exists()
    assert public.goto(site + faq.get_absolute_url()).status == 404

    # Export: only the deleted FAQ and the new weight differ from the shipped fixtures.
    call_command("export_content", "--output", str(tmp_path), stdout=StringIO())
    changed = {
        kind.file
        for kind in content.KINDS
        if (tmp_path / kind.file).read_text(encoding="utf-8")
        != (content.FIXTURES_DIR / kind.file).read_text(encoding="utf-8")
    }
    assert changed == {"faqs.yaml", "flow.yaml"}
    shipped_faqs = yaml.safe_load((content.FIXTURES_DIR / "faqs.yaml").read_text("utf-8"))
    exported_faqs = yaml.safe_load((tmp_path / "faqs.yaml").read_text("utf-8"))
    assert len(exported_faqs) == len(shipped_faqs) - 1
    assert "forgot-password" not in (tmp_path / "faqs.yaml").read_text("utf-8")
    assert not tab.problems(allow_status_of=f"{site}/favicon.ico")
