"""A change to published content can wait as a draft: readers keep seeing the live version
until a publisher publishes it; staff preview it in the public templates and compare it with
the live version first."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import Group, User
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse
from reversion.models import Version

from articles.models import FAQ, Cause, Draft
from helpcenter.roles import EDITORS, PUBLISHERS
from tests.diagnosis.test_admin_guard import form_data

pytestmark = pytest.mark.django_db

NEW_TITLE = "画像の文字を読み上げで聞き取る（下書き）"


def signed_in(name: str, group: str | None = None) -> Client:
    if group is None:
        user = User.objects.create_superuser(name, f"{name}@example.invalid", "x")
    else:
        user = User.objects.create_user(name, f"{name}@example.invalid", "x", is_staff=True)
        user.groups.add(Group.objects.get(name=group))
    staff = Client()
    staff.force_login(user)
    return staff


def text(response: object) -> str:
    return BeautifulSoup(response.content, "html.parser").get_text(" ")


def drafted_remedy(staff: Client, cause: Cause) -> dict[str, list[str]]:
    """The cause's form with its first remedy's title changed, as a browser would post it."""
    url = reverse("admin:articles_cause_change", args=[cause.pk])
    data = form_data(staff.get(url).content, "cause_form")
    title = next(k for k in data if k.startswith("remedies-") and k.endswith("-title"))
    data[title] = [NEW_TITLE]
    return data


def test_a_draft_leaves_the_public_page_unchanged_until_it_is_published(
    client: Client, content: object
) -> None:
    cause = Cause.objects.get(slug="captcha-fails")
    url = reverse("admin:articles_cause_change", args=[cause.pk])
    editor = signed_in("editor", EDITORS)

    page = editor.get(url).content.decode()
    assert "下書きとして保存" in page and "公開中です" in page
    history = Version.objects.get_for_object(cause).count()
    saved = editor.post(url, {**drafted_remedy(editor, cause), "_save_draft": "1"})
    assert saved.status_code == 302 and saved["Location"] == url
    assert Version.objects.get_for_object(cause).count() == history  # not in the history yet
    assert NEW_TITLE not in text(client.get(cause.get_absolute_url()))
    assert not cause.remedies.filter(title=NEW_TITLE).exists()

    # The form now shows the draft, and says so; the live version is one link away.
    shown = editor.get(url)
    assert NEW_TITLE in shown.content.decode()
    assert "公開中の版ではなく、下書きを表示しています" in text(shown)
    assert NEW_TITLE not in editor.get(url + "?live=1").content.decode()

    # An editor may not publish; a publisher publishes the form showing the draft.
    data = form_data(shown.content, "cause_form")
    assert editor.post(url, {**data, "_publish_draft": "1"}).status_code == 403
    publisher = signed_in("publisher", PUBLISHERS)
    data = form_data(publisher.get(url).content, "cause_form")
    assert publisher.post(url, {**data, "_publish_draft": "1"}).status_code == 302
    assert NEW_TITLE in text(client.get(cause.get_absolute_url()))
    assert not Draft.objects.exists()
    latest = Version.objects.get_for_object(cause).first()
    assert latest.revision.user.username == "publisher"
    assert "editor の下書きを公開" in latest.revision.comment


def test_an_editors_plain_save_of_a_published_page_is_a_draft(
    client: Client, content: object
) -> None:
    faq = FAQ.objects.published().first()
    url = reverse("admin:articles_faq_change", args=[faq.pk])
    editor = signed_in("editor", EDITORS)
    data = form_data(editor.get(url).content, "faq_form")
    data["answer"] = ["書き直した回答です。"]
    assert editor.post(url, {**data, "_save": "1"}).status_code == 302
    faq.refresh_from_db()
    assert "書き直した回答です。" not in faq.answer
    assert Draft.objects.get().author.username == "editor"


def test_preview_shows_the_draft_in_the_public_template_and_keeps_nothing(
    client: Client, content: object
) -> None:
    cause = Cause.objects.get(slug="captcha-fails")
    url = reverse("admin:articles_cause_change", args=[cause.pk])
    staff = signed_in("staff")
    staff.post(url, {**drafted_remedy(staff, cause), "_save_draft": "1"})
    versions = Version.objects.count()

    preview = staff.get(reverse("admin:articles_cause_draft_preview", args=[cause.pk]))
    assert preview.status_code == 200 and "no-store" in preview["Cache-Control"]
    page = BeautifulSoup(preview.content, "html.parser")
    assert page.select_one(".preview-banner") is not None
    assert NEW_TITLE in page.get_text() and cause.title in page.select_one("h1").get_text()
    # Nothing of the trial was kept: no remedy, no version, the public page as it was.
    assert not cause.remedies.filter(title=NEW_TITLE).exists()
    assert Version.objects.count() == versions
    public = client.get(cause.get_absolute_url())
    assert NEW_TITLE not in text(public) and b"preview-banner" not in public.content
    # Readers cannot reach it.
    assert (
        client.get(reverse("admin:articles_cause_draft_preview", args=[cause.pk])).status_code
        == 302
    )


def test_compare_shows_what_the_draft_changes_against_live(content: object) -> None:
    cause = Cause.objects.get(slug="captcha-fails")
    old_title = cause.remedies.order_by("order").first().title
    url = reverse("admin:articles_cause_change", args=[cause.pk])
    staff = signed_in("staff")
    data = drafted_remedy(staff, cause)
    data["summary"] = ["下書きで書き直した要約。"]
    staff.post(url, {**data, "_save_draft": "1"})

    page = BeautifulSoup(
        staff.get(reverse("admin:articles_cause_draft_compare", args=[cause.pk])).content,
        "html.parser",
    )
    added = " ".join(i.get_text() for i in page.select("ins"))
    removed = " ".join(d.get_text() for d in page.select("del"))
    assert NEW_TITLE in added and "下書きで書き直した要約。" in added
    assert old_title in removed and cause.summary in removed


def test_a_draft_that_would_break_the_flow_is_refused_and_not_kept(content: object) -> None:
    cause = Cause.objects.get(slug="account-closed")
    url = reverse("admin:articles_cause_change", args=[cause.pk])
    staff = signed_in("staff")
    data = form_data(staff.get(url).content, "cause_form")
    for key in [k for k in data if k.startswith("option_weights-") and k.endswith("-id")]:
        data[key.replace("-id", "-DELETE")] = ["on"]
    refused = staff.post(url, {**data, "_save_draft": "1"})
    assert refused.status_code == 200
    assert "診断が壊れてしまう" in text(refused)
    assert not Draft.objects.exists()


def test_discarding_a_draft_leaves_live_as_it_is(client: Client, content: object) -> None:
    cause = Cause.objects.get(slug="captcha-fails")
    url = reverse("admin:articles_cause_change", args=[cause.pk])
    staff = signed_in("staff")
    staff.post(url, {**drafted_remedy(staff, cause), "_save_draft": "1"})
    data = form_data(staff.get(url).content, "cause_form")
    assert staff.post(url, {**data, "_discard_draft": "1"}).status_code == 302
    assert not Draft.objects.exists()
    assert NEW_TITLE not in text(client.get(cause.get_absolute_url()))
    assert NEW_TITLE not in staff.get(url).content.decode()


def test_drafts_are_published_together_in_one_step(client: Client, content: object) -> None:
    staff = signed_in("staff")
    faqs = list(FAQ.objects.published().order_by("order")[:2])
    for i, faq in enumerate(faqs):
        url = reverse("admin:articles_faq_change", args=[faq.pk])
        data = form_data(staff.get(url).content, "faq_form")
        data["question"] = [f"まとめて公開する質問{i}"]
        staff.post(url, {**data, "_save_draft": "1"})
    assert Draft.objects.count() == 2
    listing = reverse("admin:articles_draft_changelist")
    waiting = text(staff.get(listing))
    assert all(faq.question in waiting for faq in faqs)
    chosen = [str(pk) for pk in Draft.objects.values_list("pk", flat=True)]
    done = staff.post(listing, {"action": "publish_drafts", "_selected_action": chosen})
    assert done.status_code == 302
    assert not Draft.objects.exists()
    faq_list = text(client.get(reverse("articles:faqs")))
    assert "まとめて公開する質問0" in faq_list and "まとめて公開する質問1" in faq_list


def test_editors_do_not_get_the_bulk_publish_action(content: object) -> None:
    faq = FAQ.objects.published().first()
    Draft.objects.create(
        content_type=ContentType.objects.get_for_model(FAQ),
        object_id=str(faq.pk),
        object_repr=str(faq),
    )
    listing = reverse("admin:articles_draft_changelist")
    editor = signed_in("editor", EDITORS)
    assert faq.question in text(editor.get(listing))
    assert 'value="publish_drafts"' not in editor.get(listing).content.decode()
    assert 'value="publish_drafts"' in signed_in("boss", PUBLISHERS).get(listing).content.decode()
