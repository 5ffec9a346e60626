"""The content health page lists what needs a look, each with a link to fix it, for staff only."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles.models import FAQ, Cause, Draft, PreventionTip, Status
from diagnosis.models import OptionCause

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff() -> Client:
    client = Client()
    client.force_login(User.objects.create_superuser("staff", "s@example.invalid", "x"))
    return client


def findings(staff: Client) -> dict[str, list[tuple[str, str]]]:
    page = BeautifulSoup(staff.get(reverse("admin:health")).content, "html.parser")
    groups = {}
    for module in page.select("#content-main .module"):
        title = module.h2.get_text().rsplit(" (", 1)[0]
        groups[title] = [
            (li.get_text(" ", strip=True), li.a["href"] if li.a else "")
            for li in module.select("li")
        ]
    return groups


def test_the_shipped_content_is_healthy(staff: Client, content: object) -> None:
    groups = findings(staff)
    assert set(groups) == {
        "診断フロー",
        "よくある質問・予防のヒントがない原因",
        "リンク切れ",
        "公式ヘルプとの照合が古いもの",
        "放置された下書き",
    }
    assert groups["診断フロー"] == [] and groups["リンク切れ"] == []
    assert groups["放置された下書き"] == []


def test_problems_are_listed_with_a_link_to_fix_them(staff: Client, content: object) -> None:
    cause = Cause.objects.get(slug="account-closed")
    OptionCause.objects.filter(cause=cause).delete()  # nothing leads to it any more
    FAQ.objects.filter(causes=cause).update(status=Status.DRAFT)
    faq = FAQ.objects.get(slug="forgot-password")
    faq.answer += "\n\n[古い案内](/causes/no-such-cause/) と [外部](https://www.amazon.co.jp/)"
    faq.checked_on = date.today() - timedelta(days=400)
    faq.save()
    draft = PreventionTip.objects.first()
    PreventionTip.objects.filter(pk=draft.pk).update(
        status=Status.DRAFT, updated_at=timezone.now() - timedelta(days=45)
    )
    waiting = Cause.objects.get(slug="captcha-fails")  # a next version, drafted and forgotten
    Draft.objects.create(
        content_type=ContentType.objects.get_for_model(Cause),
        object_id=str(waiting.pk),
        object_repr=str(waiting),
    )
    Draft.objects.update(updated_at=timezone.now() - timedelta(days=31))

    groups = findings(staff)
    cause_url = reverse("admin:articles_cause_change", args=[cause.pk])
    faq_url = reverse("admin:articles_faq_change", args=[faq.pk])
    assert any(cause.title in text and url == cause_url for text, url in groups["診断フロー"])
    assert any(
        cause.title in text and "よくある質問" in text
        for text, _ in groups["よくある質問・予防のヒントがない原因"]
    )
    assert groups["リンク切れ"] == [
        (f"「{faq}」のリンク /causes/no-such-cause/ の先がありません。 直す", faq_url)
    ]  # the link to another site is not checked
    assert any(faq_url == url for _, url in groups["公式ヘルプとの照合が古いもの"])
    assert [url for _, url in groups["放置された下書き"]] == [
        reverse("admin:articles_preventiontip_change", args=[draft.pk]),
        reverse("admin:articles_cause_change", args=[waiting.pk]),
    ]


def test_only_staff_see_it(client: Client, content: object) -> None:
    url = reverse("admin:health")
    assert client.get(url).status_code == 302  # to the sign-in page
    client.force_login(User.objects.create_user("reader", password="a-long-passphrase-1"))
    assert client.get(url).status_code == 302
    staff = Client()
    staff.force_login(User.objects.create_superuser("chief", "c@example.invalid", "x"))
    index = staff.get(reverse("admin:index")).content.decode()
    assert url in index  # linked from the admin's front page
